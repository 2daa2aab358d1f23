/**
 * Graceful degradation (issue 5): a throttled model is retried with jitter, then the tier's
 * fallback model answers; when both stay throttled the caller gets 503 `model_unavailable` with
 * Retry-After. Failures are injected into the stand-in model through the inspector, scoped to
 * one tenant, so another tenant's chat in the same run shows that retry state is not shared.
 * Which model answered, and how often it was asked, is read from the model's own record.
 */
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { DEFAULT_MODEL_RETRY_POLICY } from '../../lambdas/resilience/model-fallback.js';
import { type Caller, callAs, onboard } from './support/api-client.js';
import { failNextModelCalls, modelRequestsOf } from './support/inspector.js';
import { apiModels, uniqueSuffix } from './support/local-cloud.js';

const suffix = uniqueSuffix();
const [primaryModel] = apiModels().chatModels;
const fallbackModel = apiModels().fallbackModels.basic ?? '';
const attempts = DEFAULT_MODEL_RETRY_POLICY.attemptsPerModel;
const throttled: Caller = { sub: 'tess', tenantId: `zq-throttled-${suffix}`, groups: ['analyst'] };
const neighbour: Caller = { sub: 'nora', tenantId: `zq-neighbour-${suffix}`, groups: ['analyst'] };
const outage: Caller = { sub: 'otto', tenantId: `zq-outage-${suffix}`, groups: ['analyst'] };

const converseRequestsOf = async (caller: Caller) =>
  (await modelRequestsOf(caller.tenantId, caller.sub)).filter((request) => request.operation === 'converse');

beforeAll(async () => {
  await Promise.all([throttled, neighbour, outage].map((caller) => onboard(caller.tenantId, 'basic')));
});

describe('a throttled model', () => {
  it('is retried, then the fallback answers, while another tenant gets the primary on its first try', async () => {
    expect(fallbackModel).not.toBe('');
    expect(fallbackModel).not.toBe(primaryModel);
    await failNextModelCalls({
      failure: 'throttle',
      times: attempts,
      tenantId: throttled.tenantId,
      modelId: primaryModel,
    });

    const throttledChat = callAs(throttled, 'POST', '/v1/chat', { message: 'hello while throttled' });
    // The neighbour asks while the throttled tenant is inside its retries.
    await vi.waitFor(async () => expect((await converseRequestsOf(throttled)).length).toBeGreaterThan(0), {
      timeout: 10_000,
      interval: 20,
    });
    const neighbourChat = await callAs(neighbour, 'POST', '/v1/chat', { message: 'hello neighbour' });
    const throttledAnswer = await throttledChat;

    expect(throttledAnswer.status).toBe(200);
    expect(throttledAnswer.body).toMatchObject({ reply: 'Stand-in reply: hello while throttled' });
    const seen = await converseRequestsOf(throttled);
    expect(seen.map((request) => [request.modelId, request.failure ?? 'answered'])).toEqual([
      ...Array.from({ length: attempts }, () => [primaryModel, 'throttle']),
      [fallbackModel, 'answered'],
    ]);
    expect(neighbourChat.status).toBe(200);
    const neighbourSeen = await converseRequestsOf(neighbour);
    expect(neighbourSeen.map((request) => [request.modelId, request.failure ?? 'answered'])).toEqual([
      [primaryModel, 'answered'],
    ]);
  });

  it('answers 503 model_unavailable with Retry-After when the primary and the fallback stay throttled', async () => {
    for (const modelId of [primaryModel, fallbackModel]) {
      await failNextModelCalls({ failure: 'throttle', times: attempts, tenantId: outage.tenantId, modelId });
    }

    const answer = await callAs(outage, 'POST', '/v1/chat', { message: 'hello during an outage' });

    expect(answer).toMatchObject({ status: 503, body: { error: { code: 'model_unavailable' } } });
    expect(Number(answer.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const seen = await converseRequestsOf(outage);
    expect(seen.map((request) => [request.modelId, request.failure])).toEqual([
      ...Array.from({ length: attempts }, () => [primaryModel, 'throttle']),
      ...Array.from({ length: attempts }, () => [fallbackModel, 'throttle']),
    ]);
    // Once the model recovers, the same tenant is served by its primary again.
    const recovered = await callAs(outage, 'POST', '/v1/chat', { message: 'hello after the outage' });
    expect(recovered.status).toBe(200);
    expect((await converseRequestsOf(outage)).at(-1)).toMatchObject({ modelId: primaryModel });
  });
});

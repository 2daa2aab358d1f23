/**
 * Budgets (issue 5): every model call is admitted against the tenant's monthly budget before it
 * is made. A tenant with no budget left is refused (402 `budget_exceeded`) and the model never
 * hears of it; a tenant whose budget cannot cover the primary model but can cover its tier's
 * cheaper fallback is served by the fallback; another tenant in the same run is served by the
 * primary as usual. Which model answered is read from the stand-in model's own record.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MAX_OUTPUT_TOKENS } from '../../lambdas/agent/agent-loop.js';
import { costNanoUsd, nanoToUsd } from '../../lambdas/metering/price-table.js';
import { type Caller, callAs, onboard } from './support/api-client.js';
import { modelRequestsOf } from './support/inspector.js';
import { apiModels, uniqueSuffix } from './support/local-cloud.js';

const suffix = uniqueSuffix();
const models = apiModels();
const [primaryModel] = models.chatModels;
const fallbackModel = models.fallbackModels.basic ?? '';
/**
 * Just below what one primary-model call reserves (its output allowance alone), so the primary
 * never fits; the fallback's reservation of a short chat is far smaller and does.
 */
const tooSmallForPrimaryUsd = nanoToUsd(
  costNanoUsd(models.prices, primaryModel, { inputTokens: 0, outputTokens: DEFAULT_MAX_OUTPUT_TOKENS }) - 1,
);
const broke: Caller = { sub: 'bo', tenantId: `zq-broke-${suffix}`, groups: ['analyst'] };
const frugal: Caller = { sub: 'fay', tenantId: `zq-frugal-${suffix}`, groups: ['analyst'] };
const comfortable: Caller = { sub: 'cal', tenantId: `zq-comfy-${suffix}`, groups: ['analyst'] };

beforeAll(async () => {
  await Promise.all([
    onboard(broke.tenantId, 'basic', { monthlyBudgetUsd: 0 }),
    onboard(frugal.tenantId, 'basic', { monthlyBudgetUsd: tooSmallForPrimaryUsd }),
    onboard(comfortable.tenantId, 'basic'),
  ]);
});

describe('budgets', () => {
  it('refuses an exhausted tenant, downgrades a tight one, and serves another tenant as usual', async () => {
    const [brokeAnswer, frugalAnswer, comfortableAnswer] = await Promise.all([
      callAs(broke, 'POST', '/v1/chat', { message: 'hello with no budget' }),
      callAs(frugal, 'POST', '/v1/chat', { message: 'hello on a shoestring' }),
      callAs(comfortable, 'POST', '/v1/chat', { message: 'hello with room to spare' }),
    ]);

    expect(brokeAnswer).toMatchObject({ status: 402, body: { error: { code: 'budget_exceeded' } } });
    expect(await modelRequestsOf(broke.tenantId, broke.sub)).toEqual([]);
    expect(frugalAnswer).toMatchObject({
      status: 200,
      body: { reply: 'Stand-in reply: hello on a shoestring' },
    });
    expect((await modelRequestsOf(frugal.tenantId, frugal.sub)).map((request) => request.modelId)).toEqual([
      fallbackModel,
    ]);
    expect(comfortableAnswer.status).toBe(200);
    expect(
      (await modelRequestsOf(comfortable.tenantId, comfortable.sub)).map((request) => request.modelId),
    ).toEqual([primaryModel]);
  });

  it('refuses the tight tenant once even the fallback no longer fits', async () => {
    // Each answered call keeps its cost; the fallback's reservation soon stops fitting in full,
    // then shorter answers are admitted until not even a minimal one fits.
    const statuses: number[] = [];
    for (let n = 0; n < 100 && !statuses.includes(402); n += 1) {
      statuses.push((await callAs(frugal, 'POST', '/v1/chat', { message: `hello again ${n}` })).status);
    }

    expect(statuses.at(-1)).toBe(402);
    expect(statuses.slice(0, -1).every((status) => status === 200)).toBe(true);
    const models = new Set((await modelRequestsOf(frugal.tenantId, frugal.sub)).map((r) => r.modelId));
    expect([...models]).toEqual([fallbackModel]);
  });
});

/**
 * Noisy neighbours (issue 13): one tenant floods far above its limits while a quiet tenant chats.
 * The flood is refused early and cheaply — at admission, before any model or vector call, each
 * refusal costing a few DynamoDB calls (counted at the local front door, per tenant) — and every
 * one of the quiet tenant's requests succeeds.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { type ApiResponse, type Caller, callAs, onboard } from './support/api-client.js';
import { awsCallsOf } from './support/inspector.js';
import { uniqueSuffix } from './support/local-cloud.js';

const suffix = uniqueSuffix();
const noisy = `zq-noisy-${suffix}`;
const quiet = `zq-quiet-${suffix}`;
const member = (tenantId: string, sub: string): Caller => ({ sub, tenantId, groups: ['analyst'] });
const chat = (caller: Caller, message: string) => callAs(caller, 'POST', '/v1/chat', { message });

/** The flood: this many chats, this many at a time, over a handful of users. */
const FLOOD = 96;
const FLOOD_CONCURRENCY = 12;
/** A refusal by the tenant's limits: the user's and a tenant shard's conditional updates, at once. */
const CALLS_PER_TENANT_REFUSAL = 2;

beforeAll(async () => {
  await Promise.all([
    onboard(noisy, 'basic', { rateLimits: { perTenantPerMinute: 10, inFlightPerTenant: 3 } }),
    onboard(quiet, 'basic'),
  ]);
});

async function flood(): Promise<ApiResponse[]> {
  const answers: ApiResponse[] = [];
  for (let start = 0; start < FLOOD; start += FLOOD_CONCURRENCY) {
    const batch = Array.from({ length: FLOOD_CONCURRENCY }, (_, index) =>
      chat(member(noisy, `user-${(start + index) % 5}`), `flood ${start + index} [[slow:300]]`),
    );
    answers.push(...(await Promise.all(batch)));
  }
  return answers;
}

describe('a noisy neighbour', () => {
  it('is refused at admission, before any model or vector call, while the quiet tenant’s chats all succeed', async () => {
    const before = await awsCallsOf(noisy);

    const [flooded, quietAnswers] = await Promise.all([
      flood(),
      (async () => {
        const answers: ApiResponse[] = [];
        for (let turn = 0; turn < 8; turn += 1)
          answers.push(await chat(member(quiet, `q-${turn % 2}`), `hi ${turn}`));
        return answers;
      })(),
    ]);
    const afterFlood = await awsCallsOf(noisy);
    // Its minute's requests used, every further chat of the noisy tenant is refused: count one run.
    const more = [];
    for (let turn = 0; turn < 10; turn += 1) more.push(await chat(member(noisy, 'user-0'), `more ${turn}`));
    const afterMore = await awsCallsOf(noisy);

    const admitted = flooded.filter((answer) => answer.status === 200).length;
    const refused = flooded.filter((answer) => answer.status === 429);
    const delta = (from: Record<string, number>, to: Record<string, number>, service: string) =>
      (to[service] ?? 0) - (from[service] ?? 0);
    // The quiet tenant is unaffected in outcome.
    expect(quietAnswers.map((answer) => answer.status)).toEqual(Array(8).fill(200));
    // The flood is refused (each answer a 200 or a 429 with its reason and Retry-After)…
    expect(admitted + refused.length).toBe(FLOOD);
    // The tenant limit (10 a minute) is what binds; the in-flight cap (3) held each burst back too.
    expect(admitted).toBe(10);
    for (const answer of refused) {
      expect(['rate_limited', 'too_many_in_flight']).toContain(
        (answer.body as { error: { code: string } }).error.code,
      );
      expect(Number(answer.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    }
    // …early: only admitted requests reached the model, none a vector index…
    expect(delta(before, afterFlood, 'bedrock')).toBe(admitted);
    expect(delta(before, afterFlood, 's3vectors')).toBe(0);
    // …and cheaply: a refusal is two DynamoDB calls (two conditional writes, one round trip).
    expect(more.map((answer) => answer.status)).toEqual(Array(10).fill(429));
    expect(afterMore).toEqual({
      ...afterFlood,
      dynamodb: (afterFlood.dynamodb ?? 0) + 10 * CALLS_PER_TENANT_REFUSAL,
    });
  });
});

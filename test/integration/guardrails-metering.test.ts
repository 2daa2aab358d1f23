/**
 * Exactly-once metering under load (issue 5): 100 chats, at most CONCURRENCY at a time, across
 * four tenants (three tiers) and three users each — plain chats, streamed chats, and chats whose
 * tool calls add model calls and embeddings. Afterwards each tenant's metered totals, read by its
 * admin through `GET /v1/costs`, must EQUAL the usage the stand-in model reported to that
 * tenant's sessions: no call lost, none counted twice.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { TenantCostsSchema } from '../../lambdas/metering/tenant-costs.js';
import type { TenantModelUsage } from '../../local/model-backend/model-record.js';
import { type Caller, callAs, onboard, streamAs } from './support/api-client.js';
import { modelUsageOf } from './support/inspector.js';
import { uniqueSuffix } from './support/local-cloud.js';

const suffix = uniqueSuffix();
const CHATS = 100;
const CONCURRENCY = 12;
const tiers = ['basic', 'premium', 'enterprise', 'basic'] as const;
const tenants = tiers.map((tier, n) => ({ tenantId: `zq-meter-${n}-${suffix}`, tier }));
const usersOf = (tenantId: string): Caller[] => [
  { sub: 'ana', tenantId, groups: ['analyst'] },
  { sub: 'rex', tenantId, groups: ['reader'] },
  { sub: 'abe', tenantId, groups: ['admin'] },
];

/** The element at `index` modulo the list's length. */
function cycle<T>(list: readonly T[], index: number): T {
  const element = list[index % list.length];
  if (element === undefined) throw new Error('cycle over an empty list');
  return element;
}

/** The n-th chat: who sends what, and whether it streams. Tool calls add model calls and embeddings. */
function chatNumber(n: number): { caller: Caller; message: string; streamed: boolean } {
  const caller = cycle(usersOf(cycle(tenants, n).tenantId), Math.floor(n / tenants.length));
  const kind = n % 5;
  const message =
    kind === 0
      ? `use tool search_documents ${JSON.stringify({ query: `ledger ${n}` })}`
      : kind === 1 && !caller.groups.includes('reader')
        ? `use tool remember ${JSON.stringify({ fact: `fact number ${n}` })}`
        : `chat number ${n} ${'x'.repeat(n % 7)}`;
  return { caller, message, streamed: n % 3 === 0 };
}

/** Runs `task(0 … count-1)` with at most `limit` in flight; resolves to the results in order. */
async function boundedAll<T>(count: number, limit: number, task: (n: number) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const n = next++;
      results[n] = await task(n);
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
  return results;
}

const sendChat = async (n: number): Promise<number> => {
  const { caller, message, streamed } = chatNumber(n);
  if (!streamed) return (await callAs(caller, 'POST', '/v1/chat', { message })).status;
  const answer = await streamAs(caller, '/v1/chat/stream', { message });
  return answer.events.at(-1)?.event === 'done' ? answer.status : -answer.status;
};

const tokensOf = (usage: Pick<TenantModelUsage, 'inputTokens' | 'outputTokens' | 'calls'>) => ({
  inputTokens: usage.inputTokens,
  outputTokens: usage.outputTokens,
  calls: usage.calls,
});

beforeAll(async () => {
  await Promise.all(tenants.map(({ tenantId, tier }) => onboard(tenantId, tier)));
});

describe('metering under concurrency', () => {
  it(`meters ${CHATS} concurrent chats across tenants exactly as the model reported them`, async () => {
    const statuses = await boundedAll(CHATS, CONCURRENCY, sendChat);
    expect(statuses.filter((status) => status !== 200)).toEqual([]);

    const month = new Date().toISOString().slice(0, 7);
    for (const { tenantId } of tenants) {
      const admin = cycle(usersOf(tenantId), 2);
      const answer = await callAs(admin, 'GET', `/v1/costs?month=${month}`);
      expect(answer.status).toBe(200);
      const costs = TenantCostsSchema.parse(answer.body);
      const billed = await modelUsageOf(tenantId);

      expect({ tenantId, ...tokensOf(costs.totals) }).toEqual({ tenantId, ...tokensOf(billed) });
      expect(
        Object.fromEntries(costs.byModel.map(({ modelId, ...usage }) => [modelId, tokensOf(usage)])),
      ).toEqual(
        Object.fromEntries(Object.entries(billed.byModel).map(([id, usage]) => [id, tokensOf(usage)])),
      );
      const byUser = costs.byUser.reduce(
        (sum, user) => ({
          inputTokens: sum.inputTokens + user.inputTokens,
          outputTokens: sum.outputTokens + user.outputTokens,
          calls: sum.calls + user.calls,
        }),
        { inputTokens: 0, outputTokens: 0, calls: 0 },
      );
      expect(byUser).toEqual(tokensOf(billed));
      expect(costs.byUser.map((user) => user.userId).sort()).toEqual(['abe', 'ana', 'rex']);
      expect(costs.totals.costUsd).toBeGreaterThan(0);
    }
  });
});

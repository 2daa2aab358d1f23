/**
 * The guard rails against AWS's DynamoDB Local through the real SDK and the
 * real ScopedTable: conditional ADDs, transactions and their
 * cancellation reasons behave as DynamoDB's own, not as a fake's.
 */
import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BudgetGuard } from '../../../lambdas/admission/budget-guard.js';
import {
  BudgetExceededError,
  BudgetHeldError,
  InFlightLimitedError,
  RateLimitedError,
  TokenRateLimitedError,
} from '../../../lambdas/admission/errors.js';
import { RequestAdmission } from '../../../lambdas/admission/request-admission.js';
import type { RateLimits } from '../../../lambdas/admission/tier-limits.js';
import { AuditTrail } from '../../../lambdas/audit/audit-trail.js';
import { Metering } from '../../../lambdas/metering/metering.js';
import { readTenantCosts } from '../../../lambdas/metering/tenant-costs.js';
import { ScopedKeyError } from '../../../lambdas/tenancy/errors.js';
import { ScopedTable } from '../../../lambdas/tenancy/scoped-table.js';
import { type DynamoDbLocal, startDynamoDbLocal } from '../../../local/emulators/dynamodb-local.js';
import { DEFAULT_PRICES } from '../../support/model-catalog.js';
import { contextFor, verifyWithoutDigests } from './support/contexts.js';

/** Unit tests read actors as the user ids they are given (the runtime passes actorTagFor). */
const asItself = (userId: string): string => userId;

const TABLE = 'tenant-data';
const CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
let dynamodb: DynamoDbLocal;
let client: DynamoDBClient;

beforeAll(async () => {
  dynamodb = await startDynamoDbLocal();
  client = new DynamoDBClient({ endpoint: dynamodb.endpoint, region: 'us-east-1', credentials: CREDENTIALS });
  await client.send(
    new CreateTableCommand({
      TableName: TABLE,
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
    }),
  );
});

afterAll(async () => {
  client?.destroy();
  await dynamodb?.stop();
});

/** Admission limits no test reaches but the ones it sets (one tenant shard). */
function admissionLimits(overrides: Partial<RateLimits>): RateLimits {
  return {
    tenantPerMinute: 100,
    userPerMinute: 100,
    tenantTokensPerMinute: 1_000_000,
    userTokensPerMinute: 1_000_000,
    tenantInFlight: 100,
    ...overrides,
  };
}

function tableFor(tenantId: string, userId: string): ScopedTable {
  return new ScopedTable(client, TABLE, { tenantId, userId });
}

async function rawItem(pk: string, sk: string): Promise<Record<string, unknown> | undefined> {
  const output = await client.send(new GetItemCommand({ TableName: TABLE, Key: marshall({ pk, sk }) }));
  return output.Item === undefined ? undefined : unmarshall(output.Item);
}

describe('guard rails on DynamoDB Local', () => {
  it('admits exactly the budget under 50 concurrent reservations over 4 shards, the rest held', async () => {
    const guard = new BudgetGuard(tableFor('budget-co', 'alice'), {
      prices: DEFAULT_PRICES,
      now: () => new Date('2026-11-22T00:00:00Z'),
    });
    const limits = { monthlyUsd: 0.006, monthlyTokens: 1_000_000_000, shards: 4 };
    const estimate = { modelId: 'amazon.nova-lite-v1:0', inputTokens: 1_000, maxOutputTokens: 1_000 };

    const results = await Promise.allSettled(
      Array.from({ length: 50 }, () => guard.reserve(limits, estimate)),
    );

    const admitted = results.filter((result) => result.status === 'fulfilled');
    const held = results.filter(
      (result) => result.status === 'rejected' && result.reason instanceof BudgetHeldError,
    );
    expect([admitted.length, held.length]).toEqual([20, 30]);
    expect(await guard.used(limits, '2026-11')).toEqual({
      usedNanoUsd: 20 * 300_000,
      usedTokens: 20 * 2_000,
    });
    expect(await rawItem('budget-co#t#budget#2026-11#s0', 'counter')).toMatchObject({
      usedNanoUsd: 1_500_000,
    });
  });

  it.each([1, 4, 16])(
    'lets 50 concurrent callers spend at least 99 percent of the budget over %i shard(s), never more, and 402 only once it is spent',
    async (shards) => {
      const guard = new BudgetGuard(tableFor(`spend-${shards}`, 'alice'), {
        prices: DEFAULT_PRICES,
        now: () => new Date('2026-11-22T00:00:00Z'),
      });
      const limits = { monthlyUsd: 0.1, monthlyTokens: 1_000_000_000, shards };
      // Up to 10,000 output tokens may be asked for; each call uses 2,000 (about $0.0005 of $0.10).
      const estimate = { modelId: 'amazon.nova-lite-v1:0', inputTokens: 100, maxOutputTokens: 10_000 };
      const budgetNano = 100_000_000;
      let heldAnswers = 0;
      const spentWhenRefused: number[] = [];

      const caller = async () => {
        for (;;) {
          try {
            const reservation = await guard.reserve(limits, estimate);
            const outputTokens = Math.min(2_000, reservation.maxOutputTokens);
            await guard.settle(reservation, { modelId: reservation.modelId, inputTokens: 100, outputTokens });
          } catch (err) {
            if (err instanceof BudgetHeldError) {
              heldAnswers += 1;
              await new Promise((resolve) => setTimeout(resolve, 5));
              continue;
            }
            if (!(err instanceof BudgetExceededError)) throw err;
            spentWhenRefused.push((await guard.used(limits, '2026-11')).usedNanoUsd);
            return;
          }
        }
      };
      await Promise.all(Array.from({ length: 50 }, caller));

      const spent = (await guard.used(limits, '2026-11')).usedNanoUsd;
      console.info(
        `budget over ${shards} shard(s): ${((100 * spent) / budgetNano).toFixed(2)} % spent, ${heldAnswers} held answers`,
      );
      expect(spent).toBeLessThanOrEqual(budgetNano);
      expect(spent).toBeGreaterThanOrEqual(0.99 * budgetNano);
      expect(spentWhenRefused).toHaveLength(50);
      // A 402 means spent: even the first refusal saw at least 99 % used.
      expect(Math.min(...spentWhenRefused)).toBeGreaterThanOrEqual(0.99 * budgetNano);
    },
  );

  it('settles a reservation exactly once', async () => {
    const guard = new BudgetGuard(tableFor('settle-co', 'alice'), {
      prices: DEFAULT_PRICES,
      now: () => new Date('2026-11-22T00:00:00Z'),
    });
    const limits = { monthlyUsd: 1, monthlyTokens: 1_000_000, shards: 1 };
    const reservation = await guard.reserve(limits, {
      modelId: 'amazon.nova-lite-v1:0',
      inputTokens: 1_000,
      maxOutputTokens: 1_000,
    });
    const actual = { modelId: 'amazon.nova-lite-v1:0', inputTokens: 500, outputTokens: 50 };

    const settled = [await guard.settle(reservation, actual), await guard.settle(reservation, actual)];

    expect(settled).toEqual([true, false]);
    expect(await guard.used(limits, '2026-11')).toEqual({
      usedNanoUsd: 500 * 60 + 50 * 240,
      usedTokens: 550,
    });
  });

  it('settles 30 concurrent calls through their metering transactions: actual usage charged, nothing held', async () => {
    const now = () => new Date('2026-11-22T00:00:00Z');
    const table = tableFor('flow-co', 'alice');
    const guard = new BudgetGuard(table, { prices: DEFAULT_PRICES, now });
    const metering = new Metering(table, { prices: DEFAULT_PRICES, now });
    const limits = { monthlyUsd: 1, monthlyTokens: 100_000_000, shards: 2 };

    const outcomes = await Promise.all(
      Array.from({ length: 30 }, async (_, index) => {
        const reservation = await guard.reserve(limits, {
          modelId: 'amazon.nova-lite-v1:0',
          inputTokens: 1_000,
          maxOutputTokens: 1_000,
        });
        const call = {
          requestId: `req-${index}`,
          callIndex: 0,
          modelId: 'amazon.nova-lite-v1:0',
          inputTokens: 100,
          outputTokens: 10,
          latencyMs: 5,
        };
        return metering.meterCall(contextFor('flow-co', 'alice', call.requestId), call, [
          guard.settlement(reservation, call),
        ]);
      }),
    );

    expect(outcomes.every((outcome) => outcome === 'recorded')).toBe(true);
    expect(await guard.used(limits, '2026-11')).toEqual({
      usedNanoUsd: 30 * (100 * 60 + 10 * 240),
      usedTokens: 30 * 110,
    });
    const counters = await Promise.all(
      [0, 1].map((shard) => rawItem(`flow-co#t#budget#2026-11#s${shard}`, 'counter')),
    );
    expect(counters.map((counter) => Number(counter?.heldNanoUsd ?? 0))).toEqual([0, 0]);
    expect((await readTenantCosts(table, '2026-11', DEFAULT_PRICES.version)).totals).toMatchObject({
      calls: 30,
      inputTokens: 3_000,
    });
  });

  it('meters a call once however often it is written, and another user of the tenant reads the costs back', async () => {
    const context = contextFor('meter-co', 'alice', 'req-1');
    const metering = new Metering(tableFor('meter-co', 'alice'), {
      prices: DEFAULT_PRICES,
      now: () => new Date('2026-11-22T00:00:00Z'),
    });
    const call = {
      requestId: 'req-1',
      callIndex: 0,
      modelId: 'amazon.nova-lite-v1:0',
      inputTokens: 1_000,
      outputTokens: 500,
      latencyMs: 12,
    };

    const outcomes = await Promise.all([
      metering.meterCall(context, call),
      metering.meterCall(context, call),
    ]);
    await metering.meterCall(context, { ...call, requestId: 'req-2' });

    expect(outcomes.sort()).toEqual(['duplicate', 'recorded']);
    expect(await rawItem('meter-co#u#alice#usage-records', 'call#req-1#0')).toMatchObject({
      priceVersion: '2026-11',
      costNanoUsd: 180_000,
    });
    const sums = { inputTokens: 2_000, outputTokens: 1_000, calls: 2, costUsd: 0.00036 };
    expect(await readTenantCosts(tableFor('meter-co', 'bob'), '2026-11', DEFAULT_PRICES.version)).toEqual({
      month: '2026-11',
      priceVersion: '2026-11',
      totals: sums,
      byModel: [{ modelId: 'amazon.nova-lite-v1:0', ...sums }],
      byUser: [{ userId: 'alice', ...sums }],
      byDay: [{ date: '2026-11-22', ...sums }],
    });
  });

  it('admits concurrent requests up to the limit with one conditional UpdateItem per scope, leaving no count for the refused', async () => {
    const now = Date.parse('2026-11-22T10:00:35Z');
    const limits = admissionLimits({ userPerMinute: 3 });
    const alice = new RequestAdmission(tableFor('rate-co', 'alice'), { now: () => now });

    const results = await Promise.allSettled(Array.from({ length: 10 }, () => alice.admit(limits, 29_000)));

    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(3);
    expect(results.find((result) => result.status === 'rejected')).toMatchObject({
      reason: expect.any(RateLimitedError),
    });
    // Slot of the current 10-s bucket: (what it counted) − limit; the tenant's refusals were taken back.
    const slot = `q${Math.floor(now / 10_000) % 13}`;
    const userItem = await rawItem('rate-co#u#alice#rate', 'admission');
    const tenantItem = await rawItem('rate-co#t#rate#s0', 'admission');
    expect(userItem?.[slot]).toBe(3 - limits.userPerMinute);
    expect(tenantItem?.[slot]).toBe(3 - limits.tenantPerMinute);
    expect(userItem?.expiresAt).toBe(Math.floor(now / 1000) + 3600);
  });

  it('names an in-flight and a token refusal from the item DynamoDB returns with the failed condition', async () => {
    const now = Date.parse('2026-11-22T10:00:35Z');
    const limits = admissionLimits({ tenantTokensPerMinute: 1_000, tenantInFlight: 2 });
    const admission = (userId: string) =>
      new RequestAdmission(tableFor('rate-flight', userId), { now: () => now });
    const first = await admission('alice').admit(limits, 29_000);
    await admission('bob').admit(limits, 29_000);

    const inFlightRefusal = await admission('carol')
      .admit(limits, 29_000)
      .catch((err: unknown) => err);
    await first.countTokens(1_500, { last: true });
    const tokenRefusal = await admission('carol')
      .admit(limits, 29_000)
      .catch((err: unknown) => err);

    expect(inFlightRefusal).toBeInstanceOf(InFlightLimitedError);
    expect(tokenRefusal).toBeInstanceOf(TokenRateLimitedError);
    expect(tokenRefusal).toMatchObject({ scope: 'tenant', retryAfterSeconds: 55 });
  });

  it('refuses the user’s next request in the minute with RateLimitedError from DynamoDB’s own condition', async () => {
    let now = Date.parse('2026-11-22T10:00:55Z');
    const limits = admissionLimits({ userPerMinute: 2 });
    const alice = new RequestAdmission(tableFor('rate-edge', 'alice'), { now: () => now });
    await alice.admit(limits, 29_000);
    await alice.admit(limits, 29_000);

    now = Date.parse('2026-11-22T10:01:05Z');
    const acrossTheEdge = await alice.admit(limits, 29_000).catch((err: unknown) => err);
    now = Date.parse('2026-11-22T10:01:50Z');
    await alice.admit(limits, 29_000);

    expect(acrossTheEdge).toBeInstanceOf(RateLimitedError);
    // The two requests of 10:00:55 leave the window at 10:01:50.
    expect(acrossTheEdge).toMatchObject({ scope: 'user', retryAfterSeconds: 45 });
  });

  it('keeps one audit chain under concurrent appends and detects a record changed in the table', async () => {
    // Random chains: 8 appends land on several; the forged record is the third on chain 0.
    const trail = new AuditTrail(tableFor('audit-co', 'alice'), asItself, { random: () => 0 });
    const event = {
      kind: 'data_write',
      action: 'documents.upload',
      resource: 'document/d1',
      outcome: 'succeeded',
    } as const;

    await Promise.all(
      Array.from({ length: 8 }, (_, index) =>
        trail.append(contextFor('audit-co', 'alice', `r${index}`), event),
      ),
    );
    const intact = await verifyWithoutDigests(trail);
    const stored = await rawItem('audit-co#a#audit#s0', 'e#000000000003');
    await client.send(
      new PutItemCommand({ TableName: TABLE, Item: marshall({ ...stored, resource: 'document/other' }) }),
    );

    expect(intact).toEqual({ ok: true, records: 8, digests: 0, unsignedRecords: 8 });
    expect(await verifyWithoutDigests(trail)).toMatchObject({
      ok: false,
      problem: 'changed',
      expectedSeq: 3,
      chain: 0,
    });
  });

  it('refuses to write the key attributes through a counter or a put', async () => {
    const table = tableFor('keys-co', 'alice');
    const address = { visibility: 'tenant', collection: 'usage', sk: 'x' } as const;

    await expect(table.addWithin({ address, add: { pk: 1 } })).rejects.toThrow(ScopedKeyError);
    await expect(
      table.transactWrite([{ kind: 'put', address, attributes: { sk: 'other' } }]),
    ).rejects.toThrow(ScopedKeyError);
  });
});

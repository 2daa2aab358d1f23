import { describe, expect, it } from 'vitest';
import { UnknownModelPriceError } from '../../../lambdas/metering/errors.js';
import { type MeteredCall, Metering, usageShardOf } from '../../../lambdas/metering/metering.js';
import {
  costNanoUsd,
  nanoToUsd,
  PRICES_2026_11,
  type PriceTable,
  priceOf,
} from '../../../lambdas/metering/price-table.js';
import {
  tenantUsageAddress,
  USAGE_BREAKDOWN_SHARDS,
  usageBreakdownAddress,
  usageRecordAddress,
  userUsageAddress,
} from '../../../lambdas/metering/usage-keys.js';
import { capturingLogger, contextFor, recordingSleep } from './support/contexts.js';
import { MemoryGuardrailTable, throttled } from './support/memory-guardrail-table.js';

const NOW = new Date('2026-11-22T10:00:00Z');
const context = contextFor('acme', 'alice', 'req-42');

const call: MeteredCall = {
  requestId: 'req-42',
  callIndex: 0,
  modelId: 'amazon.nova-lite-v1:0',
  inputTokens: 1_000,
  outputTokens: 500,
  latencyMs: 830,
};

/** The tenant-shared breakdown items one call of `call.requestId` adds to. */
function breakdownItems(table: MemoryGuardrailTable, month: string, userId = 'alice') {
  const shard = usageShardOf(call.requestId, USAGE_BREAKDOWN_SHARDS);
  return {
    user: table.itemAt(usageBreakdownAddress('user', month, shard, userId)),
    model: table.itemAt(usageBreakdownAddress('model', month, shard, call.modelId)),
    day: table.itemAt(usageBreakdownAddress('day', month, shard, '2026-11-22')),
  };
}

function setup() {
  const table = new MemoryGuardrailTable({ tenantId: 'acme', userId: 'alice' });
  const logger = capturingLogger();
  const sleep = recordingSleep();
  const metering = new Metering(table, { logger, sleep, random: () => 0.5, now: () => NOW });
  return { table, logger, sleep, metering };
}

describe('price table', () => {
  it('prices a call in integer nano-USD from the per-1k prices', () => {
    // 1000 × $0.00006/1k + 500 × $0.00024/1k = $0.00006 + $0.00012
    expect(costNanoUsd(PRICES_2026_11, 'amazon.nova-lite-v1:0', call)).toBe(180_000);
    expect(nanoToUsd(180_000)).toBeCloseTo(0.00018, 12);
  });

  it('rounds each direction up, so a single token is never free', () => {
    expect(costNanoUsd(PRICES_2026_11, 'amazon.nova-micro-v1:0', { inputTokens: 1, outputTokens: 1 })).toBe(
      35 + 140,
    );
  });

  it('prices a cross-Region inference profile as its base model', () => {
    expect(priceOf(PRICES_2026_11, 'us.amazon.nova-lite-v1:0')).toEqual(
      PRICES_2026_11.models['amazon.nova-lite-v1:0'],
    );
  });

  it('refuses a model it has no price for', () => {
    expect(() => costNanoUsd(PRICES_2026_11, 'anthropic.unknown', call)).toThrow(UnknownModelPriceError);
  });
});

describe('Metering', () => {
  it('writes the usage record with its price version and adds to both aggregates', async () => {
    const { table, metering } = setup();

    const outcome = await metering.meterCall(context, call);

    expect(outcome).toBe('recorded');
    expect(table.itemAt(usageRecordAddress('req-42', 0))).toMatchObject({
      pk: 'acme#u#alice#usage-records',
      sk: 'call#req-42#0',
      modelId: 'amazon.nova-lite-v1:0',
      inputTokens: 1_000,
      outputTokens: 500,
      latencyMs: 830,
      costNanoUsd: 180_000,
      priceVersion: '2026-11',
      month: '2026-11',
    });
    expect(table.itemAt(userUsageAddress('2026-11'))).toMatchObject({
      pk: 'acme#u#alice#usage',
      sk: 'month#2026-11',
      inputTokens: 1_000,
      outputTokens: 500,
      costNanoUsd: 180_000,
      calls: 1,
      requests: 1,
    });
    expect(table.itemAt(tenantUsageAddress('2026-11', usageShardOf('req-42')))).toMatchObject({
      inputTokens: 1_000,
      outputTokens: 500,
      costNanoUsd: 180_000,
      calls: 1,
    });
  });

  it('adds the call to tenant-shared breakdowns by user, model and day in the same transaction', async () => {
    const { table, metering } = setup();

    await metering.meterCall(context, call);

    const counters = { inputTokens: 1_000, outputTokens: 500, calls: 1, costNanoUsd: 180_000 };
    const shard = usageShardOf('req-42', USAGE_BREAKDOWN_SHARDS);
    expect(breakdownItems(table, '2026-11')).toEqual({
      user: { pk: `acme#t#usage-by-user#2026-11#s${shard}`, sk: 'alice', ...counters },
      model: { pk: `acme#t#usage-by-model#2026-11#s${shard}`, sk: 'amazon.nova-lite-v1:0', ...counters },
      day: { pk: `acme#t#usage-by-day#2026-11#s${shard}`, sk: '2026-11-22', ...counters },
    });
    expect(table.transactions).toBe(1);
  });

  it('records the version of the price table it was given', async () => {
    const table = new MemoryGuardrailTable({ tenantId: 'acme', userId: 'alice' });
    const prices: PriceTable = {
      version: '2027-01',
      models: { 'amazon.nova-lite-v1:0': { inputPer1kUsd: 0.001, outputPer1kUsd: 0.002 } },
    };

    await new Metering(table, { prices, now: () => NOW }).meterCall(context, call);

    expect(table.itemAt(usageRecordAddress('req-42', 0))).toMatchObject({
      priceVersion: '2027-01',
      costNanoUsd: 2_000_000,
    });
  });

  it('counts a call once when the same call is metered again', async () => {
    const { table, metering } = setup();

    const outcomes = [await metering.meterCall(context, call), await metering.meterCall(context, call)];

    expect(outcomes).toEqual(['recorded', 'duplicate']);
    expect(table.itemAt(userUsageAddress('2026-11'))).toMatchObject({ calls: 1, inputTokens: 1_000 });
    for (const item of Object.values(breakdownItems(table, '2026-11')))
      expect(item).toMatchObject({ calls: 1, inputTokens: 1_000 });
  });

  it('counts a call once when a write committed but reported a failure and was retried', async () => {
    const { table, metering, sleep } = setup();
    table.failTransactions(1, throttled(), true);

    const outcome = await metering.meterCall(context, call);

    expect(outcome).toBe('duplicate');
    expect(sleep.delays).toHaveLength(1);
    expect(table.itemAt(userUsageAddress('2026-11'))).toMatchObject({ calls: 1, costNanoUsd: 180_000 });
    for (const item of Object.values(breakdownItems(table, '2026-11')))
      expect(item).toMatchObject({ calls: 1, costNanoUsd: 180_000 });
  });

  it('counts a connector call once in the caller’s and the tenant’s month, however often it is metered', async () => {
    const { table, metering } = setup();
    const connectorCall = { requestId: 'req-42', callIndex: 0, connector: 'tracker', latencyMs: 40 };

    const outcomes = [
      await metering.meterConnectorCall(context, connectorCall),
      await metering.meterConnectorCall(context, connectorCall),
      await metering.meterConnectorCall(context, { ...connectorCall, callIndex: 1 }),
    ];

    expect(outcomes).toEqual(['recorded', 'duplicate', 'recorded']);
    expect(table.itemAt(userUsageAddress('2026-11'))).toMatchObject({ connectorCalls: 2 });
    expect(table.itemAt(tenantUsageAddress('2026-11', usageShardOf('req-42')))).toMatchObject({
      connectorCalls: 2,
    });
    // A model call of the same request and index is its own record.
    expect(await metering.meterCall(context, call)).toBe('recorded');
  });

  it('counts separate calls of one request separately, and the request once', async () => {
    const { table, metering } = setup();

    await metering.meterCall(context, call);
    await metering.meterCall(context, { ...call, callIndex: 1 });

    expect(table.itemAt(userUsageAddress('2026-11'))).toMatchObject({
      calls: 2,
      requests: 1,
      inputTokens: 2_000,
    });
  });

  it('retries a failed write a bounded number of times, then logs with the tenant tag and fails open', async () => {
    const { table, metering, logger, sleep } = setup();
    table.failTransactions(3, throttled());

    const outcome = await metering.meterCall(context, call);

    expect(outcome).toBe('failed');
    expect(table.transactions).toBe(3);
    expect(sleep.delays).toHaveLength(2);
    const failure = logger.lines.find((line) => line.level === 'error');
    expect(failure).toMatchObject({
      message: 'metering failed',
      fields: { tenantTag: context.tenantTag, errorName: 'ThrottlingException' },
    });
    expect(JSON.stringify(logger.lines)).not.toMatch(/acme|alice/);
  });

  it('recovers when a retry succeeds', async () => {
    const { table, metering } = setup();
    table.failTransactions(2, throttled());

    expect(await metering.meterCall(context, call)).toBe('recorded');
    expect(table.itemAt(userUsageAddress('2026-11'))).toMatchObject({ calls: 1 });
  });

  it('fails open for a model without a price, without writing', async () => {
    const { table, metering, logger } = setup();

    const outcome = await metering.meterCall(context, { ...call, modelId: 'unknown.model' });

    expect(outcome).toBe('failed');
    expect(table.transactions).toBe(0);
    expect(logger.lines[0]?.fields).toMatchObject({ errorName: 'UnknownModelPriceError' });
  });
});

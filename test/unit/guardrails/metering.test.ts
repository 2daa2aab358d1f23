import { describe, expect, it } from 'vitest';
import type { GuardedWrite } from '../../../lambdas/guardrails/guardrail-table.js';
import { UnknownModelPriceError } from '../../../lambdas/metering/errors.js';
import { type MeteredCall, Metering } from '../../../lambdas/metering/metering.js';
import { costNanoUsd, nanoToUsd, type PriceTable, priceOf } from '../../../lambdas/metering/price-table.js';
import { readTenantCosts } from '../../../lambdas/metering/tenant-costs.js';
import { userMonthCells } from '../../../lambdas/metering/usage-cells.js';
import { usageCellAddress, usageRecordAddress } from '../../../lambdas/metering/usage-keys.js';
import { DEFAULT_PRICES } from '../../support/model-catalog.js';
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

/** The usage cell `call` adds to: alice's Nova Lite usage on 2026-11-22. */
const CELL = usageCellAddress('alice', '2026-11-22', { modelId: call.modelId });

/** A write another module joins to the metering transaction (the budget's settlement). */
const JOINED: GuardedWrite = {
  kind: 'add',
  address: { visibility: 'tenant', collection: 'budget', segments: ['2026-11', 's0'], sk: 'counter' },
  add: { settled: 1 },
};

function setup() {
  const table = new MemoryGuardrailTable({ tenantId: 'acme', userId: 'alice' });
  const logger = capturingLogger();
  const sleep = recordingSleep();
  let writes = 0;
  const metering = new Metering(table, {
    prices: DEFAULT_PRICES,
    logger,
    sleep,
    random: () => 0.5,
    now: () => NOW,
    newWriteId: () => `w${++writes}`,
  });
  return { table, logger, sleep, metering };
}

describe('price table', () => {
  it('prices a call in integer nano-USD from the per-1k prices', () => {
    // 1000 × $0.00006/1k + 500 × $0.00024/1k = $0.00006 + $0.00012
    expect(costNanoUsd(DEFAULT_PRICES, 'amazon.nova-lite-v1:0', call)).toBe(180_000);
    expect(nanoToUsd(180_000)).toBeCloseTo(0.00018, 12);
  });

  it('rounds each direction up, so a single token is never free', () => {
    expect(costNanoUsd(DEFAULT_PRICES, 'amazon.nova-micro-v1:0', { inputTokens: 1, outputTokens: 1 })).toBe(
      35 + 140,
    );
  });

  it('prices a cross-Region inference profile as its base model', () => {
    expect(priceOf(DEFAULT_PRICES, 'us.amazon.nova-lite-v1:0')).toEqual(
      DEFAULT_PRICES.models['amazon.nova-lite-v1:0'],
    );
  });

  it('refuses a model it has no price for', () => {
    expect(() => costNanoUsd(DEFAULT_PRICES, 'anthropic.unknown', call)).toThrow(UnknownModelPriceError);
  });
});

describe('Metering', () => {
  it('writes the usage record with its price version and adds the call to its usage cell', async () => {
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
    expect(table.itemAt(CELL)).toEqual({
      pk: expect.stringMatching(/^acme#t#usage-cells#2026-11#s[0-7]$/),
      sk: 'alice#2026-11-22#model#amazon.nova-lite-v1:0',
      inputTokens: 1_000,
      outputTokens: 500,
      costNanoUsd: 180_000,
      calls: 1,
      requests: 1,
      priceVersion: '2026-11',
    });
  });

  it('writes record, cell and the joined writes in one transaction of three items', async () => {
    const { table, metering } = setup();

    await metering.meterCall(context, call, [JOINED]);

    expect(table.transactions).toBe(1);
    expect(table.itemAt(JOINED.address)).toMatchObject({ settled: 1 });
  });

  it('sums a user’s cells into the month, one query', async () => {
    const { table, metering } = setup();
    await metering.meterCall(context, call);
    await metering.meterCall(context, { ...call, callIndex: 1, modelId: 'amazon.nova-micro-v1:0' });

    const cells = await userMonthCells(table, 'alice', '2026-11');

    expect(cells.map(({ modelId, counters }) => [modelId, counters.calls, counters.requests])).toEqual([
      ['amazon.nova-lite-v1:0', 1, 1],
      ['amazon.nova-micro-v1:0', 1, 0],
    ]);
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

  it('counts a call once, and applies its joined writes once, when the same call is metered again', async () => {
    const { table, metering } = setup();

    const outcomes = [
      await metering.meterCall(context, call, [JOINED]),
      await metering.meterCall(context, call, [JOINED]),
    ];

    expect(outcomes).toEqual(['recorded', 'duplicate']);
    expect(table.itemAt(CELL)).toMatchObject({ calls: 1, inputTokens: 1_000 });
    expect(table.itemAt(JOINED.address)).toMatchObject({ settled: 1 });
  });

  it('reports its own write as recorded when it committed but reported a failure and was retried', async () => {
    const { table, metering, sleep } = setup();
    table.failTransactions(1, throttled(), true);

    const outcome = await metering.meterCall(context, call, [JOINED]);

    expect(outcome).toBe('recorded');
    expect(sleep.delays).toHaveLength(1);
    expect(table.itemAt(CELL)).toMatchObject({ calls: 1, costNanoUsd: 180_000 });
    expect(table.itemAt(JOINED.address)).toMatchObject({ settled: 1 });
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
    expect(table.itemAt(usageCellAddress('alice', '2026-11-22', 'connectors'))).toMatchObject({
      connectorCalls: 2,
    });
    // A model call of the same request and index is its own record.
    expect(await metering.meterCall(context, call)).toBe('recorded');
  });

  it('keeps connector calls out of the tenant’s model costs and in the caller’s month', async () => {
    const { table, metering } = setup();
    await metering.meterCall(context, call);
    await metering.meterConnectorCall(context, {
      requestId: 'req-42',
      callIndex: 1,
      connector: 'tracker',
      latencyMs: 40,
    });

    const costs = await readTenantCosts(table, '2026-11', DEFAULT_PRICES.version);
    const cells = await userMonthCells(table, 'alice', '2026-11');

    expect(costs.totals).toEqual({ costUsd: 0.00018, inputTokens: 1_000, outputTokens: 500, calls: 1 });
    expect(costs.byModel.map((row) => row.modelId)).toEqual(['amazon.nova-lite-v1:0']);
    expect(cells.map((cell) => [cell.modelId, cell.counters.calls, cell.counters.connectorCalls])).toEqual([
      [undefined, 0, 1],
      ['amazon.nova-lite-v1:0', 1, 0],
    ]);
  });

  it('counts separate calls of one request separately, and the request once', async () => {
    const { table, metering } = setup();

    await metering.meterCall(context, call);
    await metering.meterCall(context, { ...call, callIndex: 1 });

    expect(table.itemAt(CELL)).toMatchObject({ calls: 2, requests: 1, inputTokens: 2_000 });
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
    expect(table.itemAt(CELL)).toMatchObject({ calls: 1 });
  });

  it('fails open for a model without a price, without writing', async () => {
    const { table, metering, logger } = setup();

    const outcome = await metering.meterCall(context, { ...call, modelId: 'unknown.model' });

    expect(outcome).toBe('failed');
    expect(table.transactions).toBe(0);
    expect(logger.lines[0]?.fields).toMatchObject({ errorName: 'UnknownModelPriceError' });
  });
});

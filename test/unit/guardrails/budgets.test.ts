import { describe, expect, it } from 'vitest';
import {
  BudgetGuard,
  budgetCounterAddress,
  type CallEstimate,
  estimateTokens,
  RECLAIM_AFTER_MS,
} from '../../../lambdas/admission/budget-guard.js';
import { BudgetExceededError, BudgetHeldError } from '../../../lambdas/admission/errors.js';
import {
  type BudgetLimits,
  budgetFor,
  shardAllowance,
  TIER_BUDGETS,
} from '../../../lambdas/admission/tier-limits.js';
import { TransactionConflictError } from '../../../lambdas/tenancy/errors.js';
import { DEFAULT_PRICES } from '../../support/model-catalog.js';
import { recordingSleep } from './support/contexts.js';
import { MemoryGuardrailTable } from './support/memory-guardrail-table.js';

const NOW = new Date('2026-11-22T10:00:00Z');
/** Nova Lite: 1000 × 60 + 1000 × 240 nano-USD = $0.0003 per reservation. */
const LITE_CALL: CallEstimate = {
  modelId: 'amazon.nova-lite-v1:0',
  inputTokens: 1_000,
  maxOutputTokens: 1_000,
};
const LITE_CALL_NANO = 300_000;
/** Nova Micro: 1000 × 35 + 1000 × 140. */
const MICRO_CALL_NANO = 175_000;

function limits(overrides: Partial<BudgetLimits> = {}): BudgetLimits {
  return { monthlyUsd: 0.006, monthlyTokens: 1_000_000_000, shards: 4, ...overrides };
}

function setup(random: () => number = Math.random) {
  const table = new MemoryGuardrailTable({ tenantId: 'acme', userId: 'alice' });
  let reservations = 0;
  const sleep = recordingSleep();
  const clock = { now: NOW };
  const guard = new BudgetGuard(table, {
    prices: DEFAULT_PRICES,
    now: () => clock.now,
    random,
    sleep,
    newReservationId: () => `r${++reservations}`,
  });
  return { table, guard, sleep, clock };
}

async function outcomes<T>(attempts: Array<Promise<T>>) {
  const settled = await Promise.allSettled(attempts);
  return {
    admitted: settled.filter((result) => result.status === 'fulfilled').length,
    held: settled.filter((result) => result.status === 'rejected' && result.reason instanceof BudgetHeldError)
      .length,
    refused: settled.filter(
      (result) => result.status === 'rejected' && result.reason instanceof BudgetExceededError,
    ).length,
  };
}

describe('tier budgets', () => {
  it("uses the tier's defaults, overridden by the tenant record's own amounts", () => {
    expect(budgetFor({ tier: 'basic' }, {})).toEqual(TIER_BUDGETS.basic);
    expect(budgetFor({ tier: 'premium', monthlyBudgetUsd: 12, monthlyTokenBudget: 3_000 }, {})).toMatchObject(
      {
        monthlyUsd: 12,
        monthlyTokens: 3_000,
        shards: TIER_BUDGETS.premium.shards,
      },
    );
  });

  it("takes the tier's fallback model from the catalogue, and none for a tier without one", () => {
    const fallbacks = { basic: 'amazon.nova-micro-v1:0' };

    expect(budgetFor({ tier: 'basic' }, fallbacks).fallbackModelId).toBe('amazon.nova-micro-v1:0');
    expect(budgetFor({ tier: 'enterprise' }, fallbacks)).not.toHaveProperty('fallbackModelId');
  });

  it('splits an allowance over shards so that the parts add up to the whole', () => {
    const parts = [0, 1, 2].map((shard) => shardAllowance(1_000, 3, shard));
    expect(parts).toEqual([334, 333, 333]);
    expect(parts.reduce((a, b) => a + b)).toBe(1_000);
  });

  it('estimates prompt tokens generously', () => {
    expect(estimateTokens(['a'.repeat(400)])).toBeGreaterThanOrEqual(100);
  });
});

describe('BudgetGuard', () => {
  it('reserves the maximum cost of a call on one shard with one counter update and no other item', async () => {
    const { table, guard } = setup(() => 0.6);

    const reservation = await guard.reserve(limits(), LITE_CALL);

    expect(reservation).toMatchObject({ month: '2026-11', shard: 2, modelId: 'amazon.nova-lite-v1:0' });
    expect(reservation.reservedNanoUsd).toBe(LITE_CALL_NANO);
    expect(table.itemAt(budgetCounterAddress('2026-11', 2))).toEqual({
      pk: 'acme#t#budget#2026-11#s2',
      sk: 'counter',
      usedNanoUsd: LITE_CALL_NANO,
      usedTokens: 2_000,
      heldNanoUsd: LITE_CALL_NANO,
      heldTokens: 2_000,
      lastReservedAt: NOW.toISOString(),
    });
    expect(table.transactions).toBe(0);
    expect(await guard.used(limits())).toEqual({ usedNanoUsd: LITE_CALL_NANO, usedTokens: 2_000 });
  });

  it('never admits more than the budget under 50 concurrent reservations, and says the rest is only held', async () => {
    const { guard } = setup();

    // $0.006 over 4 shards = 5 reservations of $0.0003 per shard, all in flight.
    const result = await outcomes(Array.from({ length: 50 }, () => guard.reserve(limits(), LITE_CALL)));

    expect(result).toEqual({ admitted: 20, held: 30, refused: 0 });
    expect((await guard.used(limits())).usedNanoUsd).toBe(20 * LITE_CALL_NANO);
  });

  it('falls back to other shards before refusing, whichever shard it starts on', async () => {
    const { guard } = setup(() => 0.99);

    const result = await outcomes(Array.from({ length: 21 }, () => guard.reserve(limits(), LITE_CALL)));

    expect(result).toEqual({ admitted: 20, held: 1, refused: 0 });
  });

  it('enforces the token budget as well as the money budget', async () => {
    const { guard } = setup();

    const result = await outcomes(
      Array.from({ length: 10 }, () =>
        guard.reserve(limits({ monthlyUsd: 1_000, monthlyTokens: 6_000, shards: 1 }), LITE_CALL),
      ),
    );

    expect(result).toEqual({ admitted: 3, held: 7, refused: 0 });
  });

  it('gives a settlement write that replaces the reservation by the actual cost when applied', async () => {
    const { table, guard } = setup();
    const reservation = await guard.reserve(limits({ shards: 1 }), LITE_CALL);

    await table.transactWrite([
      guard.settlement(reservation, { modelId: LITE_CALL.modelId, inputTokens: 800, outputTokens: 100 }),
    ]);

    expect(table.itemAt(budgetCounterAddress('2026-11', 0))).toMatchObject({
      usedNanoUsd: 800 * 60 + 100 * 240,
      usedTokens: 900,
      heldNanoUsd: 0,
      heldTokens: 0,
    });
  });

  it('settles a reservation alone exactly once, however often it is asked to', async () => {
    const { guard } = setup();
    const reservation = await guard.reserve(limits({ shards: 1 }), LITE_CALL);
    const actual = { modelId: 'amazon.nova-lite-v1:0', inputTokens: 800, outputTokens: 100 };

    const outcomes = [await guard.settle(reservation, actual), await guard.settle(reservation, actual)];

    expect(outcomes).toEqual([true, false]);
    expect(await guard.used(limits({ shards: 1 }))).toEqual({
      usedNanoUsd: 800 * 60 + 100 * 240,
      usedTokens: 900,
    });
  });

  it('frees the room a settlement gives back for the next reservations', async () => {
    const { guard } = setup();
    const tight = limits({ monthlyUsd: 0.0003, shards: 1 });
    const reservation = await guard.reserve(tight, LITE_CALL);
    await expect(guard.reserve(tight, LITE_CALL)).rejects.toThrow(BudgetHeldError);

    await guard.release(reservation);

    await expect(guard.reserve(tight, LITE_CALL)).resolves.toMatchObject({ shard: 0 });
  });

  it("falls back to the tier's cheaper model when the requested one does not fit", async () => {
    const { guard } = setup();
    const tight = limits({ monthlyUsd: 0.0002, shards: 1, fallbackModelId: 'amazon.nova-micro-v1:0' });

    const reservation = await guard.reserve(tight, LITE_CALL);

    expect(reservation).toMatchObject({
      modelId: 'amazon.nova-micro-v1:0',
      reservedNanoUsd: MICRO_CALL_NANO,
      maxOutputTokens: 1_000,
    });
    await expect(guard.reserve(tight, LITE_CALL)).rejects.toThrow(BudgetHeldError);
  });

  it('admits a shorter answer when the budget can no longer cover the full one', async () => {
    const { guard } = setup();
    const tight = limits({ monthlyUsd: 0.0002, shards: 1 });

    const reservation = await guard.reserve(tight, LITE_CALL);

    // $0.0002 − 1000 input tokens × 60 nano-USD leaves 583 output tokens at 240.
    expect(reservation).toMatchObject({ maxOutputTokens: 583, reservedNanoUsd: 60_000 + 583 * 240 });
    expect(reservation.reservedNanoUsd).toBeLessThanOrEqual(200_000);
  });

  it('refuses with BudgetExceededError only when the settled spend leaves no room for a minimal call', async () => {
    const { guard } = setup();
    const tight = limits({ monthlyUsd: 0.0002, shards: 1 });
    const reservation = await guard.reserve(tight, LITE_CALL);
    await guard.settle(reservation, { modelId: LITE_CALL.modelId, inputTokens: 1_000, outputTokens: 583 });

    await expect(guard.reserve(tight, LITE_CALL)).rejects.toThrow(BudgetExceededError);
    await expect(guard.reserve(limits({ monthlyUsd: 0.00005, shards: 1 }), LITE_CALL)).rejects.toThrow(
      BudgetExceededError,
    );
  });

  it('retries a reservation that met a concurrent transaction on its shard', async () => {
    const { table, guard, sleep } = setup(() => 0);
    table.failCounterUpdates(2, new TransactionConflictError());

    const reservation = await guard.reserve(limits({ shards: 1 }), LITE_CALL);

    expect(reservation.shard).toBe(0);
    expect(sleep.delays).toHaveLength(2);
    expect(await guard.used(limits({ shards: 1 }))).toMatchObject({ usedNanoUsd: LITE_CALL_NANO });
  });

  it('surfaces a conflict that outlasts its retries rather than reporting an exhausted budget', async () => {
    const { table, guard } = setup(() => 0);
    table.failCounterUpdates(4, new TransactionConflictError());

    await expect(guard.reserve(limits({ shards: 1 }), LITE_CALL)).rejects.toThrow(TransactionConflictError);
  });

  it('gives back what a crashed call held once its shard has been quiet longer than any call lives', async () => {
    const { guard, clock } = setup();
    const tight = limits({ monthlyUsd: 0.0003, shards: 1 });
    // A call reserves and crashes: it never settles.
    await guard.reserve(tight, LITE_CALL);
    clock.now = new Date(NOW.getTime() + RECLAIM_AFTER_MS + 1_000);

    const reservation = await guard.reserve(tight, LITE_CALL);

    expect(reservation.reservedNanoUsd).toBe(LITE_CALL_NANO);
    expect(await guard.used(tight)).toEqual({ usedNanoUsd: LITE_CALL_NANO, usedTokens: 2_000 });
  });

  it('keeps the shard as read when the give-back fails: the reservation gets its own answer, not the fault', async () => {
    const { guard, clock, table } = setup();
    const tight = limits({ monthlyUsd: 0.0003, shards: 1 });
    await guard.reserve(tight, LITE_CALL);
    clock.now = new Date(NOW.getTime() + RECLAIM_AFTER_MS + 1_000);
    table.failTransactions(1, Object.assign(new Error('throttled'), { name: 'ThrottlingException' }));

    await expect(guard.reserve(tight, LITE_CALL)).rejects.toThrow(BudgetHeldError);
    expect(await guard.used(tight)).toEqual({ usedNanoUsd: LITE_CALL_NANO, usedTokens: 2_000 });
  });

  it('gives nothing back while a call reserved on the shard could still be running', async () => {
    const { guard, clock } = setup();
    const tight = limits({ monthlyUsd: 0.0003, shards: 1 });
    await guard.reserve(tight, LITE_CALL);
    clock.now = new Date(NOW.getTime() + RECLAIM_AFTER_MS - 1_000);

    await expect(guard.reserve(tight, LITE_CALL)).rejects.toThrow(BudgetHeldError);
    expect(await guard.used(tight)).toEqual({ usedNanoUsd: LITE_CALL_NANO, usedTokens: 2_000 });
  });

  describe('after a tier change within the month (fewer shards)', () => {
    /** Spends $0.00054 on shard 3 of a 4-shard tier, then the tenant moves to a 1-shard tier. */
    async function downgraded() {
      const { guard } = setup(() => 0.99);
      const before = await guard.reserve(limits({ monthlyUsd: 0.0048, shards: 4 }), LITE_CALL);
      expect(before.shard).toBe(3);
      // 1000 × 60 + 2000 × 240: the answer was longer than reserved.
      await guard.settle(before, { modelId: LITE_CALL.modelId, inputTokens: 1_000, outputTokens: 2_000 });
      return { guard, after: limits({ monthlyUsd: 0.0006, shards: 1 }) };
    }

    it('counts what the shards beyond the new tier’s hold in what the month has used', async () => {
      const { guard, after } = await downgraded();
      expect(await guard.used(after)).toEqual({ usedNanoUsd: 540_000, usedTokens: 3_000 });
    });

    it('counts the shards beyond the new tier’s as settled spend: spent is 402, not “held, retry”', async () => {
      const { guard, after } = await downgraded();
      // Shard 0's whole allowance held by two calls in flight.
      await guard.reserve(after, LITE_CALL);
      await guard.reserve(after, LITE_CALL);

      // Once they settle the new tier's shard has room, but $0.00054 settled elsewhere leaves
      // none in the month's $0.0006 for a minimal call.
      await expect(guard.reserve(after, LITE_CALL)).rejects.toThrow(BudgetExceededError);
    });
  });
});

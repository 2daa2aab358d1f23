/**
 * Monthly budgets, enforced before each model call.
 *
 * Admission RESERVES the call's maximum cost (input estimate + maxTokens of
 * output, at the model's price) and its maximum tokens; settlement replaces
 * the reservation by the actual usage. Counters are split over N shards per
 * tenant-month (separate partitions), so a busy tenant spreads its writes.
 *
 * Correctness with shards: each shard has a fixed allowance of budget/N (the
 * remainder goes to the first shards, so allowances sum to the budget
 * exactly), and a reservation is one conditional ADD that fails if it would
 * take its shard past the allowance. The sum of all shards therefore can
 * never pass the budget, however many callers race — with no cross-shard
 * read-then-write. A refused shard is not the end: the reservation tries the
 * other shards, fullest-room first, and when no shard can take the call's full
 * maximum it reserves a SMALLER maximum — fewer output tokens, which the
 * model call then uses — from the shard with the most room. So allowance is
 * never stranded in other shards: a tenant can spend its budget down to the
 * cost of a minimal call per shard (≥ 99 % under 50 concurrent callers, see
 * the tests), and concurrent Lambdas still can never overshoot.
 *
 * A refusal says why: when the room is only held by calls in flight (their
 * holds will settle to far less), it is BudgetHeldError — 429 with
 * Retry-After; only when the settled spend leaves no room for a minimal call
 * is it BudgetExceededError — 402.
 *
 * A reservation is that one conditional ADD — a single UpdateItem on an item
 * under 1 KB, 1 write unit — which also stamps the shard's `lastReservedAt`.
 * Settlement is a counter write (`actual − reserved` added to the used
 * amounts, the reservation taken off the held ones) that JOINS the call's
 * metering transaction (metering.ts): the call's usage record is put there on
 * condition that it is new, so the settlement applies exactly once with the
 * record, under any retry. One transaction per model call for budget and
 * metering. A reservation that cannot be settled with its record (a failed
 * call's release, or a request re-run with the same id whose record exists)
 * is settled alone, in a transaction with a `settled#<id>` marker that makes
 * it idempotent too.
 *
 * Reservations left by crashed calls: a call that dies between reserve and
 * settle leaves its maximum in the shard's held amounts. Every call lives
 * less than RECLAIM_AFTER_MS (Lambda's 15-minute maximum, and a margin), so a
 * shard whose last reservation is older than that has no call in flight:
 * whatever it still holds is leaked, and the next reservation that reads the
 * shard (the slow path, i.e. when the budget is tight — when it matters)
 * gives it back with a compare-and-swap. A shard that is never quiet keeps
 * its leaks until the month's counters roll over. Budgets fail safe: a leak
 * over-charges, never under-charges.
 */
import { randomUUID } from 'node:crypto';
import type { GuardedWrite, GuardrailTable } from '../guardrails/guardrail-table.js';
import { costNanoUsd, type PriceTable, usdToNano } from '../metering/price-table.js';
import { monthOf } from '../metering/usage-keys.js';
import {
  type BackoffPolicy,
  fullJitterDelay,
  type Random,
  realSleep,
  type Sleep,
} from '../resilience/backoff.js';
import { TransactionConflictError } from '../tenancy/errors.js';
import type { ItemAddress } from '../tenancy/scoped-table.js';
import { BudgetExceededError, BudgetHeldError } from './errors.js';
import { type BudgetLimits, MAX_BUDGET_SHARDS, shardAllowance } from './tier-limits.js';

/** The most a model call may use. */
export interface CallEstimate {
  readonly modelId: string;
  /** An upper estimate of the prompt's tokens (see estimateTokens). */
  readonly inputTokens: number;
  /** The call's `maxTokens`. */
  readonly maxOutputTokens: number;
}

export interface Reservation {
  readonly month: string;
  readonly shard: number;
  /** Names the reservation when it is settled alone (its `settled#<id>` marker). */
  readonly id: string;
  /** The model the budget admitted: the requested one, or the tier's cheaper fallback. */
  readonly modelId: string;
  readonly reservedNanoUsd: number;
  readonly reservedTokens: number;
  /** The output tokens the call may produce: the estimate's, or fewer when the budget is nearly spent. */
  readonly maxOutputTokens: number;
}

export interface ActualUsage {
  readonly modelId: string;
  readonly inputTokens: number;
  readonly outputTokens: number;
}

export interface BudgetUsage {
  readonly usedNanoUsd: number;
  readonly usedTokens: number;
}

export interface BudgetGuardOptions {
  /** The price table calls are reserved and settled with (the model catalogue's). */
  readonly prices: PriceTable;
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** Picks the first shard to try. @default Math.random */
  readonly random?: Random;
  /** @default randomUUID */
  readonly newReservationId?: () => string;
  /** Waits between retries of a transaction that met a concurrent one. @default setTimeout */
  readonly sleep?: Sleep;
}

/** A settled-alone marker outlives any retry of its settlement by far; the TTL clears it. */
const SETTLED_MARKER_TTL_SECONDS = 40 * 24 * 3600;
/** Longer than any call lives (Lambda's maximum timeout, 15 min, plus a margin for clock skew). */
export const RECLAIM_AFTER_MS = 20 * 60 * 1000;
/** Conservative: Nova and Titan average about four characters per token. */
const CHARACTERS_PER_TOKEN = 3;
const TOKENS_PER_MESSAGE_OVERHEAD = 16;
/** Transaction conflicts on a hot shard are retried a few times before the error surfaces. */
const CONFLICT_RETRIES = 3;
const CONFLICT_BACKOFF: BackoffPolicy = { baseDelayMs: 10, maxDelayMs: 100 };
/** The smallest answer worth reserving for: below it the budget is treated as spent. */
export const MIN_OUTPUT_TOKENS = 64;
/** How soon a caller refused because the budget is held by calls in flight should try again. */
export const BUDGET_HELD_RETRY_AFTER_SECONDS = 1;

/** One shard's counters as read: what is used (settled plus held) and what is held by open reservations. */
interface ShardState {
  readonly shard: number;
  /**
   * One of the current tier's shards. A tenant whose tier changed within the month may have spent
   * in shards beyond them: that spend counts, but no call is placed there.
   */
  readonly inTier: boolean;
  readonly roomNanoUsd: number;
  readonly roomTokens: number;
  readonly heldNanoUsd: number;
  readonly usedNanoUsd: number;
  readonly heldTokens: number;
  readonly usedTokens: number;
}

/** An upper estimate of the tokens of a prompt's texts. */
export function estimateTokens(texts: readonly string[]): number {
  return texts.reduce(
    (sum, text) => sum + Math.ceil(text.length / CHARACTERS_PER_TOKEN) + TOKENS_PER_MESSAGE_OVERHEAD,
    0,
  );
}

export const BUDGET_COLLECTION = 'budget';

export function budgetCounterAddress(month: string, shard: number): ItemAddress {
  return {
    visibility: 'tenant',
    collection: BUDGET_COLLECTION,
    segments: [month, `s${shard}`],
    sk: 'counter',
  };
}

/** A month's counters: the tier's `shards` and any a tier with more shards left (see MAX_BUDGET_SHARDS). */
function monthShardAddresses(month: string, shards: number): ItemAddress[] {
  return Array.from({ length: Math.max(shards, MAX_BUDGET_SHARDS) }, (_, shard) =>
    budgetCounterAddress(month, shard),
  );
}

function settledMarkerAddress(reservation: Pick<Reservation, 'month' | 'shard' | 'id'>): ItemAddress {
  return { ...budgetCounterAddress(reservation.month, reservation.shard), sk: `settled#${reservation.id}` };
}

export class BudgetGuard {
  readonly #prices: PriceTable;
  readonly #now: () => Date;
  readonly #random: Random;
  readonly #newReservationId: () => string;
  readonly #sleep: Sleep;

  constructor(
    private readonly table: Pick<GuardrailTable, 'addWithin' | 'transactWrite' | 'batchGet'>,
    options: BudgetGuardOptions,
  ) {
    this.#prices = options.prices;
    this.#now = options.now ?? (() => new Date());
    this.#random = options.random ?? Math.random;
    this.#newReservationId = options.newReservationId ?? randomUUID;
    this.#sleep = options.sleep ?? realSleep;
  }

  /**
   * Reserves a call's maximum cost (or a smaller maximum when that is all the
   * budget has left); falls back to the tier's cheaper model when the
   * requested one does not fit. Throws BudgetHeldError while calls in flight
   * hold the room, BudgetExceededError when the budget is spent.
   */
  async reserve(limits: BudgetLimits, estimate: CallEstimate): Promise<Reservation> {
    const month = monthOf(this.#now());
    const candidates = [...new Set([estimate.modelId, limits.fallbackModelId ?? estimate.modelId])];
    const shards = Math.max(1, Math.floor(limits.shards));
    // The common case: one conditional write on a random shard.
    const first = Math.floor(this.#random() * shards);
    for (const modelId of candidates) {
      const admitted = await this.#tryReserve(
        limits,
        month,
        first,
        modelId,
        estimate,
        estimate.maxOutputTokens,
      );
      if (admitted !== undefined) return admitted;
    }
    // That shard was full: read every shard once and place the call where there is room.
    const states = await this.#shardStates(limits, month);
    const placeable = states.filter((state) => state.inTier).sort((a, b) => b.roomNanoUsd - a.roomNanoUsd);
    const minOutput = Math.min(MIN_OUTPUT_TOKENS, estimate.maxOutputTokens);
    let contended = false;
    // A shorter answer from the cheaper model first: more answer for what is left.
    for (const modelId of [...candidates].reverse()) {
      for (const state of placeable) {
        const maxOutput = this.#affordableOutput(modelId, estimate, state);
        if (maxOutput < minOutput) break;
        const admitted = await this.#tryReserve(limits, month, state.shard, modelId, estimate, maxOutput);
        if (admitted !== undefined) return admitted;
        // The room this read saw was taken by a concurrent call since: not spent, only busy.
        contended = true;
      }
    }
    if (contended || this.#heldNotSpent(limits, estimate, candidates, states))
      throw new BudgetHeldError(BUDGET_HELD_RETRY_AFTER_SECONDS);
    throw new BudgetExceededError();
  }

  /** True when a minimal call would fit once the calls in flight settle: the budget is held, not spent. */
  #heldNotSpent(
    limits: BudgetLimits,
    estimate: CallEstimate,
    candidates: readonly string[],
    states: readonly ShardState[],
  ): boolean {
    const sum = (field: (state: ShardState) => number) =>
      states.reduce((total, state) => total + field(state), 0);
    // What a shard beyond the tier's holds gives no room back where calls are placed: count it as settled.
    const held = (amount: number, state: ShardState) => (state.inTier ? amount : 0);
    if (sum((state) => held(state.heldNanoUsd, state)) <= 0) return false;
    const minOutput = Math.min(MIN_OUTPUT_TOKENS, estimate.maxOutputTokens);
    const cheapest = Math.min(
      ...candidates.map((modelId) =>
        costNanoUsd(this.#prices, modelId, { inputTokens: estimate.inputTokens, outputTokens: minOutput }),
      ),
    );
    const settledNano = sum((state) => state.usedNanoUsd - held(state.heldNanoUsd, state));
    const settledTokens = sum((state) => state.usedTokens - held(state.heldTokens, state));
    return (
      settledNano + cheapest <= usdToNano(limits.monthlyUsd) &&
      settledTokens + estimate.inputTokens + minOutput <= limits.monthlyTokens
    );
  }

  /** The most output tokens a call of `modelId` can reserve in a shard's room (tokens and dollars). */
  #affordableOutput(modelId: string, estimate: CallEstimate, state: ShardState): number {
    const inputCost = costNanoUsd(this.#prices, modelId, {
      inputTokens: estimate.inputTokens,
      outputTokens: 0,
    });
    const perOutputToken =
      costNanoUsd(this.#prices, modelId, { inputTokens: 0, outputTokens: 1_000_000 }) / 1_000_000;
    const byCost =
      perOutputToken > 0
        ? Math.floor((state.roomNanoUsd - inputCost) / perOutputToken)
        : Number.MAX_SAFE_INTEGER;
    const byTokens = state.roomTokens - estimate.inputTokens;
    return Math.min(estimate.maxOutputTokens, byCost, byTokens);
  }

  /** One conditional reservation on one shard; undefined when the shard's allowance refused it. */
  async #tryReserve(
    limits: BudgetLimits,
    month: string,
    shard: number,
    modelId: string,
    estimate: CallEstimate,
    maxOutputTokens: number,
  ): Promise<Reservation | undefined> {
    const shards = Math.max(1, Math.floor(limits.shards));
    const now = this.#now();
    const reservation: Reservation = {
      month,
      shard,
      id: this.#newReservationId(),
      modelId,
      reservedNanoUsd: costNanoUsd(this.#prices, modelId, {
        inputTokens: estimate.inputTokens,
        outputTokens: maxOutputTokens,
      }),
      reservedTokens: estimate.inputTokens + maxOutputTokens,
      maxOutputTokens,
    };
    const admitted = await this.#retryingConflicts(() =>
      this.table.addWithin({
        address: budgetCounterAddress(month, shard),
        add: {
          usedNanoUsd: reservation.reservedNanoUsd,
          usedTokens: reservation.reservedTokens,
          heldNanoUsd: reservation.reservedNanoUsd,
          heldTokens: reservation.reservedTokens,
        },
        atMost: {
          usedNanoUsd: shardAllowance(usdToNano(limits.monthlyUsd), shards, shard),
          usedTokens: shardAllowance(limits.monthlyTokens, shards, shard),
        },
        set: { lastReservedAt: now.toISOString() },
      }),
    );
    return admitted === undefined ? undefined : reservation;
  }

  /**
   * Every shard's room and holds — the tier's and any beyond it — in one batch read; what quiet
   * shards still hold is reclaimed first.
   */
  async #shardStates(limits: BudgetLimits, month: string): Promise<ShardState[]> {
    const shards = Math.max(1, Math.floor(limits.shards));
    const addresses = monthShardAddresses(month, shards);
    const found = new Map(
      (await this.table.batchGet(addresses)).map((item) => [item.address, item.attributes]),
    );
    const budgetNano = usdToNano(limits.monthlyUsd);
    return Promise.all(
      addresses.map(async (address, shard) => {
        const attributes = await this.#reclaimed(address, found.get(address) ?? {});
        const usedNanoUsd = Number(attributes.usedNanoUsd ?? 0);
        const usedTokens = Number(attributes.usedTokens ?? 0);
        return {
          shard,
          inTier: shard < shards,
          usedNanoUsd,
          usedTokens,
          heldNanoUsd: Number(attributes.heldNanoUsd ?? 0),
          heldTokens: Number(attributes.heldTokens ?? 0),
          roomNanoUsd: shardAllowance(budgetNano, shards, shard) - usedNanoUsd,
          roomTokens: shardAllowance(limits.monthlyTokens, shards, shard) - usedTokens,
        };
      }),
    );
  }

  /**
   * A shard's counter with what crashed calls left held given back: when its last reservation is
   * older than any call lives, nothing it holds can still be settled. A compare-and-swap on the
   * values read, so a reservation that lands meanwhile keeps the swap from applying.
   */
  async #reclaimed(
    address: ItemAddress,
    attributes: Readonly<Record<string, unknown>>,
  ): Promise<Readonly<Record<string, unknown>>> {
    const held = { nano: Number(attributes.heldNanoUsd ?? 0), tokens: Number(attributes.heldTokens ?? 0) };
    const lastReservedAt = attributes.lastReservedAt;
    if ((held.nano <= 0 && held.tokens <= 0) || typeof lastReservedAt !== 'string') return attributes;
    if (this.#now().getTime() - Date.parse(lastReservedAt) < RECLAIM_AFTER_MS) return attributes;
    const reclaimed = {
      usedNanoUsd: Number(attributes.usedNanoUsd ?? 0) - held.nano,
      usedTokens: Number(attributes.usedTokens ?? 0) - held.tokens,
      heldNanoUsd: 0,
      heldTokens: 0,
    };
    const swapped = await this.table
      .transactWrite([
        {
          kind: 'swap',
          address,
          set: reclaimed,
          expect: {
            usedNanoUsd: Number(attributes.usedNanoUsd ?? 0),
            usedTokens: Number(attributes.usedTokens ?? 0),
            heldNanoUsd: held.nano,
            heldTokens: held.tokens,
            lastReservedAt,
          },
        },
      ])
      // Reclaiming is opportunistic: whatever stops it (a concurrent write — the shard is not quiet
      // after all — or a fault), the shard counts as read: over-charged until a later reclaim,
      // never under-charged, and the reservation asking is not failed by it.
      .catch(() => false);
    return swapped ? { ...attributes, ...reclaimed } : attributes;
  }

  /**
   * The write that replaces a reservation by what the call used: the caller joins it to the
   * call's metering transaction, which applies it exactly once (with the call's usage record).
   */
  settlement(reservation: Reservation, actual: ActualUsage): GuardedWrite {
    const actualNano = costNanoUsd(this.#prices, actual.modelId, actual);
    const actualTokens = actual.inputTokens + actual.outputTokens;
    return {
      kind: 'add',
      address: budgetCounterAddress(reservation.month, reservation.shard),
      add: {
        usedNanoUsd: actualNano - reservation.reservedNanoUsd,
        usedTokens: actualTokens - reservation.reservedTokens,
        heldNanoUsd: -reservation.reservedNanoUsd,
        heldTokens: -reservation.reservedTokens,
      },
    };
  }

  /**
   * Settles a reservation that no usage record settles (a re-run request whose record exists),
   * once: with a `settled#<id>` marker in the same transaction. False when it was already settled.
   */
  settle(reservation: Reservation, actual: ActualUsage): Promise<boolean> {
    const now = this.#now();
    return this.#retryingConflicts(() =>
      this.table.transactWrite([
        {
          kind: 'put',
          address: settledMarkerAddress(reservation),
          ifNotExists: true,
          attributes: {
            settledAt: now.toISOString(),
            expiresAt: Math.floor(now.getTime() / 1000) + SETTLED_MARKER_TTL_SECONDS,
          },
        },
        this.settlement(reservation, actual),
      ]),
    );
  }

  /** Returns a reservation whose call was never made; false when it was already settled. */
  release(reservation: Reservation): Promise<boolean> {
    return this.settle(reservation, { modelId: reservation.modelId, inputTokens: 0, outputTokens: 0 });
  }

  /** Runs a write again (a few times, with backoff) when it met a concurrent transaction on its item. */
  async #retryingConflicts<T>(write: () => Promise<T>): Promise<T> {
    for (let retry = 0; ; retry += 1) {
      try {
        return await write();
      } catch (err) {
        if (!(err instanceof TransactionConflictError) || retry >= CONFLICT_RETRIES) throw err;
        await this.#sleep(fullJitterDelay(retry, CONFLICT_BACKOFF, this.#random));
      }
    }
  }

  /**
   * What a month has used so far (settled usage plus open reservations), summed over every shard
   * it may have counters in (the tier's, and those of a tier the tenant had earlier in the month).
   */
  async used(limits: Pick<BudgetLimits, 'shards'>, month = monthOf(this.#now())): Promise<BudgetUsage> {
    const found = await this.table.batchGet(
      monthShardAddresses(month, Math.max(1, Math.floor(limits.shards))),
    );
    return found.reduce(
      (sum, { attributes }) => ({
        usedNanoUsd: sum.usedNanoUsd + Number(attributes.usedNanoUsd ?? 0),
        usedTokens: sum.usedTokens + Number(attributes.usedTokens ?? 0),
      }),
      { usedNanoUsd: 0, usedTokens: 0 },
    );
  }
}

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
 * Each reservation writes a hold item in the same transaction; settlement
 * deletes the hold (condition: it exists) and adds `actual − reserved` in one
 * transaction, so a retried settlement changes nothing. A hold left by a
 * crashed call keeps its maximum charged: budgets fail safe.
 */
import { randomUUID } from 'node:crypto';
import type { GuardedWrite, GuardrailTable } from '../guardrails/guardrail-table.js';
import { CURRENT_PRICES, costNanoUsd, type PriceTable, usdToNano } from '../metering/price-table.js';
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
import type { BudgetLimits } from './tier-limits.js';

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
  readonly holdId: string;
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
  /** @default CURRENT_PRICES */
  readonly prices?: PriceTable;
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** Picks the first shard to try. @default Math.random */
  readonly random?: Random;
  /** @default randomUUID */
  readonly newHoldId?: () => string;
  /** Waits between retries of a transaction that met a concurrent one. @default setTimeout */
  readonly sleep?: Sleep;
}

/** Holds outlive any call by far; the TTL only clears what a crash left behind. */
const HOLD_TTL_SECONDS = 40 * 24 * 3600;
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

/** Shard `index`'s part of `total`: equal parts, the remainder spread over the first shards. */
export function shardAllowance(total: number, shards: number, index: number): number {
  return Math.floor(total / shards) + (index < total % shards ? 1 : 0);
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

function holdAddress(reservation: Pick<Reservation, 'month' | 'shard' | 'holdId'>): ItemAddress {
  return { ...budgetCounterAddress(reservation.month, reservation.shard), sk: `hold#${reservation.holdId}` };
}

export class BudgetGuard {
  readonly #prices: PriceTable;
  readonly #now: () => Date;
  readonly #random: Random;
  readonly #newHoldId: () => string;
  readonly #sleep: Sleep;

  constructor(
    private readonly table: Pick<GuardrailTable, 'transactWrite' | 'batchGet'>,
    options: BudgetGuardOptions = {},
  ) {
    this.#prices = options.prices ?? CURRENT_PRICES;
    this.#now = options.now ?? (() => new Date());
    this.#random = options.random ?? Math.random;
    this.#newHoldId = options.newHoldId ?? randomUUID;
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
    const states = (await this.#shardStates(limits, month)).sort((a, b) => b.roomNanoUsd - a.roomNanoUsd);
    const minOutput = Math.min(MIN_OUTPUT_TOKENS, estimate.maxOutputTokens);
    let contended = false;
    // A shorter answer from the cheaper model first: more answer for what is left.
    for (const modelId of [...candidates].reverse()) {
      for (const state of states) {
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
    if (sum((state) => state.heldNanoUsd) <= 0) return false;
    const minOutput = Math.min(MIN_OUTPUT_TOKENS, estimate.maxOutputTokens);
    const cheapest = Math.min(
      ...candidates.map((modelId) =>
        costNanoUsd(this.#prices, modelId, { inputTokens: estimate.inputTokens, outputTokens: minOutput }),
      ),
    );
    const settledNano = sum((state) => state.usedNanoUsd - state.heldNanoUsd);
    const settledTokens = sum((state) => state.usedTokens - state.heldTokens);
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
      holdId: this.#newHoldId(),
      modelId,
      reservedNanoUsd: costNanoUsd(this.#prices, modelId, {
        inputTokens: estimate.inputTokens,
        outputTokens: maxOutputTokens,
      }),
      reservedTokens: estimate.inputTokens + maxOutputTokens,
      maxOutputTokens,
    };
    const admitted = await this.#transact([
      {
        kind: 'put',
        address: holdAddress(reservation),
        ifNotExists: true,
        attributes: {
          modelId,
          reservedNanoUsd: reservation.reservedNanoUsd,
          reservedTokens: reservation.reservedTokens,
          createdAt: now.toISOString(),
          expiresAt: Math.floor(now.getTime() / 1000) + HOLD_TTL_SECONDS,
        },
      },
      {
        kind: 'add',
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
      },
    ]);
    return admitted ? reservation : undefined;
  }

  /** Every shard's room and holds, in one batch read. */
  async #shardStates(limits: BudgetLimits, month: string): Promise<ShardState[]> {
    const shards = Math.max(1, Math.floor(limits.shards));
    const addresses = Array.from({ length: shards }, (_, shard) => budgetCounterAddress(month, shard));
    const found = new Map(
      (await this.table.batchGet(addresses)).map((item) => [item.address, item.attributes]),
    );
    const budgetNano = usdToNano(limits.monthlyUsd);
    return addresses.map((address, shard) => {
      const attributes = found.get(address) ?? {};
      const usedNanoUsd = Number(attributes.usedNanoUsd ?? 0);
      const usedTokens = Number(attributes.usedTokens ?? 0);
      return {
        shard,
        usedNanoUsd,
        usedTokens,
        heldNanoUsd: Number(attributes.heldNanoUsd ?? 0),
        heldTokens: Number(attributes.heldTokens ?? 0),
        roomNanoUsd: shardAllowance(budgetNano, shards, shard) - usedNanoUsd,
        roomTokens: shardAllowance(limits.monthlyTokens, shards, shard) - usedTokens,
      };
    });
  }

  /** Replaces a reservation by what the call used; false when it was already settled. */
  settle(reservation: Reservation, actual: ActualUsage): Promise<boolean> {
    const actualNano = costNanoUsd(this.#prices, actual.modelId, actual);
    const actualTokens = actual.inputTokens + actual.outputTokens;
    return this.#transact([
      { kind: 'delete', address: holdAddress(reservation), mustExist: true },
      {
        kind: 'add',
        address: budgetCounterAddress(reservation.month, reservation.shard),
        add: {
          usedNanoUsd: actualNano - reservation.reservedNanoUsd,
          usedTokens: actualTokens - reservation.reservedTokens,
          heldNanoUsd: -reservation.reservedNanoUsd,
          heldTokens: -reservation.reservedTokens,
        },
      },
    ]);
  }

  /** Returns a reservation whose call was never made; false when it was already settled. */
  release(reservation: Reservation): Promise<boolean> {
    return this.settle(reservation, { modelId: reservation.modelId, inputTokens: 0, outputTokens: 0 });
  }

  async #transact(writes: readonly GuardedWrite[]): Promise<boolean> {
    for (let retry = 0; ; retry += 1) {
      try {
        return await this.table.transactWrite(writes);
      } catch (err) {
        if (!(err instanceof TransactionConflictError) || retry >= CONFLICT_RETRIES) throw err;
        await this.#sleep(fullJitterDelay(retry, CONFLICT_BACKOFF, this.#random));
      }
    }
  }

  /** What a month has used so far (settled usage plus open reservations), summed over shards. */
  async used(limits: Pick<BudgetLimits, 'shards'>, month = monthOf(this.#now())): Promise<BudgetUsage> {
    const addresses = Array.from({ length: Math.max(1, limits.shards) }, (_, shard) =>
      budgetCounterAddress(month, shard),
    );
    const found = await this.table.batchGet(addresses);
    return found.reduce(
      (sum, { attributes }) => ({
        usedNanoUsd: sum.usedNanoUsd + Number(attributes.usedNanoUsd ?? 0),
        usedTokens: sum.usedTokens + Number(attributes.usedTokens ?? 0),
      }),
      { usedNanoUsd: 0, usedTokens: 0 },
    );
  }
}

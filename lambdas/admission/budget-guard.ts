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
 * other shards (random start, then in order) and only fails when none has room,
 * so at most one call's cost per shard is stranded as fragmentation.
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
import { BudgetExceededError } from './errors.js';
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

export function budgetCounterAddress(month: string, shard: number): ItemAddress {
  return { visibility: 'tenant', collection: 'budget', segments: [month, `s${shard}`], sk: 'counter' };
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
   * Reserves a call's maximum cost; falls back to the tier's cheaper model when
   * the requested one does not fit. Throws BudgetExceededError when nothing fits.
   */
  async reserve(limits: BudgetLimits, estimate: CallEstimate): Promise<Reservation> {
    const now = this.#now();
    const month = monthOf(now);
    const candidates = [...new Set([estimate.modelId, limits.fallbackModelId ?? estimate.modelId])];
    const budgetNano = usdToNano(limits.monthlyUsd);
    const shards = Math.max(1, Math.floor(limits.shards));
    const first = Math.floor(this.#random() * shards);
    for (const modelId of candidates) {
      const reservedTokens = estimate.inputTokens + estimate.maxOutputTokens;
      const reservedNanoUsd = costNanoUsd(this.#prices, modelId, {
        inputTokens: estimate.inputTokens,
        outputTokens: estimate.maxOutputTokens,
      });
      for (let offset = 0; offset < shards; offset += 1) {
        const shard = (first + offset) % shards;
        const reservation = {
          month,
          shard,
          holdId: this.#newHoldId(),
          modelId,
          reservedNanoUsd,
          reservedTokens,
        };
        const admitted = await this.#transact([
          {
            kind: 'put',
            address: holdAddress(reservation),
            ifNotExists: true,
            attributes: {
              modelId,
              reservedNanoUsd,
              reservedTokens,
              createdAt: now.toISOString(),
              expiresAt: Math.floor(now.getTime() / 1000) + HOLD_TTL_SECONDS,
            },
          },
          {
            kind: 'add',
            address: budgetCounterAddress(month, shard),
            add: { usedNanoUsd: reservedNanoUsd, usedTokens: reservedTokens },
            atMost: {
              usedNanoUsd: shardAllowance(budgetNano, shards, shard),
              usedTokens: shardAllowance(limits.monthlyTokens, shards, shard),
            },
          },
        ]);
        if (admitted) return reservation;
      }
    }
    throw new BudgetExceededError();
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

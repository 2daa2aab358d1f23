/**
 * Per-user and per-tenant request rate limits in fixed windows, counted in
 * the tenant's own partitions with a conditional ADD (refused when the count
 * would pass the limit) and a TTL attribute so old windows expire.
 *
 * The user's counter is checked first: a user at their limit is refused
 * without spending the tenant's allowance, so one noisy user cannot lock out
 * the rest of their tenant.
 */
import type { GuardrailTable } from '../guardrails/guardrail-table.js';
import type { ItemAddress } from '../tenancy/scoped-table.js';
import { RateLimitedError } from './errors.js';
import type { RateLimits } from './tier-limits.js';

export const DEFAULT_WINDOW_SECONDS = 60;
/** The rate counters' collection (tenant and private). */
export const RATE_COLLECTION = 'rate';
/** Counters stay readable for a while after their window (for diagnosis), then DynamoDB TTL removes them. */
const COUNTER_GRACE_SECONDS = 3600;

export interface RateLimiterOptions {
  /** @default DEFAULT_WINDOW_SECONDS */
  readonly windowSeconds?: number;
  /** @default Date.now */
  readonly now?: () => number;
}

/** A counter's window: `w` counts requests, `connector-w` connector calls. */
export function rateCounterAddress(
  scope: 'tenant' | 'user',
  windowStart: number,
  counter: 'w' | 'connector-w' = 'w',
): ItemAddress {
  return {
    visibility: scope === 'tenant' ? 'tenant' : 'private',
    collection: RATE_COLLECTION,
    sk: `${counter}#${windowStart}`,
  };
}

export class RateLimiter {
  readonly #windowSeconds: number;
  readonly #now: () => number;

  constructor(
    private readonly table: Pick<GuardrailTable, 'addWithin'>,
    options: RateLimiterOptions = {},
  ) {
    this.#windowSeconds = options.windowSeconds ?? DEFAULT_WINDOW_SECONDS;
    this.#now = options.now ?? Date.now;
  }

  /** Counts one request against the user's and the tenant's limits; throws RateLimitedError when over. */
  async admit(limits: RateLimits): Promise<void> {
    await this.#count('user', 'w', limits.userPerMinute);
    await this.#count('tenant', 'w', limits.tenantPerMinute);
  }

  /** Counts one connector call against the tenant's allowance; throws RateLimitedError when over. */
  async admitConnectorCall(perMinute: number): Promise<void> {
    await this.#count('tenant', 'connector-w', perMinute);
  }

  async #count(scope: 'tenant' | 'user', counter: 'w' | 'connector-w', perMinute: number): Promise<void> {
    const nowSeconds = this.#now() / 1000;
    const windowStart = Math.floor(nowSeconds / this.#windowSeconds) * this.#windowSeconds;
    const windowEnd = windowStart + this.#windowSeconds;
    const counted = await this.table.addWithin({
      address: rateCounterAddress(scope, windowStart, counter),
      add: { count: 1 },
      atMost: { count: this.#limitPerWindow(perMinute) },
      set: { expiresAt: windowEnd + COUNTER_GRACE_SECONDS },
    });
    if (counted === undefined)
      throw new RateLimitedError(scope, Math.max(1, Math.ceil(windowEnd - nowSeconds)));
  }

  #limitPerWindow(perMinute: number): number {
    return Math.floor((perMinute * this.#windowSeconds) / 60);
  }
}

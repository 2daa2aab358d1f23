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
/** Counters stay readable for a while after their window (for diagnosis), then DynamoDB TTL removes them. */
const COUNTER_GRACE_SECONDS = 3600;

export interface RateLimiterOptions {
  /** @default DEFAULT_WINDOW_SECONDS */
  readonly windowSeconds?: number;
  /** @default Date.now */
  readonly now?: () => number;
}

export function rateCounterAddress(scope: 'tenant' | 'user', windowStart: number): ItemAddress {
  return {
    visibility: scope === 'tenant' ? 'tenant' : 'private',
    collection: 'rate',
    sk: `w#${windowStart}`,
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
    const nowSeconds = this.#now() / 1000;
    const windowStart = Math.floor(nowSeconds / this.#windowSeconds) * this.#windowSeconds;
    const windowEnd = windowStart + this.#windowSeconds;
    const retryAfterSeconds = Math.max(1, Math.ceil(windowEnd - nowSeconds));
    const expiresAt = windowEnd + COUNTER_GRACE_SECONDS;
    for (const [scope, limit] of [
      ['user', limits.userPerMinute],
      ['tenant', limits.tenantPerMinute],
    ] as const) {
      const counted = await this.table.addWithin({
        address: rateCounterAddress(scope, windowStart),
        add: { count: 1 },
        atMost: { count: this.#limitPerWindow(limit) },
        set: { expiresAt },
      });
      if (counted === undefined) throw new RateLimitedError(scope, retryAfterSeconds);
    }
  }

  #limitPerWindow(perMinute: number): number {
    return Math.floor((perMinute * this.#windowSeconds) / 60);
  }
}

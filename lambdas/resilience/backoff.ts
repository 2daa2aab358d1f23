/**
 * Full-jitter exponential backoff: the delay before retry n is uniform in
 * [0, min(cap, base · 2^n)), so callers that failed together do not retry
 * together. State lives in the caller's loop only — nothing is shared
 * between calls or tenants.
 */

export interface BackoffPolicy {
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

/** Waits `ms` milliseconds. */
export type Sleep = (ms: number) => Promise<void>;

/** A number in [0, 1). */
export type Random = () => number;

export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The delay before retry number `retry` (0 for the first retry). */
export function fullJitterDelay(retry: number, policy: BackoffPolicy, random: Random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
  return Math.floor(random() * ceiling);
}

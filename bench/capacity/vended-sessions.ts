/**
 * Sessions vended by the token authorizer (docs/sessions.md), modelled: API Gateway keeps one
 * authorizer cache per stage, keyed by token, for `cacheSeconds`; each user holds one token at a
 * time and replaces it every `tokenSeconds` (Cognito's default access token: one hour). A request
 * whose token has no live cache entry invokes the authorizer, which assumes the role: one STS
 * call. (The authorizer's own per-environment cache, which can serve a second token of the same
 * user within five minutes, is left out, so the STS figure is an upper bound.)
 *
 * For a user sending a Poisson stream at rate λ, a token's life of length L sees its first request
 * (a miss) with probability 1 − e^(−λL); when that came at t < L − T (T = the cache's TTL), the
 * entry expires while the token lives and the next request in (t + T, L) misses again. With
 * T ≥ L / 2 there is no third: E[misses per token] = 1 − e^(−λL) + 1 − e^(−λa) − λa·e^(−λa),
 * a = max(0, L − T). Exact and closed-form, so every user of the population is counted.
 */
import type { Population } from './population.js';

export interface VendedSessionInputs {
  readonly population: Population;
  readonly rps: number;
  /** How long a user's token lives before the client replaces it. */
  readonly tokenSeconds: number;
  /** API Gateway's authorizer cache TTL (bulkhead:authorizerCacheSeconds): at least tokenSeconds / 2, or 0. */
  readonly cacheSeconds: number;
}

export interface VendedSessionResult {
  readonly hitRate: number;
  /** Authorizer invocations per second: each one vends a session (one AssumeRole). */
  readonly stsCallsPerSecond: number;
}

/** Expected cache misses during one token's life for a user at `rate` requests/s. */
export function missesPerToken(rate: number, tokenSeconds: number, cacheSeconds: number): number {
  const first = -Math.expm1(-rate * tokenSeconds);
  const uncovered = Math.max(0, tokenSeconds - cacheSeconds);
  const second = -Math.expm1(-rate * uncovered) - rate * uncovered * Math.exp(-rate * uncovered);
  return first + second;
}

export function simulateVendedSessions(inputs: VendedSessionInputs): VendedSessionResult {
  const { population, rps, tokenSeconds, cacheSeconds } = inputs;
  if (cacheSeconds === 0) return { hitRate: 0, stsCallsPerSecond: rps };
  if (cacheSeconds * 2 < tokenSeconds)
    throw new RangeError('the model needs an authorizer cache of at least half the token lifetime');
  let missesPerSecond = 0;
  for (let tenant = 0; tenant < population.tenants; tenant += 1) {
    const tenantRps = rps * (population.tenantWeights[tenant] ?? 0);
    const offset = population.userOffsets[tenant] ?? 0;
    let previous = 0;
    for (let user = offset; user < offset + (population.userCounts[tenant] ?? 0); user += 1) {
      const sum = population.userSums[user] ?? previous;
      missesPerSecond +=
        missesPerToken(tenantRps * (sum - previous), tokenSeconds, cacheSeconds) / tokenSeconds;
      previous = sum;
    }
  }
  return { hitRate: 1 - missesPerSecond / rps, stsCallsPerSecond: missesPerSecond };
}

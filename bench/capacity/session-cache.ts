/**
 * The tenant-session cache of lambdas/tenancy/tenant-session.ts, simulated: each Lambda execution
 * environment holds its own LRU of sessions keyed by (tenant, user) — placement, role and policy
 * are one value per user for a chat turn — that expire `sessionSeconds` after STS issued them and
 * are replaced `refreshBeforeExpirySeconds` early. Every miss is one STS AssumeRole.
 *
 * Routing: requests go to the function's environments at random (uniformly), so each environment
 * sees a Poisson stream at rate rps / environments, drawn from the whole population. Environments
 * are independent, so a sample of them gives the hit rate of all (the sample's streams are exact,
 * not scaled). Each environment is recycled (a cold start: empty cache) after a lifetime drawn
 * uniformly from [min, max]; its successor starts at once.
 */
import { drawUser, type Population } from './population.js';
import { exponential, seededUniform } from './random.js';

export interface SessionCacheInputs {
  readonly population: Population;
  readonly rps: number;
  /** Execution environments the function keeps (see environmentsFor). */
  readonly environments: number;
  /** How many environments to simulate (at most `environments`). */
  readonly sampledEnvironments: number;
  /** Sessions per environment (tenant-session.ts DEFAULT_MAX_SESSIONS). */
  readonly cacheSize: number;
  /** STS session lifetime (the functions' TENANT_SESSION_SECONDS). */
  readonly sessionSeconds: number;
  /** tenant-session.ts DEFAULT_REFRESH_BEFORE_EXPIRY_MS, in seconds. */
  readonly refreshBeforeExpirySeconds: number;
  readonly environmentLifetimeSeconds: { readonly min: number; readonly max: number };
  /** Simulated time before counting starts (caches fill, environments desynchronise). */
  readonly warmupSeconds: number;
  /** Simulated time that is counted. */
  readonly measureSeconds: number;
  readonly seed: number;
}

export interface SessionCacheResult {
  readonly requests: number;
  readonly hits: number;
  readonly misses: number;
  readonly hitRate: number;
  /** AssumeRole calls per second across the whole function: rps × miss rate. */
  readonly stsCallsPerSecond: number;
}

/**
 * Environments Lambda keeps for a load: the peak concurrency over the window environments survive
 * idle. Concurrency of an M/G/∞ system is Poisson with mean rps × duration; the peak of the
 * window's ≈ window / duration independent looks is about mean + √(2 ln looks) × √mean.
 */
export function environmentsFor(rps: number, meanDurationSeconds: number, idleSeconds: number): number {
  const concurrency = rps * meanDurationSeconds;
  const looks = Math.max(2, idleSeconds / meanDurationSeconds);
  return Math.max(1, Math.ceil(concurrency + Math.sqrt(2 * Math.log(looks) * concurrency)));
}

/** Runs the simulation; the same inputs (seed included) give the same result. */
export function simulateSessionCache(inputs: SessionCacheInputs): SessionCacheResult {
  const uniform = seededUniform(inputs.seed);
  const perEnvironmentRps = inputs.rps / inputs.environments;
  const sampled = Math.max(1, Math.min(inputs.environments, Math.floor(inputs.sampledEnvironments)));
  const end = inputs.warmupSeconds + inputs.measureSeconds;
  const { min, max } = inputs.environmentLifetimeSeconds;
  let hits = 0;
  let misses = 0;
  for (let environment = 0; environment < sampled; environment += 1) {
    // Session key → the time its credentials expire; Map order is recency order.
    const cache = new Map<number, number>();
    let recycleAt = min + (max - min) * uniform();
    for (let now = exponential(uniform, perEnvironmentRps); now < end; ) {
      while (now >= recycleAt) {
        cache.clear();
        recycleAt += min + (max - min) * uniform();
      }
      const key = drawUser(inputs.population, uniform);
      const expiresAt = cache.get(key);
      const hit = expiresAt !== undefined && expiresAt - now > inputs.refreshBeforeExpirySeconds;
      cache.delete(key);
      cache.set(key, hit ? expiresAt : now + inputs.sessionSeconds);
      if (!hit && cache.size > inputs.cacheSize) {
        for (const oldest of cache.keys()) {
          cache.delete(oldest);
          break;
        }
      }
      if (now >= inputs.warmupSeconds) {
        if (hit) hits += 1;
        else misses += 1;
      }
      now += exponential(uniform, perEnvironmentRps);
    }
  }
  const requests = hits + misses;
  const hitRate = requests === 0 ? 0 : hits / requests;
  return { requests, hits, misses, hitRate, stsCallsPerSecond: inputs.rps * (1 - hitRate) };
}

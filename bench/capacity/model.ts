/**
 * The capacity model: for each load, the session cache (hit rate, STS calls, Lambda concurrency),
 * the hottest DynamoDB partitions of the busiest tenant of each tier, and the cost per 1,000 chat
 * turns. Deterministic: one seed, no clock. docs/capacity.md explains it.
 */
import type { Tier } from '../../lambdas/tenancy/request-context.js';
import {
  DEFAULT_MAX_SESSIONS,
  DEFAULT_REFRESH_BEFORE_EXPIRY_MS,
} from '../../lambdas/tenancy/tenant-session.js';
import { DEFAULT_AUTHORIZER_CACHE_SECONDS } from '../../lib/tenant-api.js';
import {
  type HotPartition,
  NO_TOOL_CHAT_TURN,
  PARTITION_WRITE_UNITS_PER_SECOND,
  tenantHotPartitions,
  tenantRateLimitPerSecond,
  turnsAtPartitionLimit,
  turnTotals,
} from './chat-turn.js';
import { type CostPer1000Turns, costPer1000Turns, type PriceTable } from './cost.js';
import { buildPopulation, type Population } from './population.js';
import { environmentsFor, simulateSessionCache } from './session-cache.js';
import { simulateVendedSessions } from './vended-sessions.js';

/** STS AssumeRole: about 600 requests/s per account and Region (../shared/notes/local-cloud-facts.md). */
export const STS_REQUESTS_PER_SECOND_LIMIT = 600;

export interface CapacityOptions {
  readonly tenants: number;
  readonly users: number;
  /** Loads of the tables (req/s). */
  readonly rps: readonly number[];
  /** Loads of the chart (req/s). */
  readonly chartRps: readonly number[];
  readonly seed: number;
  readonly tenantZipf: number;
  readonly userZipf: number;
  /** Mean duration of the chat function per turn (model call included). */
  readonly meanDurationMs: number;
  readonly authorizerDurationMs: number;
  readonly functionMemoryMb: number;
  readonly authorizerMemoryMb: number;
  /** How long an idle environment survives (sets how many environments a load keeps). */
  readonly idleSeconds: number;
  /** An environment's whole life, busy or not: uniform in [min, max]. */
  readonly lifetimeMinSeconds: number;
  readonly lifetimeMaxSeconds: number;
  readonly cacheSize: number;
  readonly sessionSeconds: number;
  readonly refreshBeforeExpirySeconds: number;
  /** How long a user's token lives (vended sessions are cached per token). */
  readonly tokenSeconds: number;
  /** API Gateway's authorizer cache TTL (bulkhead:authorizerCacheSeconds). */
  readonly authorizerCacheSeconds: number;
  readonly warmupSeconds: number;
  readonly measureSeconds: number;
  readonly sampledEnvironments: number;
  readonly modelId: string;
  readonly inputTokens: number;
  readonly outputTokens: number;
  /** Share of tenants (the biggest first) on the enterprise tier, then on premium; the rest basic. */
  readonly enterpriseShare: number;
  readonly premiumShare: number;
}

export const DEFAULT_CAPACITY_OPTIONS: CapacityOptions = Object.freeze({
  tenants: 5_000,
  users: 500_000,
  rps: [50, 1_000, 10_000],
  chartRps: [50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000],
  seed: 13,
  tenantZipf: 1.1,
  userZipf: 1.1,
  meanDurationMs: 1_500,
  authorizerDurationMs: 20,
  functionMemoryMb: 1_024,
  authorizerMemoryMb: 512,
  idleSeconds: 600,
  lifetimeMinSeconds: 3_600,
  lifetimeMaxSeconds: 10_800,
  cacheSize: DEFAULT_MAX_SESSIONS,
  sessionSeconds: 3_600,
  refreshBeforeExpirySeconds: DEFAULT_REFRESH_BEFORE_EXPIRY_MS / 1000,
  tokenSeconds: 3_600,
  authorizerCacheSeconds: DEFAULT_AUTHORIZER_CACHE_SECONDS,
  warmupSeconds: 10_800,
  measureSeconds: 3_600,
  sampledEnvironments: 128,
  modelId: 'amazon.nova-lite-v1:0',
  inputTokens: 1_000,
  outputTokens: 200,
  enterpriseShare: 0.01,
  premiumShare: 0.09,
});

/** How often a request needs a new STS session under one design. */
export interface SessionDesignLoad {
  readonly hitRate: number;
  readonly stsCallsPerSecond: number;
  /** stsCallsPerSecond / the account's STS limit. */
  readonly stsLimitUse: number;
}

export interface SessionsAtLoad {
  readonly rps: number;
  /** Mean concurrent executions: rps × mean duration. */
  readonly lambdaConcurrency: number;
  readonly environments: number;
  /** Before issue 13: each environment's own cache, keyed per user (simulated). */
  readonly perEnvironment: SessionDesignLoad & { readonly simulatedRequests: number };
  /** Now: vended by the authorizer, cached by API Gateway per token (closed form). */
  readonly vended: SessionDesignLoad;
}

export interface HotPartitionLoad {
  readonly name: string;
  readonly key: string;
  readonly unitsPerTurn: number;
  readonly writeUnitsPerSecond: number;
}

export interface TenantHotItems {
  readonly tier: Tier;
  /** The tenant's rank by size (1 = the biggest of all). */
  readonly tenantRank: number;
  readonly tenantRps: number;
  /** The tier's rate limit: requests above it are refused (429) — after the counter's write. */
  readonly rateLimitPerSecond: number;
  readonly partitions: readonly HotPartitionLoad[];
  readonly hottest: HotPartitionLoad;
  /** hottest.writeUnitsPerSecond / 1,000 WCU. */
  readonly hottestUse: number;
  /** Turns/s the tenant can take before its hottest partition reaches 1,000 WCU. */
  readonly maxTurnsPerSecond: number;
}

export interface CapacityRow {
  readonly sessions: SessionsAtLoad;
  readonly hotItems: readonly TenantHotItems[];
  readonly cost: CostPer1000Turns;
}

export interface CapacityReport {
  readonly model: 'bulkhead capacity model';
  readonly options: CapacityOptions;
  readonly priceTable: string;
  readonly population: {
    readonly tenants: number;
    readonly users: number;
    readonly biggestTenantShare: number;
    readonly biggestTenantUsers: number;
    readonly busiestUserShare: number;
  };
  readonly turn: ReturnType<typeof turnTotals>;
  readonly stsLimitPerSecond: number;
  readonly rows: readonly CapacityRow[];
  readonly chart: readonly SessionsAtLoad[];
  /** Every hot partition of each tier with the turns/s it allows one tenant: the ceilings by design. */
  readonly ceilings: readonly PartitionCeiling[];
}

export interface PartitionCeiling {
  readonly tier: Tier;
  readonly partition: HotPartition;
  /** Turns/s of one tenant at which this partition reaches 1,000 WCU. */
  readonly maxTurnsPerSecond: number;
}

/** The turns/s each of a tier's hot partitions allows one tenant, for every tier. */
export function partitionCeilings(): PartitionCeiling[] {
  return (['enterprise', 'premium', 'basic'] as const).flatMap((tier) =>
    tenantHotPartitions(tier).map((partition) => ({
      tier,
      partition,
      maxTurnsPerSecond: turnsAtPartitionLimit(partition),
    })),
  );
}

/** The tier of the tenant of a given rank (0-based): the biggest tenants are on the top tiers. */
export function tierOfRank(rank: number, tenants: number, options: CapacityOptions): Tier {
  if (rank < Math.round(tenants * options.enterpriseShare)) return 'enterprise';
  if (rank < Math.round(tenants * (options.enterpriseShare + options.premiumShare))) return 'premium';
  return 'basic';
}

/** The session cache at one load. */
export function sessionsAtLoad(
  population: Population,
  options: CapacityOptions,
  rps: number,
): SessionsAtLoad {
  const durationSeconds = options.meanDurationMs / 1000;
  const environments = environmentsFor(rps, durationSeconds, options.idleSeconds);
  const result = simulateSessionCache({
    population,
    rps,
    environments,
    sampledEnvironments: options.sampledEnvironments,
    cacheSize: options.cacheSize,
    sessionSeconds: options.sessionSeconds,
    refreshBeforeExpirySeconds: options.refreshBeforeExpirySeconds,
    environmentLifetimeSeconds: { min: options.lifetimeMinSeconds, max: options.lifetimeMaxSeconds },
    warmupSeconds: options.warmupSeconds,
    measureSeconds: options.measureSeconds,
    // One stream per load, derived from the seed, so adding a load changes no other row.
    seed: options.seed * 1_000_003 + Math.round(rps),
  });
  const vended = simulateVendedSessions({
    population,
    rps,
    tokenSeconds: options.tokenSeconds,
    cacheSeconds: options.authorizerCacheSeconds,
  });
  const design = (hitRate: number, stsCallsPerSecond: number): SessionDesignLoad => ({
    hitRate,
    stsCallsPerSecond,
    stsLimitUse: stsCallsPerSecond / STS_REQUESTS_PER_SECOND_LIMIT,
  });
  return {
    rps,
    lambdaConcurrency: rps * durationSeconds,
    environments,
    perEnvironment: {
      ...design(result.hitRate, result.stsCallsPerSecond),
      simulatedRequests: result.requests,
    },
    vended: design(vended.hitRate, vended.stsCallsPerSecond),
  };
}

/** The busiest tenant of each tier and its hot partitions' write units at one load. */
export function hotItemsAtLoad(
  population: Population,
  options: CapacityOptions,
  rps: number,
): TenantHotItems[] {
  const found: TenantHotItems[] = [];
  const seen = new Set<Tier>();
  for (let rank = 0; rank < population.tenants && seen.size < 3; rank += 1) {
    const tier = tierOfRank(rank, population.tenants, options);
    if (seen.has(tier)) continue;
    seen.add(tier);
    const tenantRps = rps * (population.tenantWeights[rank] ?? 0);
    const partitions = tenantHotPartitions(tier).map((partition) => ({
      ...partition,
      writeUnitsPerSecond: tenantRps * partition.unitsPerTurn,
    }));
    const hottest = partitions.reduce((a, b) => (b.unitsPerTurn > a.unitsPerTurn ? b : a));
    found.push({
      tier,
      tenantRank: rank + 1,
      tenantRps,
      rateLimitPerSecond: tenantRateLimitPerSecond(tier),
      partitions,
      hottest,
      hottestUse: hottest.writeUnitsPerSecond / PARTITION_WRITE_UNITS_PER_SECOND,
      maxTurnsPerSecond: turnsAtPartitionLimit(hottest),
    });
  }
  return found;
}

/** Runs the whole model. */
export function runCapacityModel(options: CapacityOptions, prices: PriceTable): CapacityReport {
  const population = buildPopulation(options);
  const calls = turnTotals(NO_TOOL_CHAT_TURN);
  const cache = new Map<number, SessionsAtLoad>();
  const sessionsAt = (rps: number) => {
    let found = cache.get(rps);
    if (found === undefined) {
      found = sessionsAtLoad(population, options, rps);
      cache.set(rps, found);
    }
    return found;
  };
  const rows = options.rps.map((rps): CapacityRow => {
    const sessions = sessionsAt(rps);
    return {
      sessions,
      hotItems: hotItemsAtLoad(population, options, rps),
      cost: costPer1000Turns({
        prices,
        turn: {
          modelId: options.modelId,
          inputTokens: options.inputTokens,
          outputTokens: options.outputTokens,
        },
        lambda: {
          functionMemoryMb: options.functionMemoryMb,
          functionSeconds: options.meanDurationMs / 1000,
          authorizerMemoryMb: options.authorizerMemoryMb,
          authorizerSeconds: options.authorizerDurationMs / 1000,
          // API Gateway runs the authorizer only when its cache misses; each run vends a session.
          authorizerInvocationsPerTurn: 1 - sessions.vended.hitRate,
        },
        calls,
        stsCallsPerTurn: 1 - sessions.vended.hitRate,
      }),
    };
  });
  return {
    model: 'bulkhead capacity model',
    options,
    priceTable: prices.version,
    population: {
      tenants: population.tenants,
      users: population.users,
      biggestTenantShare: population.tenantWeights[0] ?? 0,
      biggestTenantUsers: population.userCounts[0] ?? 0,
      busiestUserShare: (population.tenantWeights[0] ?? 0) * (population.topUserShares[0] ?? 0),
    },
    turn: calls,
    stsLimitPerSecond: STS_REQUESTS_PER_SECOND_LIMIT,
    rows,
    chart: [...new Set([...options.chartRps, ...options.rps])].sort((a, b) => a - b).map(sessionsAt),
    ceilings: partitionCeilings(),
  };
}

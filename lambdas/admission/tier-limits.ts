/**
 * What each tier may spend and how fast it may call, and how a tenant
 * record's own budget and admission limits override its tier's defaults.
 */

import type { ModelCatalog } from '../models/model-catalog.js';
import type { TenantRecord } from '../registry/tenant-record.js';
import type { Tier } from '../tenancy/request-context.js';

export interface BudgetLimits {
  readonly monthlyUsd: number;
  readonly monthlyTokens: number;
  /** Counter shards per tenant-month; more for tenants that call more. */
  readonly shards: number;
  /** A cheaper model to fall back to when the budget cannot cover the requested one (the catalogue's, per tier). */
  readonly fallbackModelId?: string;
}

export interface RateLimits {
  readonly tenantPerMinute: number;
  readonly userPerMinute: number;
  /** Model tokens (input + output) per minute, whole tenant. */
  readonly tenantTokensPerMinute: number;
  readonly userTokensPerMinute: number;
  /** Requests of the tenant in flight at once (across every execution environment). */
  readonly tenantInFlight: number;
}

/** Each tier's default budget; its fallback model is configuration (the model catalogue's `fallbackModels`). */
export const TIER_BUDGETS: Readonly<Record<Tier, Omit<BudgetLimits, 'fallbackModelId'>>> = Object.freeze({
  basic: { monthlyUsd: 50, monthlyTokens: 5_000_000, shards: 1 },
  premium: { monthlyUsd: 500, monthlyTokens: 50_000_000, shards: 8 },
  enterprise: { monthlyUsd: 5_000, monthlyTokens: 500_000_000, shards: 16 },
});

/**
 * The most budget counter shards any tier uses. A tenant that changed tier within a month may have
 * counters in any of them, so whatever reads a month's spend reads this many.
 */
export const MAX_BUDGET_SHARDS = Math.max(...Object.values(TIER_BUDGETS).map((budget) => budget.shards));

/**
 * Requests per minute, counted on every tenant route (the control API is not
 * limited). Generous on purpose: they stop runaway clients and noisy
 * neighbours, not normal use — an interactive user or a test suite sending a
 * few hundred requests a minute as one demo user stays well inside. Budgets,
 * not rate limits, bound what a tenant can spend.
 */
export const TIER_RATE_LIMITS: Readonly<Record<Tier, RateLimits>> = Object.freeze({
  basic: {
    tenantPerMinute: 3_000,
    userPerMinute: 300,
    tenantTokensPerMinute: 400_000,
    userTokensPerMinute: 100_000,
    tenantInFlight: 100,
  },
  premium: {
    tenantPerMinute: 6_000,
    userPerMinute: 600,
    tenantTokensPerMinute: 2_000_000,
    userTokensPerMinute: 200_000,
    tenantInFlight: 300,
  },
  enterprise: {
    tenantPerMinute: 30_000,
    userPerMinute: 3_000,
    tenantTokensPerMinute: 20_000_000,
    userTokensPerMinute: 1_000_000,
    tenantInFlight: 1_500,
  },
});

/**
 * Shard `index`'s part of `total` (a budget, a tenant limit): equal parts, the remainder spread
 * over the first shards, so the parts sum to the total exactly.
 */
export function shardAllowance(total: number, shards: number, index: number): number {
  return Math.floor(total / shards) + (index < total % shards ? 1 : 0);
}

/** The fewest requests per minute and in-flight slots one tenant shard keeps (so a shard's share stays coarse). */
const SHARD_MIN_PER_MINUTE = 750;
const SHARD_MIN_IN_FLIGHT = 10;
/** …and model tokens per minute (a few calls' worth: a shard's share of the token limit is never 0). */
const SHARD_MIN_TOKENS_PER_MINUTE = 20_000;
/** @see rateShardsFor */
export const MAX_RATE_SHARDS = 16;

/**
 * How many items a tenant's admission counters are spread over: as many as
 * keep each shard's share of the request, token and in-flight limits coarse
 * (≥ 750 requests/min, ≥ 20,000 tokens/min, ≥ 10 slots), at most
 * MAX_RATE_SHARDS. Derived from the limits, so an override that raises them
 * spreads the tenant wider, and one that lowers them below a shard's worth
 * keeps it on one shard (no share of any limit is ever 0).
 */
export function rateShardsFor(
  limits: Pick<RateLimits, 'tenantPerMinute' | 'tenantTokensPerMinute' | 'tenantInFlight'>,
): number {
  const byRate = Math.floor(limits.tenantPerMinute / SHARD_MIN_PER_MINUTE);
  const byTokens = Math.floor(limits.tenantTokensPerMinute / SHARD_MIN_TOKENS_PER_MINUTE);
  const byInFlight = Math.floor(limits.tenantInFlight / SHARD_MIN_IN_FLIGHT);
  return Math.max(1, Math.min(MAX_RATE_SHARDS, byRate, byTokens, byInFlight));
}

/** Calls of a tenant's connectors' tools per minute, whole tenant (each is an outbound request we make). */
export const TIER_CONNECTOR_CALLS_PER_MINUTE: Readonly<Record<Tier, number>> = Object.freeze({
  basic: 120,
  premium: 600,
  enterprise: 3_000,
});

/** The tenant's budget: its tier's default, overridden by the record's own amounts, with its tier's fallback model. */
export function budgetFor(
  tenant: Pick<TenantRecord, 'tier' | 'monthlyBudgetUsd' | 'monthlyTokenBudget'>,
  fallbackModels: ModelCatalog['fallbackModels'],
): BudgetLimits {
  const tier = TIER_BUDGETS[tenant.tier];
  const fallbackModelId = fallbackModels[tenant.tier];
  return {
    ...tier,
    ...(fallbackModelId === undefined ? {} : { fallbackModelId }),
    monthlyUsd: tenant.monthlyBudgetUsd ?? tier.monthlyUsd,
    monthlyTokens: tenant.monthlyTokenBudget ?? tier.monthlyTokens,
  };
}

/** The tenant's rate limits: its tier's defaults, overridden one by one by the record's own. */
export function rateLimitsFor(tenant: Pick<TenantRecord, 'tier' | 'rateLimits'>): RateLimits {
  const tier = TIER_RATE_LIMITS[tenant.tier];
  const own = tenant.rateLimits;
  return {
    tenantPerMinute: own?.perTenantPerMinute ?? tier.tenantPerMinute,
    userPerMinute: own?.perUserPerMinute ?? tier.userPerMinute,
    tenantTokensPerMinute: own?.tokensPerTenantPerMinute ?? tier.tenantTokensPerMinute,
    userTokensPerMinute: own?.tokensPerUserPerMinute ?? tier.userTokensPerMinute,
    tenantInFlight: own?.inFlightPerTenant ?? tier.tenantInFlight,
  };
}

/**
 * What each tier may spend and how fast it may call, and how a tenant
 * record's own budget and rate limits override its tier's defaults.
 */
import type { TenantRecord } from '../registry/tenant-record.js';
import type { Tier } from '../tenancy/request-context.js';

export interface BudgetLimits {
  readonly monthlyUsd: number;
  readonly monthlyTokens: number;
  /** Counter shards per tenant-month; more for tenants that call more. */
  readonly shards: number;
  /** A cheaper model to fall back to when the budget cannot cover the requested one. */
  readonly fallbackModelId?: string;
}

export interface RateLimits {
  readonly tenantPerMinute: number;
  readonly userPerMinute: number;
}

export const TIER_BUDGETS: Readonly<Record<Tier, BudgetLimits>> = Object.freeze({
  basic: { monthlyUsd: 50, monthlyTokens: 5_000_000, shards: 1, fallbackModelId: 'amazon.nova-micro-v1:0' },
  premium: {
    monthlyUsd: 500,
    monthlyTokens: 50_000_000,
    shards: 4,
    fallbackModelId: 'amazon.nova-micro-v1:0',
  },
  enterprise: { monthlyUsd: 5_000, monthlyTokens: 500_000_000, shards: 16 },
});

/**
 * Requests per minute, counted on every tenant route (the control API is not
 * limited). Generous on purpose: they stop runaway clients and noisy
 * neighbours, not normal use — an interactive user or a test suite sending a
 * few hundred requests a minute as one demo user stays well inside. Budgets,
 * not rate limits, bound what a tenant can spend.
 */
export const TIER_RATE_LIMITS: Readonly<Record<Tier, RateLimits>> = Object.freeze({
  basic: { tenantPerMinute: 3_000, userPerMinute: 300 },
  premium: { tenantPerMinute: 6_000, userPerMinute: 600 },
  enterprise: { tenantPerMinute: 30_000, userPerMinute: 3_000 },
});

/** Calls of a tenant's connectors' tools per minute, whole tenant (each is an outbound request we make). */
export const TIER_CONNECTOR_CALLS_PER_MINUTE: Readonly<Record<Tier, number>> = Object.freeze({
  basic: 120,
  premium: 600,
  enterprise: 3_000,
});

/** The tenant's budget: its tier's default, overridden by the record's own amounts. */
export function budgetFor(
  tenant: Pick<TenantRecord, 'tier' | 'monthlyBudgetUsd' | 'monthlyTokenBudget'>,
): BudgetLimits {
  const tier = TIER_BUDGETS[tenant.tier];
  return {
    ...tier,
    monthlyUsd: tenant.monthlyBudgetUsd ?? tier.monthlyUsd,
    monthlyTokens: tenant.monthlyTokenBudget ?? tier.monthlyTokens,
  };
}

/** The tenant's rate limits: its tier's defaults, overridden one by one by the record's own. */
export function rateLimitsFor(tenant: Pick<TenantRecord, 'tier' | 'rateLimits'>): RateLimits {
  const tier = TIER_RATE_LIMITS[tenant.tier];
  return {
    tenantPerMinute: tenant.rateLimits?.perTenantPerMinute ?? tier.tenantPerMinute,
    userPerMinute: tenant.rateLimits?.perUserPerMinute ?? tier.userPerMinute,
  };
}

/**
 * The platform operator's cost report: every registered tenant's month, each
 * read by the caller-supplied `costsOf`, which must read through a tenant
 * session for THAT tenant (so the report needs no cross-tenant data
 * permission anywhere).
 */
import * as z from 'zod';
import { TenantNameSchema, type TenantRecord } from '../registry/tenant-record.js';
import { TenantIdSchema } from '../tenancy/key-layout.js';
import { TierSchema } from '../tenancy/request-context.js';
import {
  DayCostSchema,
  ModelCostSchema,
  MonthSchema,
  type TenantCosts,
  UsageCostSchema,
  UserCostSchema,
} from './tenant-costs.js';

/** How many of a tenant's most expensive users the report names. */
export const TOP_USERS = 5;
/** Tenants read at once: enough to keep a report with many tenants fast, few enough to stay gentle on STS. */
const PARALLEL_TENANTS = 4;

export const TenantCostSummarySchema = z.object({
  tenantId: TenantIdSchema,
  name: TenantNameSchema,
  tier: TierSchema,
  totals: UsageCostSchema,
  /** Most expensive first. */
  byModel: z.array(ModelCostSchema),
  /** Oldest first. */
  byDay: z.array(DayCostSchema),
  /** The most expensive users, at most TOP_USERS. */
  topUsers: z.array(UserCostSchema).max(TOP_USERS),
});
export type TenantCostSummary = z.infer<typeof TenantCostSummarySchema>;

/** What `GET /v1/admin/costs` answers. */
export const PlatformCostsSchema = z
  .object({
    month: MonthSchema,
    /** Most expensive first. */
    tenants: z.array(TenantCostSummarySchema),
  })
  .meta({ id: 'PlatformCosts', description: 'Every tenant’s model costs for a month, most expensive first' });
export type PlatformCosts = z.infer<typeof PlatformCostsSchema>;

type ListedTenant = Pick<TenantRecord, 'tenantId' | 'name' | 'tier'>;

function summary(tenant: ListedTenant, costs: TenantCosts): TenantCostSummary {
  return {
    tenantId: tenant.tenantId,
    name: tenant.name,
    tier: tenant.tier,
    totals: costs.totals,
    byModel: costs.byModel,
    byDay: costs.byDay,
    topUsers: costs.byUser.slice(0, TOP_USERS),
  };
}

/** Every tenant's costs for `month`, most expensive first. */
export async function readPlatformCosts(
  month: string,
  tenants: readonly ListedTenant[],
  costsOf: (tenantId: string, month: string) => Promise<TenantCosts>,
): Promise<PlatformCosts> {
  const rows: TenantCostSummary[] = [];
  for (let start = 0; start < tenants.length; start += PARALLEL_TENANTS) {
    const batch = tenants.slice(start, start + PARALLEL_TENANTS);
    rows.push(
      ...(await Promise.all(
        batch.map(async (tenant) => summary(tenant, await costsOf(tenant.tenantId, month))),
      )),
    );
  }
  rows.sort((a, b) => b.totals.costUsd - a.totals.costUsd || a.tenantId.localeCompare(b.tenantId));
  return { month, tenants: rows };
}

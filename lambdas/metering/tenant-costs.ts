/**
 * A tenant's model costs for a month, read from the tenant-shared aggregates
 * metering writes (usage-keys.ts): the month's totals and the breakdowns by
 * model, user and day. Everything is read through the caller's scoped table,
 * i.e. through a tenant session of the tenant whose costs these are.
 */
import * as z from 'zod';
import type { GuardrailTable } from '../guardrails/guardrail-table.js';
import { CURRENT_PRICES, nanoToUsd } from './price-table.js';
import {
  TENANT_USAGE_SHARDS,
  tenantUsageAddress,
  USAGE_BREAKDOWN_SHARDS,
  type UsageDimension,
  usageBreakdownPartition,
} from './usage-keys.js';

/** A calendar month, `YYYY-MM`. */
export const MonthSchema = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'expected a month as YYYY-MM');

export const UsageCostSchema = z.object({
  costUsd: z.number().nonnegative(),
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
  calls: z.number().int().nonnegative(),
});
export type UsageCost = z.infer<typeof UsageCostSchema>;

export const ModelCostSchema = z.object({ modelId: z.string(), ...UsageCostSchema.shape });
export const UserCostSchema = z.object({ userId: z.string(), ...UsageCostSchema.shape });
export const DayCostSchema = z.object({ date: z.iso.date(), ...UsageCostSchema.shape });

/** What `GET /v1/costs` answers: one tenant's month. */
export const TenantCostsSchema = z.object({
  month: MonthSchema,
  /** The price table version(s) the month's costs were computed with (comma-separated if prices changed mid-month). */
  priceVersion: z.string(),
  totals: UsageCostSchema,
  /** Most expensive first. */
  byModel: z.array(ModelCostSchema),
  /** Most expensive first. */
  byUser: z.array(UserCostSchema),
  /** Oldest first; days without usage are absent. */
  byDay: z.array(DayCostSchema),
});
export type TenantCosts = z.infer<typeof TenantCostsSchema>;

/** Counters as stored (integer nano-USD, so sums are exact). */
interface UsageCounters {
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly calls: number;
  readonly costNanoUsd: number;
}

const NO_USAGE: UsageCounters = { inputTokens: 0, outputTokens: 0, calls: 0, costNanoUsd: 0 };

function countersOf(attributes: Readonly<Record<string, unknown>>): UsageCounters {
  return {
    inputTokens: Number(attributes.inputTokens ?? 0),
    outputTokens: Number(attributes.outputTokens ?? 0),
    calls: Number(attributes.calls ?? 0),
    costNanoUsd: Number(attributes.costNanoUsd ?? 0),
  };
}

function plus(a: UsageCounters, b: UsageCounters): UsageCounters {
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    calls: a.calls + b.calls,
    costNanoUsd: a.costNanoUsd + b.costNanoUsd,
  };
}

function asCost({ costNanoUsd, ...counts }: UsageCounters): UsageCost {
  return { costUsd: nanoToUsd(costNanoUsd), ...counts };
}

/** The month's totals (the sum of the tenant aggregate's shards) and the price versions they carry. */
async function monthTotals(
  table: Pick<GuardrailTable, 'batchGet'>,
  month: string,
): Promise<{ totals: UsageCounters; priceVersions: string[] }> {
  const shards = Array.from({ length: TENANT_USAGE_SHARDS }, (_, shard) => tenantUsageAddress(month, shard));
  const found = await table.batchGet(shards);
  const versions = found
    .map(({ attributes }) => attributes.priceVersion)
    .filter((v) => typeof v === 'string');
  return {
    totals: found.reduce((sum, { attributes }) => plus(sum, countersOf(attributes)), NO_USAGE),
    priceVersions: [...new Set(versions)].sort(),
  };
}

/** One breakdown, summed over its shards: key (user, model or day) → counters. */
async function breakdown(
  table: Pick<GuardrailTable, 'query'>,
  dimension: UsageDimension,
  month: string,
): Promise<Map<string, UsageCounters>> {
  const sums = new Map<string, UsageCounters>();
  for (let shard = 0; shard < USAGE_BREAKDOWN_SHARDS; shard += 1) {
    let cursor: string | undefined;
    do {
      const page = await table.query(usageBreakdownPartition(dimension, month, shard), {
        ...(cursor === undefined ? {} : { cursor }),
      });
      for (const { sk, attributes } of page.items) {
        sums.set(sk, plus(sums.get(sk) ?? NO_USAGE, countersOf(attributes)));
      }
      cursor = page.cursor;
    } while (cursor !== undefined);
  }
  return sums;
}

function byCostThenKey(a: [string, UsageCounters], b: [string, UsageCounters]): number {
  return b[1].costNanoUsd - a[1].costNanoUsd || a[0].localeCompare(b[0]);
}

/** A tenant's costs for `month`, read through that tenant's scoped table. */
export async function readTenantCosts(
  table: Pick<GuardrailTable, 'batchGet' | 'query'>,
  month: string,
): Promise<TenantCosts> {
  const [{ totals, priceVersions }, models, users, days] = await Promise.all([
    monthTotals(table, month),
    breakdown(table, 'model', month),
    breakdown(table, 'user', month),
    breakdown(table, 'day', month),
  ]);
  return {
    month,
    priceVersion: priceVersions.length > 0 ? priceVersions.join(',') : CURRENT_PRICES.version,
    totals: asCost(totals),
    byModel: [...models].sort(byCostThenKey).map(([modelId, sums]) => ({ modelId, ...asCost(sums) })),
    byUser: [...users].sort(byCostThenKey).map(([userId, sums]) => ({ userId, ...asCost(sums) })),
    byDay: [...days]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([date, sums]) => ({ date, ...asCost(sums) })),
  };
}

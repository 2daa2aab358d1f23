/**
 * A tenant's model costs for a month, summed from the month's usage cells
 * (usage-keys.ts): the month's totals and the breakdowns by model, user and
 * day. Everything is read through the caller's scoped table, i.e. through a
 * tenant session of the tenant whose costs these are.
 */
import * as z from 'zod';
import type { GuardrailTable } from '../guardrails/guardrail-table.js';
import { nanoToUsd } from './price-table.js';
import { monthCells, NO_USAGE, plus, type UsageCell, type UsageCounters } from './usage-cells.js';

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
export const TenantCostsSchema = z
  .object({
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
  })
  .meta({
    id: 'TenantCosts',
    description: 'One tenant’s model costs for a month: totals, by model, by user, by day',
  });
export type TenantCosts = z.infer<typeof TenantCostsSchema>;

function asCost({ costNanoUsd, inputTokens, outputTokens, calls }: UsageCounters): UsageCost {
  return { costUsd: nanoToUsd(costNanoUsd), inputTokens, outputTokens, calls };
}

/** The cells' counters summed by `keyOf`. */
function sumBy(cells: readonly UsageCell[], keyOf: (cell: UsageCell) => string): Map<string, UsageCounters> {
  const sums = new Map<string, UsageCounters>();
  for (const cell of cells) {
    const key = keyOf(cell);
    sums.set(key, plus(sums.get(key) ?? NO_USAGE, cell.counters));
  }
  return sums;
}

function byCostThenKey(a: [string, UsageCounters], b: [string, UsageCounters]): number {
  return b[1].costNanoUsd - a[1].costNanoUsd || a[0].localeCompare(b[0]);
}

/**
 * A tenant's costs for `month`, read through that tenant's scoped table. A month without usage
 * reports `currentPriceVersion`, the version new usage is priced with.
 */
export async function readTenantCosts(
  table: Pick<GuardrailTable, 'query'>,
  month: string,
  currentPriceVersion: string,
): Promise<TenantCosts> {
  // Connector cells count connector calls, which carry no model cost.
  const cells = (await monthCells(table, month)).filter((cell) => cell.modelId !== undefined);
  const priceVersions = [
    ...new Set(cells.flatMap((cell) => (cell.priceVersion === undefined ? [] : [cell.priceVersion]))),
  ].sort();
  const totals = cells.map((cell) => cell.counters).reduce(plus, NO_USAGE);
  return {
    month,
    priceVersion: priceVersions.length > 0 ? priceVersions.join(',') : currentPriceVersion,
    totals: asCost(totals),
    byModel: [...sumBy(cells, (cell) => cell.modelId ?? '')]
      .sort(byCostThenKey)
      .map(([modelId, sums]) => ({ modelId, ...asCost(sums) })),
    byUser: [...sumBy(cells, (cell) => cell.userId)]
      .sort(byCostThenKey)
      .map(([userId, sums]) => ({ userId, ...asCost(sums) })),
    byDay: [...sumBy(cells, (cell) => cell.day)]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([date, sums]) => ({ date, ...asCost(sums) })),
  };
}

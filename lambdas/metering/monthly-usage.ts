/**
 * The caller's own model usage this month, summed from the caller's usage
 * cells (one query: a user's cells share a partition), which metering adds to
 * after every model and connector call: tokens, calls, connector calls,
 * requests and cost.
 */
import * as z from 'zod';
import type { ScopedTable } from '../tenancy/scoped-table.js';
import { nanoToUsd } from './price-table.js';
import { NO_USAGE, plus, userMonthCells } from './usage-cells.js';
import { monthOf } from './usage-keys.js';

export const MonthlyUsageSchema = z.object({
  month: z.string().regex(/^\d{4}-\d{2}$/),
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
  /** Chat requests (a request's first model call counts it). */
  requests: z.number().int().nonnegative(),
  /** Model calls, embeddings included. */
  calls: z.number().int().nonnegative(),
  /** Calls of the tenant's connectors' tools. */
  connectorCalls: z.number().int().nonnegative(),
  costUsd: z.number().nonnegative(),
});
export type MonthlyUsageSummary = z.infer<typeof MonthlyUsageSchema>;

export class MonthlyUsage {
  constructor(
    private readonly table: Pick<ScopedTable, 'query'>,
    private readonly userId: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** This month's usage (zeros when nothing was metered yet). */
  async current(): Promise<MonthlyUsageSummary> {
    const month = monthOf(this.now());
    const cells = await userMonthCells(this.table, this.userId, month);
    const { costNanoUsd, ...counts } = cells.map((cell) => cell.counters).reduce(plus, NO_USAGE);
    return { month, ...counts, costUsd: nanoToUsd(costNanoUsd) };
  }
}

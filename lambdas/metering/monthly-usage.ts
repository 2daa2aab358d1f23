/**
 * The caller's own model usage this month, read from the per-user aggregate
 * that metering writes after every model and connector call (the one usage
 * source): tokens, calls, connector calls, requests and cost.
 */
import * as z from 'zod';
import type { ScopedTable } from '../tenancy/scoped-table.js';
import { nanoToUsd } from './price-table.js';
import { monthOf, userUsageAddress } from './usage-keys.js';

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

const StoredAggregateSchema = z.object({
  inputTokens: z.number().default(0),
  outputTokens: z.number().default(0),
  requests: z.number().default(0),
  calls: z.number().default(0),
  connectorCalls: z.number().default(0),
  costNanoUsd: z.number().default(0),
});

export class MonthlyUsage {
  constructor(
    private readonly table: Pick<ScopedTable, 'get'>,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** This month's usage (zeros when nothing was metered yet). */
  async current(): Promise<MonthlyUsageSummary> {
    const month = monthOf(this.now());
    const item = await this.table.get(userUsageAddress(month));
    const { costNanoUsd, ...counts } = StoredAggregateSchema.parse(item?.attributes ?? {});
    return { month, ...counts, costUsd: nanoToUsd(costNanoUsd) };
  }
}

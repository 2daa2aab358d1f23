/**
 * A minimal per-user token tally for the current month, user-private in the
 * tenant table (`<tenantId>#u#<userId>#usage`, sk `month#YYYY-MM`), added to
 * atomically after each chat. Full metering (cost, tenant budgets) replaces it.
 */
import { z } from 'zod';
import type { ItemAddress, ScopedTable } from '../tenancy/scoped-table.js';

export const MonthlyUsageSchema = z.object({
  month: z.string().regex(/^\d{4}-\d{2}$/),
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
  requests: z.number().int().nonnegative(),
});
export type MonthlyUsageSummary = z.infer<typeof MonthlyUsageSchema>;

const StoredCountersSchema = z.object({
  inputTokens: z.number().default(0),
  outputTokens: z.number().default(0),
  requests: z.number().default(0),
});

export interface TokenCount {
  readonly inputTokens: number;
  readonly outputTokens: number;
}

export class MonthlyUsage {
  constructor(
    private readonly table: Pick<ScopedTable, 'add' | 'get'>,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Adds one request's tokens to this month's tally. */
  async record(tokens: TokenCount): Promise<void> {
    await this.table.add(this.#address(), {
      inputTokens: tokens.inputTokens,
      outputTokens: tokens.outputTokens,
      requests: 1,
    });
  }

  /** This month's tally (zeros when nothing was recorded yet). */
  async current(): Promise<MonthlyUsageSummary> {
    const item = await this.table.get(this.#address());
    return { month: this.#month(), ...StoredCountersSchema.parse(item?.attributes ?? {}) };
  }

  #month(): string {
    return this.now().toISOString().slice(0, 7);
  }

  #address(): ItemAddress {
    return { visibility: 'private', collection: 'usage', sk: `month#${this.#month()}` };
  }
}

/**
 * A tenant's monthly budget as admission enforces it: the limits `budgetFor` gives the model call
 * guard and the month's shard counters the reservations add to (settled usage plus what calls in
 * flight hold), so what a tenant admin reads is what the platform refuses calls by.
 */
import * as z from 'zod';
import { nanoToUsd, usdToNano } from '../metering/price-table.js';
import type { BudgetUsage } from './budget-guard.js';
import type { BudgetLimits } from './tier-limits.js';

export const BudgetStatusSchema = z
  .object({
    monthlyBudgetUsd: z
      .number()
      .nonnegative()
      .describe(
        'The monthly model budget in USD the platform enforces: the tenant’s own, set by an operator, else its tier’s default. Never unlimited: every tier has one',
      ),
    monthlyTokenBudget: z
      .number()
      .int()
      .nonnegative()
      .describe('The monthly model token budget (input + output) enforced, the same way'),
    usedUsd: z
      .number()
      .nonnegative()
      .describe(
        'Spent this month, counting what model calls in flight hold (their maximum cost until they end)',
      ),
    usedTokens: z.number().int().nonnegative().describe('Tokens used this month, counted the same way'),
    remainingUsd: z.number().nonnegative().describe('monthlyBudgetUsd − usedUsd, never below 0'),
    remainingTokens: z
      .number()
      .int()
      .nonnegative()
      .describe('monthlyTokenBudget − usedTokens, never below 0'),
  })
  .meta({
    id: 'BudgetStatus',
    description:
      'The tenant’s monthly budget, used and remaining, as admission counts it (a model call is refused with 402 once it no longer fits). Limits are today’s settings, also for past months',
  });
export type BudgetStatus = z.infer<typeof BudgetStatusSchema>;

/** The budget status of `limits` after `usage`. */
export function budgetStatus(limits: BudgetLimits, usage: BudgetUsage): BudgetStatus {
  const usedNanoUsd = Math.max(0, usage.usedNanoUsd);
  const usedTokens = Math.max(0, usage.usedTokens);
  return {
    monthlyBudgetUsd: limits.monthlyUsd,
    monthlyTokenBudget: limits.monthlyTokens,
    usedUsd: nanoToUsd(usedNanoUsd),
    usedTokens,
    remainingUsd: nanoToUsd(Math.max(0, usdToNano(limits.monthlyUsd) - usedNanoUsd)),
    remainingTokens: Math.max(0, limits.monthlyTokens - usedTokens),
  };
}

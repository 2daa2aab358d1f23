/**
 * Versioned model prices. Costs are computed in integer nano-USD (1e-9 USD),
 * because one token of a small model costs a few hundredths of a micro-dollar
 * and counters must add exactly. Every usage record stores the version it
 * was priced with, so a price change never rewrites history. The table itself is configuration:
 * the model catalogue (lambdas/models/model-catalog.ts, docs/models.md).
 */
import { findPrice, type ModelPrice, type PriceTable } from '../models/model-catalog.js';
import { UnknownModelPriceError } from './errors.js';

export type { ModelPrice, PriceTable };

export const NANO_USD_PER_USD = 1_000_000_000;

export interface TokenUsage {
  readonly inputTokens: number;
  readonly outputTokens: number;
}

/** The price entry of a model id or inference-profile id; throws UnknownModelPriceError. */
export function priceOf(prices: PriceTable, modelId: string): ModelPrice {
  const price = findPrice(prices, modelId);
  if (price === undefined) throw new UnknownModelPriceError(modelId);
  return price;
}

function nanoPer1k(usdPer1k: number): number {
  return Math.round(usdPer1k * NANO_USD_PER_USD);
}

/** The cost of a call in nano-USD, rounded up per direction so nothing is under-charged. */
export function costNanoUsd(prices: PriceTable, modelId: string, usage: TokenUsage): number {
  const price = priceOf(prices, modelId);
  return (
    Math.ceil((usage.inputTokens * nanoPer1k(price.inputPer1kUsd)) / 1000) +
    Math.ceil((usage.outputTokens * nanoPer1k(price.outputPer1kUsd)) / 1000)
  );
}

/** Nano-USD as USD (for reports). */
export function nanoToUsd(nanoUsd: number): number {
  return nanoUsd / NANO_USD_PER_USD;
}

/** USD as nano-USD (for budgets). */
export function usdToNano(usd: number): number {
  return Math.round(usd * NANO_USD_PER_USD);
}

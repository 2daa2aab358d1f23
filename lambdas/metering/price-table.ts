/**
 * Versioned model prices. Costs are computed in integer nano-USD (1e-9 USD),
 * because one token of a small model costs a few hundredths of a micro-dollar
 * and counters must add exactly. Every usage record stores the version it
 * was priced with, so a price change never rewrites history.
 */
import { profiledFoundationModel } from '../tenancy/model-ids.js';
import { UnknownModelPriceError } from './errors.js';

/** On-demand USD prices per 1,000 tokens. */
export interface ModelPrice {
  readonly inputPer1kUsd: number;
  readonly outputPer1kUsd: number;
}

export interface PriceTable {
  readonly version: string;
  readonly models: Readonly<Record<string, ModelPrice>>;
}

/** Bedrock on-demand prices (us-east-1) as of November 2026. */
export const PRICES_2026_11: PriceTable = Object.freeze({
  version: '2026-11',
  models: Object.freeze({
    'amazon.nova-lite-v1:0': { inputPer1kUsd: 0.00006, outputPer1kUsd: 0.00024 },
    'amazon.nova-micro-v1:0': { inputPer1kUsd: 0.000035, outputPer1kUsd: 0.00014 },
    'amazon.titan-embed-text-v2:0': { inputPer1kUsd: 0.00002, outputPer1kUsd: 0 },
  }),
});

/** The table new usage is priced with. */
export const CURRENT_PRICES = PRICES_2026_11;

export const NANO_USD_PER_USD = 1_000_000_000;

export interface TokenUsage {
  readonly inputTokens: number;
  readonly outputTokens: number;
}

/** The price entry of a model id or inference-profile id; throws UnknownModelPriceError. */
export function priceOf(prices: PriceTable, modelId: string): ModelPrice {
  const price = prices.models[modelId] ?? prices.models[profiledFoundationModel(modelId) ?? modelId];
  if (price === undefined) throw new UnknownModelPriceError(modelId);
  return price;
}

/** Whether the table can price a model id or inference-profile id. */
export function isPriced(prices: PriceTable, modelId: string): boolean {
  try {
    priceOf(prices, modelId);
    return true;
  } catch (err) {
    if (err instanceof UnknownModelPriceError) return false;
    throw err;
  }
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

/**
 * Cost per 1,000 chat turns from a versioned price table (prices-YYYY-MM.json): what one turn
 * uses of each service (chat-turn.ts), times list prices. Lambda bills the function's whole
 * duration, model wait included, and the authorizer when API Gateway's cache misses.
 */
import { readFileSync } from 'node:fs';
import * as z from 'zod';
import type { TurnTotals } from './chat-turn.js';

const Sourced = { source: z.string().min(1) };
export const PriceTableSchema = z.object({
  version: z.string().min(1),
  region: z.string(),
  currency: z.literal('USD'),
  bedrock: z.record(
    z.string(),
    z.object({ inputPerMillionTokens: z.number(), outputPerMillionTokens: z.number(), ...Sourced }),
  ),
  lambda: z.object({ arm64PerGbSecond: z.number(), perMillionRequests: z.number(), ...Sourced }),
  dynamodb: z.object({
    perMillionWriteRequestUnits: z.number(),
    perMillionReadRequestUnits: z.number(),
    ...Sourced,
  }),
  s3: z.object({ perThousandPutRequests: z.number(), perThousandGetRequests: z.number(), ...Sourced }),
  s3vectors: z.object({ perMillionQueryRequests: z.number(), perGbPut: z.number(), ...Sourced }),
  sts: z.object({ perAssumeRole: z.number(), ...Sourced }),
  apiGateway: z.object({ restPerMillionRequests: z.number(), ...Sourced }),
});
export type PriceTable = z.infer<typeof PriceTableSchema>;

export const DEFAULT_PRICE_FILE = new URL('./prices-2026-12.json', import.meta.url);

/** Reads and checks a price table file. */
export function loadPriceTable(file: URL | string = DEFAULT_PRICE_FILE): PriceTable {
  return PriceTableSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
}

export interface TurnShape {
  readonly modelId: string;
  readonly inputTokens: number;
  readonly outputTokens: number;
}

export interface LambdaShape {
  /** The API function's memory (lib/house-function.ts default: 1,024 MB). */
  readonly functionMemoryMb: number;
  /** The API function's mean duration per turn, model call included. */
  readonly functionSeconds: number;
  /** The authorizer's memory (lib/bulkhead-stack.ts: 512 MB). */
  readonly authorizerMemoryMb: number;
  readonly authorizerSeconds: number;
  /** Authorizer runs per turn: API Gateway's cache miss rate. */
  readonly authorizerInvocationsPerTurn: number;
}

export interface CostInputs {
  readonly prices: PriceTable;
  readonly turn: TurnShape;
  readonly lambda: LambdaShape;
  readonly calls: TurnTotals;
  /** AssumeRole calls per turn (the session cache's miss rate). */
  readonly stsCallsPerTurn: number;
}

export const COST_PARTS = ['model', 'lambda', 'dynamodb', 's3', 's3vectors', 'sts', 'apiGateway'] as const;
export type CostPart = (typeof COST_PARTS)[number];

export interface CostPer1000Turns {
  readonly usd: Readonly<Record<CostPart, number>> & { readonly total: number };
  /** The model's part of the total. */
  readonly modelShare: number;
  /** What 1,000 turns use, for checking the arithmetic. */
  readonly usage: {
    readonly lambdaGbSeconds: number;
    readonly lambdaRequests: number;
    readonly writeUnits: number;
    readonly readUnits: number;
    readonly stsCalls: number;
    readonly apiRequests: number;
  };
}

/** The cost of 1,000 turns, by service. */
export function costPer1000Turns(inputs: CostInputs): CostPer1000Turns {
  const { prices, turn, lambda, calls } = inputs;
  const turns = 1_000;
  const model = prices.bedrock[turn.modelId];
  if (model === undefined) throw new Error(`the price table has no price for ${turn.modelId}`);
  const lambdaGbSeconds =
    turns *
    ((lambda.functionMemoryMb / 1024) * lambda.functionSeconds +
      (lambda.authorizerMemoryMb / 1024) * lambda.authorizerSeconds * lambda.authorizerInvocationsPerTurn);
  const lambdaRequests = turns * (1 + lambda.authorizerInvocationsPerTurn);
  const writeUnits = turns * calls.writeUnits;
  const readUnits = turns * calls.readUnits;
  const stsCalls = turns * inputs.stsCallsPerTurn;
  const usd = {
    model:
      turns *
      calls.modelCalls *
      ((turn.inputTokens * model.inputPerMillionTokens + turn.outputTokens * model.outputPerMillionTokens) /
        1e6),
    lambda:
      lambdaGbSeconds * prices.lambda.arm64PerGbSecond +
      (lambdaRequests * prices.lambda.perMillionRequests) / 1e6,
    dynamodb:
      (writeUnits * prices.dynamodb.perMillionWriteRequestUnits +
        readUnits * prices.dynamodb.perMillionReadRequestUnits) /
      1e6,
    // A no-tool turn reads no object; counted as GETs when a profile has some.
    s3: (turns * calls.s3Requests * prices.s3.perThousandGetRequests) / 1e3,
    s3vectors: (turns * calls.s3VectorsQueries * prices.s3vectors.perMillionQueryRequests) / 1e6,
    sts: stsCalls * prices.sts.perAssumeRole,
    apiGateway: (turns * prices.apiGateway.restPerMillionRequests) / 1e6,
  };
  const total = COST_PARTS.reduce((sum, part) => sum + usd[part], 0);
  return {
    usd: { ...usd, total },
    modelShare: total === 0 ? 0 : usd.model / total,
    usage: { lambdaGbSeconds, lambdaRequests, writeUnits, readUnits, stsCalls, apiRequests: turns },
  };
}

/**
 * What one chat turn without a tool does to AWS, counted from the code (the bench's
 * bench/results/latest.json measures the total: POST /v1/chat (no tool) = 11 calls with a warm
 * session), and which of its writes land on a tenant's hot partitions.
 *
 * Write units: a standard write of an item ≤ 1 KB is 1 WRU, a transactional one 2 WRU per item; a
 * strongly consistent read ≤ 4 KB is 1 RRU (ScopedTable reads are ConsistentRead). A conditional
 * write that fails its condition still consumes its units, so refused requests count too.
 */
import { rateShardsFor, TIER_BUDGETS, TIER_RATE_LIMITS } from '../../lambdas/admission/tier-limits.js';
import { USAGE_CELL_SHARDS } from '../../lambdas/metering/usage-keys.js';
import type { Tier } from '../../lambdas/tenancy/request-context.js';

export const TRANSACTIONAL_UNITS_PER_ITEM = 2;
/** DynamoDB's throughput limit of one partition (and so of one item): 1,000 WCU/s. */
export const PARTITION_WRITE_UNITS_PER_SECOND = 1_000;

export type AwsService = 'dynamodb' | 'bedrock' | 's3' | 's3vectors' | 'sts';

export interface AwsCall {
  readonly service: AwsService;
  readonly operation: string;
  readonly what: string;
  readonly writeUnits: number;
  readonly readUnits: number;
}

const tx = (items: number) => items * TRANSACTIONAL_UNITS_PER_ITEM;

/** The calls of a no-tool chat turn that starts a new chat session, with a cached tenant session. */
export const NO_TOOL_CHAT_TURN: readonly AwsCall[] = Object.freeze([
  {
    service: 'dynamodb',
    operation: 'UpdateItem',
    what: "admission: the user's requests and tokens per minute (request-admission.ts; with the next, one round trip)",
    writeUnits: 1,
    readUnits: 0,
  },
  {
    service: 'dynamodb',
    operation: 'UpdateItem',
    what: "admission: a tenant shard's requests, tokens and in-flight slots (request-admission.ts)",
    writeUnits: 1,
    readUnits: 0,
  },
  {
    service: 'dynamodb',
    operation: 'GetItem',
    what: "the tenant's agent settings (agent-settings.ts)",
    writeUnits: 0,
    readUnits: 1,
  },
  {
    service: 'dynamodb',
    operation: 'Query',
    what: "the tenant's connectors (the request's tools)",
    writeUnits: 0,
    readUnits: 1,
  },
  {
    service: 'dynamodb',
    operation: 'UpdateItem',
    what: "budget reservation: conditional ADD on the shard's counter, < 1 KB (budget-guard.ts)",
    writeUnits: 1,
    readUnits: 0,
  },
  { service: 'bedrock', operation: 'Converse', what: 'the model call', writeUnits: 0, readUnits: 0 },
  {
    service: 'dynamodb',
    operation: 'TransactWriteItems',
    what: 'metering + settlement: usage record + usage cell + budget shard counter (metering.ts)',
    writeUnits: tx(3),
    readUnits: 0,
  },
  {
    service: 'dynamodb',
    operation: 'UpdateItem',
    what: "the call's tokens on the user's item (request-admission.ts; alongside settlement and metering)",
    writeUnits: 1,
    readUnits: 0,
  },
  {
    service: 'dynamodb',
    operation: 'UpdateItem',
    what: "the call's tokens and the in-flight slot's release on the tenant shard (request-admission.ts)",
    writeUnits: 1,
    readUnits: 0,
  },
  {
    service: 'dynamodb',
    operation: 'PutItem',
    what: 'the new chat session (chat-sessions.ts)',
    writeUnits: 1,
    readUnits: 0,
  },
  {
    service: 'dynamodb',
    operation: 'BatchWriteItem',
    what: "the turn's two messages (chat-sessions.ts)",
    writeUnits: 2,
    readUnits: 0,
  },
]);

export interface TurnTotals {
  readonly awsCalls: number;
  readonly dynamodbCalls: number;
  readonly writeUnits: number;
  readonly readUnits: number;
  readonly s3Requests: number;
  readonly s3VectorsQueries: number;
  readonly modelCalls: number;
}

export function turnTotals(calls: readonly AwsCall[]): TurnTotals {
  const count = (service: AwsService) => calls.filter((call) => call.service === service).length;
  return {
    awsCalls: calls.length,
    dynamodbCalls: count('dynamodb'),
    writeUnits: calls.reduce((sum, call) => sum + call.writeUnits, 0),
    readUnits: calls.reduce((sum, call) => sum + call.readUnits, 0),
    s3Requests: count('s3'),
    s3VectorsQueries: count('s3vectors'),
    modelCalls: count('bedrock'),
  };
}

/** One of a tenant's partitions every turn writes to, and the write units it takes per turn. */
export interface HotPartition {
  readonly name: string;
  readonly key: string;
  readonly unitsPerTurn: number;
}

/**
 * The tenant-wide partitions a turn writes, with units per turn on the one partition a turn picks
 * (shards spread turns evenly). Per-user partitions are left out: one user's rate is far smaller.
 */
export function tenantHotPartitions(tier: Tier): HotPartition[] {
  const budgetShards = TIER_BUDGETS[tier].shards;
  const admissionShards = rateShardsFor(TIER_RATE_LIMITS[tier]);
  return [
    {
      name: `admission shard (${admissionShards} per tenant)`,
      key: '<t>#t#rate#s<N> · admission',
      // Admission (one UpdateItem, admitted or refused) and, after the model, the tokens and the
      // in-flight release (one more) — both on the shard the request picked (request-admission.ts).
      unitsPerTurn: 2 / admissionShards,
    },
    {
      name: `budget shard (${budgetShards} per tenant-month)`,
      key: '<t>#t#budget#<month>#s<N> · counter',
      // Reserve: an UpdateItem of the counter; settle: the counter in the metering transaction.
      unitsPerTurn: (1 + tx(1)) / budgetShards,
    },
    {
      name: `usage cells (${USAGE_CELL_SHARDS} shards by user)`,
      key: '<t>#t#usage-cells#<month>#s<N> · <user>#<day>#model#<model>',
      // One cell in the metering transaction; a cell takes one user's calls, a shard many users'.
      unitsPerTurn: tx(1) / USAGE_CELL_SHARDS,
    },
  ];
}

/** The tier's tenant-wide request limit per second. */
export function tenantRateLimitPerSecond(tier: Tier): number {
  return TIER_RATE_LIMITS[tier].tenantPerMinute / 60;
}

/** The turns/s of one tenant at which a partition reaches DynamoDB's 1,000 WCU/s. */
export function turnsAtPartitionLimit(partition: Pick<HotPartition, 'unitsPerTurn'>): number {
  return PARTITION_WRITE_UNITS_PER_SECOND / partition.unitsPerTurn;
}

/**
 * Reading usage cells (usage-keys.ts): every cell of a tenant-month, or one
 * user's, each with its user, day, model and counters. Every usage report is
 * a sum of these.
 */

import { itemsOf } from '../tenancy/partition-items.js';
import type { ScopedTable } from '../tenancy/scoped-table.js';
import {
  parseUsageCellKey,
  USAGE_CELL_SHARDS,
  usageCellPartition,
  usageCellPrefix,
  usageCellShardOf,
} from './usage-keys.js';

/** Counters as stored (integer nano-USD, so sums are exact); absent ones are 0. */
export interface UsageCounters {
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly calls: number;
  readonly costNanoUsd: number;
  readonly requests: number;
  readonly connectorCalls: number;
}

export const NO_USAGE: UsageCounters = {
  inputTokens: 0,
  outputTokens: 0,
  calls: 0,
  costNanoUsd: 0,
  requests: 0,
  connectorCalls: 0,
};

export interface UsageCell {
  readonly userId: string;
  readonly day: string;
  /** Undefined for a cell of connector calls. */
  readonly modelId?: string;
  readonly priceVersion?: string;
  readonly counters: UsageCounters;
}

/** The sum of two sets of counters. */
export function plus(a: UsageCounters, b: UsageCounters): UsageCounters {
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    calls: a.calls + b.calls,
    costNanoUsd: a.costNanoUsd + b.costNanoUsd,
    requests: a.requests + b.requests,
    connectorCalls: a.connectorCalls + b.connectorCalls,
  };
}

function cellOf(sk: string, attributes: Readonly<Record<string, unknown>>): UsageCell {
  const count = (name: keyof UsageCounters) => Number(attributes[name] ?? 0);
  const { priceVersion } = attributes;
  return {
    ...parseUsageCellKey(sk),
    ...(typeof priceVersion === 'string' ? { priceVersion } : {}),
    counters: {
      inputTokens: count('inputTokens'),
      outputTokens: count('outputTokens'),
      calls: count('calls'),
      costNanoUsd: count('costNanoUsd'),
      requests: count('requests'),
      connectorCalls: count('connectorCalls'),
    },
  };
}

/** Every cell of the tenant's `month`: one query per shard (and per page). */
export async function monthCells(table: Pick<ScopedTable, 'query'>, month: string): Promise<UsageCell[]> {
  const shards = await Promise.all(
    Array.from({ length: USAGE_CELL_SHARDS }, (_, shard) => itemsOf(table, usageCellPartition(month, shard))),
  );
  return shards.flat().map(({ sk, attributes }) => cellOf(sk, attributes));
}

/** The cells of one user in `month`: one query. */
export async function userMonthCells(
  table: Pick<ScopedTable, 'query'>,
  userId: string,
  month: string,
): Promise<UsageCell[]> {
  const items = await itemsOf(table, usageCellPartition(month, usageCellShardOf(userId)), {
    skBeginsWith: usageCellPrefix(userId),
  });
  return items.map(({ sk, attributes }) => cellOf(sk, attributes));
}

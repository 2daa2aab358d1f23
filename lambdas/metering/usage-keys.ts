/**
 * Where usage lives in the tenant table (all under the tenant's own keys):
 *
 *   one record per model call     <tenant>#u#<user>#usage-records            sk call#<requestId>#<callIndex>
 *   usage cells of the month       <tenant>#t#usage-cells#YYYY-MM#s<N>         sk <user>#<YYYY-MM-DD>#model#<modelId>
 *                                                                                <user>#<YYYY-MM-DD>#connectors
 *
 * A usage cell is one user's usage of one model on one day (inputTokens,
 * outputTokens, calls, costNanoUsd, requests, priceVersion), or that user's
 * connector calls on that day. Metering adds each call to exactly one cell, in
 * the same transaction as its record (exactly once, see metering.ts). Every
 * report is a sum of cells: the user's month (MonthlyUsage: the user's cells),
 * the tenant's month and its breakdowns by user, model and day (tenant-costs.ts:
 * every cell of the month). The record's key has no month in it, so a retry
 * that crosses midnight at the month's end still finds (and skips) the record
 * it already wrote.
 *
 * Why cells and not one aggregate per dimension: a call used to add to six
 * items (user month, tenant month, three breakdowns, each sharded), 12 write
 * units in its transaction; a cell is one item, 2 units, and holds every
 * dimension at once. A cell takes the writes of one user only (≤ the user's
 * rate limit), and the month's cells are spread over USAGE_CELL_SHARDS
 * partitions by user, so no tenant-wide item or partition takes every call.
 * The price: a cost report reads every cell of the month (users × active days
 * × models items) instead of a few aggregates.
 */
import { createHash } from 'node:crypto';
import type { ItemAddress, PartitionAddress } from '../tenancy/scoped-table.js';

/** Partitions a tenant-month's cells are spread over (by user); a report queries each. */
export const USAGE_CELL_SHARDS = 8;

export const USAGE_CELLS_COLLECTION = 'usage-cells';

/** `YYYY-MM` of a time, in UTC. */
export function monthOf(time: Date): string {
  return time.toISOString().slice(0, 7);
}

/** `YYYY-MM-DD` of a time, in UTC. */
export function dayOf(time: Date): string {
  return time.toISOString().slice(0, 10);
}

/** A user's own per-call records (a private collection). */
export const USAGE_RECORDS_COLLECTION = 'usage-records';

export function usageRecordAddress(requestId: string, callIndex: number): ItemAddress {
  return {
    visibility: 'private',
    collection: USAGE_RECORDS_COLLECTION,
    sk: `call#${requestId}#${callIndex}`,
  };
}

export function connectorCallRecordAddress(requestId: string, callIndex: number): ItemAddress {
  return {
    visibility: 'private',
    collection: USAGE_RECORDS_COLLECTION,
    sk: `connector#${requestId}#${callIndex}`,
  };
}

/** The shard of a user's cells: fixed per user, so the user's month is one partition. */
export function usageCellShardOf(userId: string): number {
  return createHash('sha256').update(userId).digest().readUInt32BE(0) % USAGE_CELL_SHARDS;
}

/** One shard of a tenant-month's cells. */
export function usageCellPartition(month: string, shard: number): PartitionAddress {
  return { visibility: 'tenant', collection: USAGE_CELLS_COLLECTION, segments: [month, `s${shard}`] };
}

/** What a cell counts: one model's calls, or the connector calls. */
export type UsageCellKind = { readonly modelId: string } | 'connectors';

/** The sort key prefix of every cell of one user (or pseudonym) in a shard. */
export function usageCellPrefix(userId: string): string {
  return `${userId}#`;
}

/** The cell of `userId`'s `kind` of usage on `day` (a `YYYY-MM-DD`). */
export function usageCellAddress(userId: string, day: string, kind: UsageCellKind): ItemAddress {
  const what = kind === 'connectors' ? 'connectors' : `model#${kind.modelId}`;
  return {
    ...usageCellPartition(day.slice(0, 7), usageCellShardOf(userId)),
    sk: `${usageCellPrefix(userId)}${day}#${what}`,
  };
}

/** A cell's user, day and model (undefined for connector cells), from its sort key. */
export function parseUsageCellKey(sk: string): { userId: string; day: string; modelId?: string } {
  const [userId = '', day = '', what = '', ...model] = sk.split('#');
  return what === 'model' ? { userId, day, modelId: model.join('#') } : { userId, day };
}

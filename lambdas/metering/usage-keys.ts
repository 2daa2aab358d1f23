/**
 * Where usage lives in the tenant table (all under the tenant's own keys):
 *
 *   one record per model call    <tenant>#u#<user>#usage-records                   sk call#<requestId>#<callIndex>
 *   user's month aggregate       <tenant>#u#<user>#usage                           sk month#YYYY-MM
 *   tenant's month aggregate     <tenant>#t#usage#YYYY-MM#s<NN>                    sk total
 *   tenant's month by user       <tenant>#t#usage-by-user#YYYY-MM#s<NN>            sk <userId>
 *   tenant's month by model      <tenant>#t#usage-by-model#YYYY-MM#s<NN>           sk <modelId>
 *   tenant's month by day        <tenant>#t#usage-by-day#YYYY-MM#s<NN>             sk YYYY-MM-DD
 *
 * Metering writes all six in one transaction (exactly once per call). The
 * record's key has no month in it, so a retry that crosses midnight at the
 * month's end still finds (and skips) the record it already wrote.
 *
 * Who reads what: the user aggregate is the one usage source MonthlyUsage
 * (get_my_usage) reads; it is user-private, so IAM shows it to that user
 * only. Tenant admins and operators read the tenant-shared aggregates: the
 * month total and the three breakdowns (cost reports). Each breakdown item
 * holds inputTokens, outputTokens, calls and costNanoUsd.
 *
 * Tenant-shared aggregates take every call of the tenant, so they are split
 * over shards (partitions) picked per request: a busy tenant does not
 * concentrate its writes on one partition. Readers sum the shards.
 */
import type { ItemAddress, PartitionAddress } from '../tenancy/scoped-table.js';

export const TENANT_USAGE_SHARDS = 8;
/** Fewer than the total's: a report queries every breakdown shard, and one item per day/model/user already spreads writes. */
export const USAGE_BREAKDOWN_SHARDS = 4;

/** The dimensions the tenant's month is broken down by. */
export const USAGE_DIMENSIONS = ['user', 'model', 'day'] as const;
export type UsageDimension = (typeof USAGE_DIMENSIONS)[number];

/** `YYYY-MM` of a time, in UTC. */
export function monthOf(time: Date): string {
  return time.toISOString().slice(0, 7);
}

/** `YYYY-MM-DD` of a time, in UTC. */
export function dayOf(time: Date): string {
  return time.toISOString().slice(0, 10);
}

/** A user's own usage: per-call records and monthly totals (private collections). */
export const USAGE_RECORDS_COLLECTION = 'usage-records';
export const USER_USAGE_COLLECTION = 'usage';

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

export function userUsageAddress(month: string): ItemAddress {
  return { visibility: 'private', collection: USER_USAGE_COLLECTION, sk: `month#${month}` };
}

export function tenantUsageAddress(month: string, shard: number): ItemAddress {
  return { visibility: 'tenant', collection: 'usage', segments: [month, `s${shard}`], sk: 'total' };
}

/** One shard of a breakdown of the tenant's month. */
export function usageBreakdownPartition(
  dimension: UsageDimension,
  month: string,
  shard: number,
): PartitionAddress {
  return { visibility: 'tenant', collection: `usage-by-${dimension}`, segments: [month, `s${shard}`] };
}

/** The item of one user, model or day (`key`) in a breakdown shard. */
export function usageBreakdownAddress(
  dimension: UsageDimension,
  month: string,
  shard: number,
  key: string,
): ItemAddress {
  return { ...usageBreakdownPartition(dimension, month, shard), sk: key };
}

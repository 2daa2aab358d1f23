/**
 * Where usage lives in the tenant table (all under the tenant's own keys):
 *
 *   one record per model call   <tenant>#u#<user>#usage-records      sk call#<requestId>#<callIndex>
 *   user's month aggregate      <tenant>#u#<user>#usage              sk month#YYYY-MM
 *   tenant's month aggregate    <tenant>#t#usage#YYYY-MM#s<NN>       sk total
 *
 * The record's key has no month in it, so a retry that crosses midnight at
 * the month's end still finds (and skips) the record it already wrote. The
 * user aggregate is the one usage source MonthlyUsage (get_my_usage) reads. The tenant aggregate is split over shards (partitions) so a busy
 * tenant does not concentrate every write on one partition.
 */
import type { ItemAddress } from '../tenancy/scoped-table.js';

export const TENANT_USAGE_SHARDS = 8;

/** `YYYY-MM` of a time, in UTC. */
export function monthOf(time: Date): string {
  return time.toISOString().slice(0, 7);
}

export function usageRecordAddress(requestId: string, callIndex: number): ItemAddress {
  return { visibility: 'private', collection: 'usage-records', sk: `call#${requestId}#${callIndex}` };
}

export function userUsageAddress(month: string): ItemAddress {
  return { visibility: 'private', collection: 'usage', sk: `month#${month}` };
}

export function tenantUsageAddress(month: string, shard: number): ItemAddress {
  return { visibility: 'tenant', collection: 'usage', segments: [month, `s${shard}`], sk: 'total' };
}

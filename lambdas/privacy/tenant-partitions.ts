/**
 * Every partition a tenant's data can be in, derived — never scanned for: its shared collections,
 * the month-and-shard partitions of its usage and budget from its first month to now, the private
 * collections of every member in its member directory, the usage kept for erased users, and its
 * audit trail. The member directory comes last, so a crash half-way still finds everyone.
 */

import { ADMISSION_COLLECTION, tenantAdmissionPartition } from '../admission/admission-items.js';
import { BUDGET_COLLECTION } from '../admission/budget-guard.js';
import { MAX_BUDGET_SHARDS, MAX_RATE_SHARDS } from '../admission/tier-limits.js';
import { AGENT_SETTINGS_COLLECTION } from '../agent/agent-settings.js';
import { AUDIT_CHAINS } from '../audit/audit-trail.js';
import { CONNECTORS } from '../connectors/connector-store.js';
import { SESSION_SK_PREFIX } from '../conversations/chat-sessions.js';
import { DOCUMENTS_COLLECTION } from '../documents/document-library.js';
import { USAGE_CELL_SHARDS, USAGE_CELLS_COLLECTION } from '../metering/usage-keys.js';
import { itemsOf } from '../tenancy/partition-items.js';
import type { PartitionAddress, ScopedTable } from '../tenancy/scoped-table.js';
import {
  ERASED_COLLECTIONS,
  PER_SESSION_COLLECTION,
  PSEUDONYMISED_COLLECTIONS,
} from './private-collections.js';
import { MEMBERS_PARTITION, membersOf } from './tenant-members.js';
import { ERASED_USAGE_COLLECTION } from './user-erasure.js';

/** A partition and the user whose private space it is in (tenant and audit partitions: any). */
export interface OwnedPartition {
  readonly userId?: string;
  readonly partition: PartitionAddress;
}

/** The tenant's shared partitions with one partition per month and shard. */
function monthlyPartitions(months: readonly string[]): PartitionAddress[] {
  const sharded = (collection: string, shards: number) =>
    months.flatMap((month) =>
      Array.from({ length: shards }, (_, shard) => ({
        visibility: 'tenant' as const,
        collection,
        segments: [month, `s${shard}`],
      })),
    );
  return [
    ...sharded(USAGE_CELLS_COLLECTION, USAGE_CELL_SHARDS),
    ...sharded(BUDGET_COLLECTION, MAX_BUDGET_SHARDS),
  ];
}

/** The private partitions of one member (messages need the session ids: `sessionIds`). */
export function memberPartitions(userId: string, sessionIds: readonly string[]): OwnedPartition[] {
  const single = [...ERASED_COLLECTIONS, ...PSEUDONYMISED_COLLECTIONS].map((collection) => ({
    userId,
    partition: { visibility: 'private' as const, collection },
  }));
  const messages = sessionIds.map((id) => ({
    userId,
    partition: { visibility: 'private' as const, collection: PER_SESSION_COLLECTION, segments: [id] },
  }));
  // Messages before the sessions partition that names them.
  return [...messages, ...single];
}

/** Everything of the tenant but its members' private partitions, the member directory last. */
export function sharedPartitions(months: readonly string[], pseudonyms: readonly string[]): OwnedPartition[] {
  const shared: PartitionAddress[] = [
    { visibility: 'tenant', collection: DOCUMENTS_COLLECTION },
    CONNECTORS,
    { visibility: 'tenant', collection: AGENT_SETTINGS_COLLECTION },
    { visibility: 'tenant', collection: ADMISSION_COLLECTION },
    ...Array.from({ length: MAX_RATE_SHARDS }, (_, shard) => tenantAdmissionPartition(shard)),
    ...monthlyPartitions(months),
    ...pseudonyms.map((pseudonym) => ({
      visibility: 'tenant' as const,
      collection: ERASED_USAGE_COLLECTION,
      segments: [pseudonym],
    })),
    ...Array.from({ length: AUDIT_CHAINS }, (_, chain) => ({
      visibility: 'audit' as const,
      collection: 'audit',
      segments: [`s${chain}`],
    })),
    { visibility: 'audit', collection: 'audit', segments: ['digest'] },
    MEMBERS_PARTITION,
  ];
  return shared.map((partition) => ({ partition }));
}

/**
 * Every partition the tenant's items can be in, each with the user whose space it is in: every
 * member's (from the member directory, their chat sessions found in their sessions partition),
 * then the shared ones, the member directory last. `tableFor(userId)` addresses that user's space;
 * `sharedOwner` is any user id (shared and audit partitions belong to no one).
 */
export async function tenantItemPartitions(
  tableFor: (userId: string) => Pick<ScopedTable, 'query'>,
  sharedOwner: string,
  months: readonly string[],
): Promise<OwnedPartition[]> {
  const { userIds, pseudonyms } = await membersOf(tableFor(sharedOwner));
  const partitions: OwnedPartition[] = [];
  for (const userId of userIds) {
    const sessions = await itemsOf(tableFor(userId), { visibility: 'private', collection: 'sessions' });
    const sessionIds = sessions
      .filter((item) => item.sk.startsWith(SESSION_SK_PREFIX))
      .map((item) => item.sk.slice(SESSION_SK_PREFIX.length));
    partitions.push(...memberPartitions(userId, sessionIds));
  }
  partitions.push(...sharedPartitions(months, pseudonyms));
  return partitions;
}

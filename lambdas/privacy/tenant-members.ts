/**
 * The tenant's member directory: every user who has had a session in the tenant, and the
 * pseudonym of every erased one. Erasing a tenant finds each user's private partitions through it
 * instead of scanning the table. A member is recorded once per new tenant session (as STS issues
 * it, about once an hour per user and execution environment), not per request.
 */
import type { PartitionAddress, ScopedTable } from '../tenancy/scoped-table.js';

export const MEMBERS_PARTITION: PartitionAddress = { visibility: 'tenant', collection: 'members' };
const USER_PREFIX = 'user#';
const ERASED_PREFIX = 'erased#';

export interface TenantMembers {
  readonly userIds: readonly string[];
  /** Pseudonyms of erased users (their usage lives under `erased-usage#<pseudonym>`). */
  readonly pseudonyms: readonly string[];
}

/** Records that `userId` has a session in the table's tenant (idempotent). */
export async function recordMember(table: Pick<ScopedTable, 'put'>, userId: string): Promise<void> {
  await table.put({ ...MEMBERS_PARTITION, sk: `${USER_PREFIX}${userId}` }, { userId });
}

/** After a user's erasure: the user id goes, the pseudonym stays (their usage is kept under it). */
export async function recordErasure(
  table: Pick<ScopedTable, 'batchWrite'>,
  userId: string,
  pseudonym: string,
): Promise<void> {
  await table.batchWrite({
    puts: [
      { address: { ...MEMBERS_PARTITION, sk: `${ERASED_PREFIX}${pseudonym}` }, attributes: { pseudonym } },
    ],
    deletes: [{ ...MEMBERS_PARTITION, sk: `${USER_PREFIX}${userId}` }],
  });
}

export async function membersOf(table: Pick<ScopedTable, 'query'>): Promise<TenantMembers> {
  const userIds: string[] = [];
  const pseudonyms: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await table.query(MEMBERS_PARTITION, cursor === undefined ? {} : { cursor });
    for (const { sk } of page.items) {
      if (sk.startsWith(USER_PREFIX)) userIds.push(sk.slice(USER_PREFIX.length));
      else if (sk.startsWith(ERASED_PREFIX)) pseudonyms.push(sk.slice(ERASED_PREFIX.length));
    }
    cursor = page.cursor;
  } while (cursor !== undefined);
  return { userIds, pseudonyms };
}

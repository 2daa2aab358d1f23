/**
 * Erasing one user (GDPR article 17): every private item (chat history, memory, private
 * documents, approvals, connections and their sealed tokens, idempotency records, rate
 * counters), every vector and every stored version and delete marker of their private objects,
 * and their role assignment. Usage keeps its cost but loses the user: per-call records move to
 * the tenant's usage under a stable pseudonym (the user's opaque audit actor id), and the user's
 * usage cells (usage-keys.ts) are re-keyed to it, so cost totals never change. The audit trail
 * already names users only by that pseudonym.
 *
 * Every step deletes or moves what is still there, so a rerun after a crash finishes the job and
 * a rerun after success finds nothing (all counts 0).
 */
import * as z from 'zod';
import { messagesPartition, SESSION_SK_PREFIX, SESSIONS_COLLECTION } from '../conversations/chat-sessions.js';
import { userMonthCells } from '../metering/usage-cells.js';
import { usageCellAddress } from '../metering/usage-keys.js';
import { itemsOf } from '../tenancy/partition-items.js';
import type { ScopedObjectVersions } from '../tenancy/scoped-object-versions.js';
import type { PartitionAddress, ScopedTable } from '../tenancy/scoped-table.js';
import type { ScopedVectorIndex } from '../tenancy/scoped-vector-index.js';
import { ERASED_COLLECTIONS, PSEUDONYMISED_COLLECTIONS } from './private-collections.js';
import { recordErasure } from './tenant-members.js';

/** Where erased users' usage lives: a tenant partition per pseudonym. */
export const ERASED_USAGE_COLLECTION = 'erased-usage';

export const UserErasureReceiptSchema = z
  .object({
    tenantId: z.string(),
    /** The erased user's stable pseudonym (their audit actor id); the user id itself is not kept. */
    pseudonym: z.string(),
    startedAt: z.iso.datetime(),
    finishedAt: z.iso.datetime(),
    counts: z.object({
      items: z.number().int().nonnegative().describe('Private items deleted (messages included)'),
      chatSessions: z.number().int().nonnegative(),
      vectors: z.number().int().nonnegative(),
      objectVersions: z.number().int().nonnegative(),
      deleteMarkers: z.number().int().nonnegative(),
      usageItemsPseudonymised: z.number().int().nonnegative(),
      costBreakdownsPseudonymised: z
        .number()
        .int()
        .nonnegative()
        .describe('Usage cells (a day’s usage of one model) re-keyed to the pseudonym'),
      roleAssignments: z.number().int().nonnegative(),
    }),
  })
  .meta({ id: 'UserErasureReceipt', description: 'What the erasure of a user removed, by kind' });
export type UserErasureReceipt = z.infer<typeof UserErasureReceiptSchema>;

export interface UserErasureTargets {
  /** The tenant table through a tenant session tagged with the erased user. */
  readonly table: Pick<ScopedTable, 'query' | 'batchWrite' | 'get' | 'transactWrite'>;
  /** The tenant's vector index through the same session. */
  readonly vectors: Pick<ScopedVectorIndex, 'list' | 'delete'>;
  /** Every version of the user's private objects, through a user eraser session. */
  readonly objects: Pick<ScopedObjectVersions, 'purgePrivate'>;
  /** Removes the user's role assignment; false when there was none. */
  readonly removeRoles: () => Promise<boolean>;
}

export interface UserErasureRequest {
  readonly tenantId: string;
  readonly userId: string;
  readonly pseudonym: string;
  /** The months whose usage cells may name the user (the tenant's, up to now). */
  readonly months: readonly string[];
}

/** Deletes every item of a partition; how many. */
async function emptyPartition(
  table: UserErasureTargets['table'],
  partition: PartitionAddress,
): Promise<number> {
  const items = await itemsOf(table, partition);
  if (items.length > 0)
    await table.batchWrite({ deletes: items.map((item) => ({ ...partition, sk: item.sk })) });
  return items.length;
}

export async function eraseUser(
  request: UserErasureRequest,
  targets: UserErasureTargets,
  now: () => Date = () => new Date(),
): Promise<UserErasureReceipt> {
  const startedAt = now().toISOString();
  const { table } = targets;
  const sessions: PartitionAddress = { visibility: 'private', collection: SESSIONS_COLLECTION };
  // Messages first: their partitions are found through the session items, deleted after them.
  const sessionIds = (await itemsOf(table, sessions))
    .filter((item) => item.sk.startsWith(SESSION_SK_PREFIX))
    .map((item) => item.sk.slice(SESSION_SK_PREFIX.length));
  let items = 0;
  for (const id of sessionIds) items += await emptyPartition(table, messagesPartition(id));
  for (const collection of ERASED_COLLECTIONS)
    items += await emptyPartition(table, { visibility: 'private', collection });

  let usageItemsPseudonymised = 0;
  const erasedUsage: PartitionAddress = {
    visibility: 'tenant',
    collection: ERASED_USAGE_COLLECTION,
    segments: [request.pseudonym],
  };
  for (const collection of PSEUDONYMISED_COLLECTIONS) {
    const partition: PartitionAddress = { visibility: 'private', collection };
    const usage = await itemsOf(table, partition);
    if (usage.length === 0) continue;
    // Copies first (same key, same content: a rerun rewrites them), then the originals go.
    await table.batchWrite({
      puts: usage.map((item) => ({
        address: { ...erasedUsage, sk: `${collection}#${item.sk}` },
        attributes: item.attributes,
      })),
    });
    await table.batchWrite({ deletes: usage.map((item) => ({ ...partition, sk: item.sk })) });
    usageItemsPseudonymised += usage.length;
  }

  let costBreakdownsPseudonymised = 0;
  for (const month of request.months) {
    for (const cell of await userMonthCells(table, request.userId, month)) {
      const kind = cell.modelId === undefined ? 'connectors' : { modelId: cell.modelId };
      // One transaction: the cost moves to the pseudonym, never counted twice or lost. Added to,
      // not put: a call metered after an earlier run moved the day's cell is merged on a rerun.
      if (
        await table.transactWrite([
          {
            kind: 'add',
            address: usageCellAddress(request.pseudonym, cell.day, kind),
            add: { ...cell.counters },
            ...(cell.priceVersion === undefined ? {} : { set: { priceVersion: cell.priceVersion } }),
          },
          { kind: 'delete', address: usageCellAddress(request.userId, cell.day, kind), mustExist: true },
        ])
      )
        costBreakdownsPseudonymised += 1;
    }
  }

  let vectors = 0;
  let cursor: string | undefined;
  do {
    const page = await targets.vectors.list(cursor === undefined ? {} : { cursor });
    const own = page.vectors.filter((vector) => vector.visibility === 'private');
    if (own.length > 0) await targets.vectors.delete(own.map(({ key, visibility }) => ({ key, visibility })));
    vectors += own.length;
    cursor = page.cursor;
  } while (cursor !== undefined);

  const { objectVersions, deleteMarkers } = await targets.objects.purgePrivate();
  const roleAssignments = (await targets.removeRoles()) ? 1 : 0;
  // Last: the member directory forgets the user id and keeps the pseudonym (its usage partition).
  await recordErasure(table, request.userId, request.pseudonym);
  return {
    tenantId: request.tenantId,
    pseudonym: request.pseudonym,
    startedAt,
    finishedAt: now().toISOString(),
    counts: {
      items,
      chatSessions: sessionIds.length,
      vectors,
      objectVersions,
      deleteMarkers,
      usageItemsPseudonymised,
      costBreakdownsPseudonymised,
      roleAssignments,
    },
  };
}

/** `YYYY-MM` of every month from `from` to `to`, inclusive. */
export function monthsBetween(from: Date, to: Date): string[] {
  const months: string[] = [];
  const cursor = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), 1));
  while (cursor <= to) {
    months.push(cursor.toISOString().slice(0, 7));
    cursor.setUTCMonth(cursor.getUTCMonth() + 1);
  }
  return months;
}

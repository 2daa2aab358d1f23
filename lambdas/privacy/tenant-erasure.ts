/**
 * Erasing an offboarded tenant, as a resumable job. Steps run in a fixed order and each is
 * recorded as done (with its counts) before the next begins, so a crash half-way continues where
 * it stopped and a finished step never runs twice:
 *
 *   finalCosts  the final cost statement, every month from the tenant's first (kept in the receipt)
 *   secrets     the connector keys, named in the connector records (read before the items go)
 *   objects     every object version and delete marker under `tenants/<tenant>/`
 *   vectors     the tenant's vector index
 *   items       every item of every partition (tenant-partitions.ts: derived, never scanned);
 *               counts are saved after each partition, so a crash inside the step loses none
 *   silo        a silo tenant's emptied silo stack is deleted (CloudFormation removes its table,
 *               buckets, vector bucket and key)
 *   registry    role assignments; then the tenant record goes and the signed receipt stays
 *
 * Data access is the tenant eraser role's (a session tagged with the tenant): no read of objects,
 * no write of items, nothing of another tenant. The receipt is signed with the audit digest key.
 */
import * as z from 'zod';
import { connectorSecretNames } from '../connectors/connector-store.js';
import { readTenantCosts, TenantCostsSchema } from '../metering/tenant-costs.js';
import type { TenantRecord } from '../registry/tenant-record.js';
import { itemsOf } from '../tenancy/partition-items.js';
import type { PurgedVersions } from '../tenancy/scoped-object-versions.js';
import type { ScopedTable } from '../tenancy/scoped-table.js';
import { tenantItemPartitions } from './tenant-partitions.js';
import { monthsBetween } from './user-erasure.js';

export const ERASURE_STEPS = [
  'finalCosts',
  'secrets',
  'objects',
  'vectors',
  'items',
  'silo',
  'registry',
] as const;
export type ErasureStep = (typeof ERASURE_STEPS)[number];

const CountsSchema = z.object({
  items: z.number().int().nonnegative(),
  objectVersions: z.number().int().nonnegative(),
  deleteMarkers: z.number().int().nonnegative(),
  vectorIndexes: z.number().int().nonnegative(),
  secrets: z.number().int().nonnegative(),
  roleAssignments: z.number().int().nonnegative(),
});
export type ErasureCounts = z.infer<typeof CountsSchema>;

const NO_COUNTS: ErasureCounts = {
  items: 0,
  objectVersions: 0,
  deleteMarkers: 0,
  vectorIndexes: 0,
  secrets: 0,
  roleAssignments: 0,
};

export const ErasureProgressSchema = z.object({
  startedAt: z.iso.datetime(),
  done: z.array(z.enum(ERASURE_STEPS)),
  counts: CountsSchema,
  finalCosts: z.array(TenantCostsSchema),
});
export type ErasureProgress = z.infer<typeof ErasureProgressSchema>;

/** What stays of an erased tenant: what was erased, when, the final costs — signed. */
export const ErasureReceiptBodySchema = z
  .object({
    tenantId: z.string(),
    tier: z.string(),
    startedAt: z.iso.datetime(),
    finishedAt: z.iso.datetime(),
    counts: CountsSchema,
    finalCosts: z.array(TenantCostsSchema),
    /** A silo tenant's silo stack, emptied and then deleted (its table, buckets, vector bucket and key). */
    siloStackDeleted: z.string().optional(),
  })
  .meta({
    id: 'ErasureReceiptBody',
    description: 'What stays of an erased tenant: what was erased, when, the final costs',
  });
export type ErasureReceiptBody = z.infer<typeof ErasureReceiptBodySchema>;

/** The receipt as stored: its body as signed (JSON text), the signature (DER, base64) and the key. */
export const SignedErasureReceiptSchema = z
  .object({
    body: z.string(),
    signature: z.string(),
    keyId: z.string(),
  })
  .meta({
    id: 'SignedErasureReceipt',
    description: 'The erasure receipt as signed: its body (JSON text), the signature and the key',
  });
export type SignedErasureReceipt = z.infer<typeof SignedErasureReceiptSchema>;

export interface TenantErasureDependencies {
  readonly tenant: TenantRecord;
  /** The price table version new usage is priced with (what a month without usage reports). */
  readonly priceVersion: string;
  /** The tenant's table through the eraser session, addressing `userId`'s private space. */
  readonly tableFor: (userId: string) => Pick<ScopedTable, 'query' | 'delete' | 'get' | 'batchGet'>;
  readonly objects: { purgeTenant(): Promise<PurgedVersions> };
  readonly index: { deleteIndex(): Promise<boolean> };
  readonly deleteSecret: (secretName: string) => Promise<void>;
  readonly records: {
    progress(): Promise<ErasureProgress | undefined>;
    saveProgress(progress: ErasureProgress): Promise<void>;
    deleteRoleAssignments(): Promise<number>;
    /** Removes the tenant record and the progress, keeps the receipt. */
    finish(receipt: SignedErasureReceipt): Promise<void>;
  };
  readonly sign: (text: string) => Promise<{ signature: string; keyId: string }>;
  /** A silo tenant's silo: its stack's name, and deleting it (once every item, object and vector is gone). */
  readonly silo?: { readonly stackName: string; delete(): Promise<void> };
  readonly now?: () => Date;
}

/** The table's owner for shared and audit partitions (its user id addresses no private space). */
const ERASER_USER = 'tenant-eraser';

export async function eraseTenant(deps: TenantErasureDependencies): Promise<SignedErasureReceipt> {
  const now = deps.now ?? (() => new Date());
  let progress: ErasureProgress = (await deps.records.progress()) ?? {
    startedAt: now().toISOString(),
    done: [],
    counts: NO_COUNTS,
    finalCosts: [],
  };
  const record = async (changes: Partial<ErasureProgress>) => {
    progress = { ...progress, ...changes };
    await deps.records.saveProgress(progress);
  };
  const count = (changes: Partial<ErasureCounts>) => ({ ...progress.counts, ...changes });
  const months = monthsBetween(new Date(deps.tenant.createdAt), now());
  const shared = deps.tableFor(ERASER_USER);

  for (const step of ERASURE_STEPS) {
    if (progress.done.includes(step)) continue;
    switch (step) {
      case 'finalCosts': {
        const finalCosts = await Promise.all(
          months.map((month) => readTenantCosts(shared, month, deps.priceVersion)),
        );
        await record({ finalCosts });
        break;
      }
      case 'secrets': {
        const names = await connectorSecretNames(shared);
        for (const name of names) await deps.deleteSecret(name);
        await record({ counts: count({ secrets: progress.counts.secrets + names.length }) });
        break;
      }
      case 'objects': {
        const purged = await deps.objects.purgeTenant();
        await record({
          counts: count({
            objectVersions: progress.counts.objectVersions + purged.objectVersions,
            deleteMarkers: progress.counts.deleteMarkers + purged.deleteMarkers,
          }),
        });
        break;
      }
      case 'vectors': {
        const deleted = await deps.index.deleteIndex();
        await record({ counts: count({ vectorIndexes: progress.counts.vectorIndexes + (deleted ? 1 : 0) }) });
        break;
      }
      case 'items': {
        for (const { userId, partition } of await tenantItemPartitions(deps.tableFor, ERASER_USER, months)) {
          const table = deps.tableFor(userId ?? ERASER_USER);
          const items = await itemsOf(table, partition);
          if (items.length === 0) continue;
          for (const item of items) await table.delete({ ...partition, sk: item.sk });
          await record({ counts: count({ items: progress.counts.items + items.length }) });
        }
        break;
      }
      case 'silo': {
        await deps.silo?.delete();
        break;
      }
      case 'registry': {
        const roleAssignments = await deps.records.deleteRoleAssignments();
        await record({
          counts: count({ roleAssignments: progress.counts.roleAssignments + roleAssignments }),
        });
        break;
      }
    }
    await record({ done: [...progress.done, step] });
  }

  const body: ErasureReceiptBody = {
    tenantId: deps.tenant.tenantId,
    tier: deps.tenant.tier,
    startedAt: progress.startedAt,
    finishedAt: now().toISOString(),
    counts: progress.counts,
    finalCosts: progress.finalCosts,
    ...(deps.silo === undefined ? {} : { siloStackDeleted: deps.silo.stackName }),
  };
  const text = JSON.stringify(body);
  const receipt = { body: text, ...(await deps.sign(text)) };
  await deps.records.finish(receipt);
  return receipt;
}

/**
 * One tenant's whole share of one data plane (the pool's, or its silo), as the tenant mover's
 * session reaches it: its items (every partition, derived as tenant erasure derives them), its
 * objects (the current version of each key under `tenants/<tenant>/`) and its vectors. A move
 * copies one plane's share into another, compares the two summaries (count and SHA-256 per kind)
 * and erases the old share.
 *
 * Copies overwrite (puts, object and vector writes are idempotent), so a copy interrupted half-way
 * is simply done again. Objects and pages of items and vectors stream: memory holds one page, one
 * object and the vector keys' digests at a time.
 */
import { createHash, type Hash } from 'node:crypto';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { ListVectorsCommand, PutVectorsCommand } from '@aws-sdk/client-s3vectors';
import type { DataPlaneNames } from '../config.js';
import { tenantItemPartitions } from '../privacy/tenant-partitions.js';
import type { CopyReport } from '../registry/tenant-record.js';
import { S3_TENANT_ROOT, vectorIndexName } from '../tenancy/key-layout.js';
import { itemsOf } from '../tenancy/partition-items.js';
import { ScopedObjectVersions } from '../tenancy/scoped-object-versions.js';
import { ScopedTable } from '../tenancy/scoped-table.js';
import { ScopedVectorIndex } from '../tenancy/scoped-vector-index.js';
import type { TenantSession } from '../tenancy/tenant-session.js';

/** The user id the mover's sessions carry (it owns no private space: member partitions are addressed by member). */
export const TENANT_MOVER_USER_ID = 'tenant-mover';

/** PutVectors takes at most 500 vectors; ListVectors returns at most 1,000. */
const VECTOR_BATCH = 500;

type Summary = CopyReport;

export class TenantPlane {
  private constructor(
    private readonly session: TenantSession,
    private readonly names: DataPlaneNames,
    /** The months the tenant has existed in (its usage and budget partitions are per month). */
    private readonly months: readonly string[],
  ) {}

  /** The tenant's share of the plane `names`, through a mover session for that tenant. */
  static of(session: TenantSession, names: DataPlaneNames, months: readonly string[]): TenantPlane {
    return new TenantPlane(session, names, months);
  }

  get #tenantId(): string {
    return this.session.owner.tenantId;
  }

  #table(userId: string): ScopedTable {
    return new ScopedTable(this.session.dynamodb, this.names.tableName, { tenantId: this.#tenantId, userId });
  }

  get #objectPrefix(): string {
    return `${S3_TENANT_ROOT}/${this.#tenantId}/`;
  }

  /** Writes everything of this share into `target` (the same tenant's share of another plane). */
  async copyTo(target: TenantPlane): Promise<void> {
    await this.#copyItems(target);
    await this.#copyObjects(target);
    await this.#copyVectors(target);
  }

  /** How many items, objects and vectors the share holds, and a SHA-256 over each kind in a fixed order. */
  async summary(): Promise<Summary> {
    const items = counted();
    await this.#eachItem((userId, partition, item) => items.add(canonicalJson([userId, partition, item])));
    const objects = counted();
    for await (const key of this.#objectKeys()) {
      const object = await this.#getObject(key);
      objects.add(canonicalJson([key, object.contentType ?? null, sha256Hex(object.body)]));
    }
    const vectorDigests: string[] = [];
    // Digests, not the vectors (a 1,024-float vector is ~20 KB of JSON): memory stays ~64 bytes each.
    for await (const vector of this.#vectors()) vectorDigests.push(sha256Hex(canonicalJson(vector)));
    const vectors = counted();
    for (const digest of vectorDigests.sort()) vectors.add(digest);
    return { items: items.done(), objects: objects.done(), vectors: vectors.done() };
  }

  /** Erases the share: every item, every object version and delete marker, the vector index. */
  async erase(): Promise<void> {
    for (const { userId, partition } of await this.#partitions()) {
      const table = this.#table(userId ?? TENANT_MOVER_USER_ID);
      const items = await itemsOf(table, partition);
      if (items.length > 0)
        await table.batchWrite({ deletes: items.map(({ sk }) => ({ ...partition, sk })) });
    }
    await ScopedObjectVersions.of(this.session, this.names.bucketName).purgeTenant();
    await ScopedVectorIndex.of(this.session, this.names.vectorBucketName).deleteIndex();
  }

  #partitions() {
    return tenantItemPartitions((userId) => this.#table(userId), TENANT_MOVER_USER_ID, this.months);
  }

  async #eachItem(
    visit: (
      userId: string | undefined,
      partition: unknown,
      item: { sk: string; attributes: Record<string, unknown> },
    ) => void | Promise<void>,
  ): Promise<void> {
    for (const { userId, partition } of await this.#partitions()) {
      for (const item of await itemsOf(this.#table(userId ?? TENANT_MOVER_USER_ID), partition))
        await visit(userId, partition, item);
    }
  }

  async #copyItems(target: TenantPlane): Promise<void> {
    for (const { userId, partition } of await this.#partitions()) {
      const owner = userId ?? TENANT_MOVER_USER_ID;
      const items = await itemsOf(this.#table(owner), partition);
      if (items.length === 0) continue;
      await target.#table(owner).batchWrite({
        puts: items.map(({ sk, attributes }) => ({ address: { ...partition, sk }, attributes })),
      });
    }
  }

  async *#objectKeys(): AsyncGenerator<string> {
    let token: string | undefined;
    do {
      const page = await this.session.s3.send(
        new ListObjectsV2Command({
          Bucket: this.names.bucketName,
          Prefix: this.#objectPrefix,
          ...(token === undefined ? {} : { ContinuationToken: token }),
        }),
      );
      for (const object of page.Contents ?? [])
        if (object.Key?.startsWith(this.#objectPrefix) === true) yield object.Key;
      token = page.NextContinuationToken;
    } while (token !== undefined);
  }

  async #getObject(key: string): Promise<{ body: Uint8Array; contentType?: string }> {
    const output = await this.session.s3.send(
      new GetObjectCommand({ Bucket: this.names.bucketName, Key: key }),
    );
    const body = output.Body === undefined ? new Uint8Array() : await output.Body.transformToByteArray();
    return output.ContentType === undefined ? { body } : { body, contentType: output.ContentType };
  }

  async #copyObjects(target: TenantPlane): Promise<void> {
    for await (const key of this.#objectKeys()) {
      const object = await this.#getObject(key);
      await target.session.s3.send(
        new PutObjectCommand({
          Bucket: target.names.bucketName,
          Key: key,
          Body: object.body,
          ...(object.contentType === undefined ? {} : { ContentType: object.contentType }),
        }),
      );
    }
  }

  /** Every vector of the tenant's index, with its data and metadata (none when there is no index). */
  async *#vectors(): AsyncGenerator<{ key: string; data: number[]; metadata: unknown }> {
    let token: string | undefined;
    do {
      const page = await this.session.s3vectors
        .send(
          new ListVectorsCommand({
            vectorBucketName: this.names.vectorBucketName,
            indexName: vectorIndexName(this.#tenantId),
            returnData: true,
            returnMetadata: true,
            ...(token === undefined ? {} : { nextToken: token }),
          }),
        )
        .catch((err: unknown) => {
          if (err instanceof Error && err.name === 'NotFoundException')
            return { vectors: [], nextToken: undefined };
          throw err;
        });
      for (const vector of page.vectors ?? [])
        yield { key: vector.key ?? '', data: vector.data?.float32 ?? [], metadata: vector.metadata ?? {} };
      token = page.nextToken;
    } while (token !== undefined);
  }

  async #copyVectors(target: TenantPlane): Promise<void> {
    // The index exists even for a tenant with no vectors yet: onboarding made one.
    await ScopedVectorIndex.of(target.session, target.names.vectorBucketName).createIndex();
    let batch: { key: string; data: number[]; metadata: unknown }[] = [];
    const flush = async () => {
      if (batch.length === 0) return;
      await target.session.s3vectors.send(
        new PutVectorsCommand({
          vectorBucketName: target.names.vectorBucketName,
          indexName: vectorIndexName(this.#tenantId),
          vectors: batch.map(({ key, data, metadata }) => ({
            key,
            data: { float32: data },
            metadata: metadata as Record<string, string>,
          })),
        }),
      );
      batch = [];
    };
    for await (const vector of this.#vectors()) {
      batch.push(vector);
      if (batch.length === VECTOR_BATCH) await flush();
    }
    await flush();
  }
}

/** A running count and SHA-256 over entries in the order they come. */
function counted(): { add(entry: string): void; done(): { count: number; sha256: string } } {
  const hash: Hash = createHash('sha256');
  let count = 0;
  return {
    add(entry) {
      hash.update(entry).update('\n');
      count += 1;
    },
    done: () => ({ count, sha256: hash.digest('hex') }),
  };
}

function sha256Hex(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** JSON with object keys sorted at every level and bytes as base64: equal values, equal text. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => {
    if (item instanceof Uint8Array) return { bytes: Buffer.from(item).toString('base64') };
    if (item instanceof Set) return [...item].sort();
    if (item !== null && typeof item === 'object' && !Array.isArray(item))
      return Object.fromEntries(Object.entries(item).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    return item;
  });
}

/**
 * ScopedVectorIndex: the tenant's own S3 Vectors index, as one session sees it.
 *
 * IAM confines a session to its tenant's index; inside the index, user-private
 * vectors are kept apart by this module, because IAM cannot see vector
 * metadata: private keys live under the caller's own key namespace, carry
 * `owner` = userId and `visibility` metadata, and every query carries the
 * visibility filter, which callers can narrow but never drop.
 */
import {
  ConflictException,
  CreateIndexCommand,
  DeleteIndexCommand,
  DeleteVectorsCommand,
  GetVectorsCommand,
  ListVectorsCommand,
  NotFoundException,
  PutVectorsCommand,
  QueryVectorsCommand,
  type S3VectorsClient,
} from '@aws-sdk/client-s3vectors';
import { isRecord } from '../is-record.js';
import { ScopedKeyError } from './errors.js';
import { type KeyOwner, type Visibility, vectorIndexName } from './key-layout.js';
import type { TenantSession } from './tenant-session.js';

/** Titan Text Embeddings v2's default size; every tenant index uses it. */
export const VECTOR_DIMENSION = 1024;
export const MAX_TOP_K = 100;
/** Metadata keys stored for reading back only (not filterable), declared when the index is created. */
export const NON_FILTERABLE_METADATA_KEYS = ['text'] as const;

/** Metadata values S3 Vectors can filter on. */
export type MetadataValue = string | number | boolean | string[];
export type VectorMetadata = Readonly<Record<string, MetadataValue>>;
type FilterValue =
  | string
  | number
  | boolean
  | null
  | FilterValue[]
  | { [operatorOrField: string]: FilterValue };
/** A filter document in S3 Vectors' operator language ($eq, $in, $and, ...). */
export type VectorFilter = { [operatorOrField: string]: FilterValue };

/** Reserved metadata keys that carry visibility; callers cannot set them. */
const OWNER_FIELD = 'owner';
const VISIBILITY_FIELD = 'visibility';
const TENANT_KEY_PREFIX = 't/';
const USER_KEY_PREFIX = 'u/';
const MAX_KEY_LENGTH = 512;

export interface VectorInput {
  readonly key: string;
  readonly visibility: Visibility;
  readonly data: readonly number[];
  readonly metadata?: VectorMetadata;
}

export interface VectorRecord {
  readonly key: string;
  readonly visibility: Visibility;
  readonly metadata: Record<string, unknown>;
  readonly data?: readonly number[];
}

export interface VectorMatch extends VectorRecord {
  readonly distance?: number;
}

export interface VectorQuery {
  readonly vector: readonly number[];
  readonly topK: number;
  /** Narrows the results further; it is AND-ed with the visibility filter. */
  readonly filter?: VectorFilter;
}

export interface VectorAddress {
  readonly key: string;
  readonly visibility: Visibility;
}

export class ScopedVectorIndex {
  readonly #indexName: string;

  constructor(
    private readonly client: S3VectorsClient,
    private readonly vectorBucketName: string,
    private readonly owner: KeyOwner,
  ) {
    this.#indexName = vectorIndexName(owner.tenantId);
  }

  /** The scoped index of a tenant session. */
  static of(session: TenantSession, vectorBucketName: string): ScopedVectorIndex {
    return new ScopedVectorIndex(session.s3vectors, vectorBucketName, session.owner);
  }

  /** The filter every query carries: tenant-visible vectors plus the caller's own. */
  visibilityFilter(): VectorFilter {
    return { $or: [{ [VISIBILITY_FIELD]: 'tenant' }, { [OWNER_FIELD]: this.owner.userId }] };
  }

  /** Creates the tenant's index (onboarding); false when it already exists, so onboarding can be retried. */
  async createIndex(): Promise<boolean> {
    try {
      await this.client.send(
        new CreateIndexCommand({
          ...this.#target(),
          dataType: 'float32',
          dimension: VECTOR_DIMENSION,
          distanceMetric: 'cosine',
          // Chunk text rides along for citations; it is never filtered on, and non-filterable keys may be large.
          metadataConfiguration: { nonFilterableMetadataKeys: [...NON_FILTERABLE_METADATA_KEYS] },
        }),
      );
      return true;
    } catch (err) {
      if (err instanceof ConflictException) return false;
      throw err;
    }
  }

  /** Deletes the tenant's whole index (tenant erasure); false when there was none. */
  async deleteIndex(): Promise<boolean> {
    try {
      await this.client.send(new DeleteIndexCommand(this.#target()));
      return true;
    } catch (err) {
      if (err instanceof NotFoundException) return false;
      throw err;
    }
  }

  async put(vectors: readonly VectorInput[]): Promise<void> {
    await this.client.send(
      new PutVectorsCommand({
        ...this.#target(),
        vectors: vectors.map((vector) => ({
          key: this.#storedKey(vector),
          data: { float32: [...vector.data] },
          metadata: { ...checkedMetadata(vector.metadata), ...this.#visibilityMetadata(vector.visibility) },
        })),
      }),
    );
  }

  async get(
    addresses: readonly VectorAddress[],
    options: { withData?: boolean } = {},
  ): Promise<VectorRecord[]> {
    const output = await this.client.send(
      new GetVectorsCommand({
        ...this.#target(),
        keys: addresses.map((address) => this.#storedKey(address)),
        returnMetadata: true,
        returnData: options.withData === true,
      }),
    );
    return (output.vectors ?? []).flatMap((vector) => this.#visibleRecord(vector));
  }

  /** Nearest neighbours among the vectors the caller may see. */
  async query(query: VectorQuery): Promise<VectorMatch[]> {
    if (!Number.isInteger(query.topK) || query.topK < 1 || query.topK > MAX_TOP_K) {
      throw new ScopedKeyError(`topK must be an integer in 1–${MAX_TOP_K}`);
    }
    const visibility = this.visibilityFilter();
    const output = await this.client.send(
      new QueryVectorsCommand({
        ...this.#target(),
        topK: query.topK,
        queryVector: { float32: [...query.vector] },
        filter: query.filter === undefined ? visibility : { $and: [visibility, query.filter] },
        returnMetadata: true,
        returnDistance: true,
      }),
    );
    return (output.vectors ?? []).flatMap((vector) =>
      this.#visibleRecord(vector).map((record) =>
        vector.distance === undefined ? record : { ...record, distance: vector.distance },
      ),
    );
  }

  /** One page of the vectors the caller may see (keys as the caller wrote them). */
  async list(
    options: { cursor?: string; limit?: number } = {},
  ): Promise<{ vectors: VectorRecord[]; cursor?: string }> {
    const output = await this.client.send(
      new ListVectorsCommand({
        ...this.#target(),
        returnMetadata: true,
        ...(options.cursor === undefined ? {} : { nextToken: options.cursor }),
        ...(options.limit === undefined ? {} : { maxResults: options.limit }),
      }),
    );
    const vectors = (output.vectors ?? []).flatMap((vector) => this.#visibleRecord(vector));
    return output.nextToken === undefined ? { vectors } : { vectors, cursor: output.nextToken };
  }

  async delete(addresses: readonly VectorAddress[]): Promise<void> {
    await this.client.send(
      new DeleteVectorsCommand({
        ...this.#target(),
        keys: addresses.map((address) => this.#storedKey(address)),
      }),
    );
  }

  #target() {
    return { vectorBucketName: this.vectorBucketName, indexName: this.#indexName };
  }

  #visibilityMetadata(visibility: Visibility): Record<string, string> {
    return visibility === 'tenant'
      ? { [VISIBILITY_FIELD]: 'tenant' }
      : { [VISIBILITY_FIELD]: 'private', [OWNER_FIELD]: this.owner.userId };
  }

  /** Private keys are namespaced by user, so one user cannot overwrite or delete another's vector. */
  #storedKey(address: VectorAddress): string {
    if (address.key.length === 0 || address.key.length > MAX_KEY_LENGTH) {
      throw new ScopedKeyError(`vector keys must be 1–${MAX_KEY_LENGTH} characters`);
    }
    return address.visibility === 'tenant'
      ? `${TENANT_KEY_PREFIX}${address.key}`
      : `${USER_KEY_PREFIX}${this.owner.userId}/${address.key}`;
  }

  /** The caller's view of a stored vector, or nothing when it is another user's private one. */
  #visibleRecord(vector: {
    key?: string;
    metadata?: unknown;
    data?: { float32?: number[] };
  }): VectorRecord[] {
    const ownPrefix = `${USER_KEY_PREFIX}${this.owner.userId}/`;
    const key = vector.key ?? '';
    const metadata = isRecord(vector.metadata) ? vector.metadata : {};
    const { [OWNER_FIELD]: owner, [VISIBILITY_FIELD]: visibility, ...callerMetadata } = metadata;
    const data = vector.data?.float32 === undefined ? {} : { data: vector.data.float32 };
    if (key.startsWith(TENANT_KEY_PREFIX) && visibility === 'tenant') {
      return [
        { key: key.slice(TENANT_KEY_PREFIX.length), visibility: 'tenant', metadata: callerMetadata, ...data },
      ];
    }
    if (key.startsWith(ownPrefix) && visibility === 'private' && owner === this.owner.userId) {
      return [{ key: key.slice(ownPrefix.length), visibility: 'private', metadata: callerMetadata, ...data }];
    }
    return [];
  }
}

function checkedMetadata(metadata: VectorMetadata | undefined): VectorMetadata {
  if (metadata === undefined) return {};
  for (const field of [OWNER_FIELD, VISIBILITY_FIELD]) {
    if (field in metadata) throw new ScopedKeyError(`metadata field "${field}" is reserved`);
  }
  return metadata;
}

/**
 * The key layout: the contract between our code and IAM.
 *
 * The tenant policy (lib/tenant-policy.ts) grants access by key prefix, so the
 * shapes below are what isolation rests on. Change them only together with the
 * policy and the policy matrix tests.
 *
 * DynamoDB partition keys
 *   tenant-shared:  <tenantId>#t#<collection>[#...]
 *   user-private:   <tenantId>#u#<userId>#<collection>[#...]
 * S3 object keys
 *   tenant-shared:  tenants/<tenantId>/shared/...
 *   user-private:   tenants/<tenantId>/users/<userId>/...
 * S3 Vectors
 *   one index per tenant, named by the tenant id.
 * Secrets Manager
 *   <prefix>/<tenantId>/<purpose>/<name>   (prefix: the stack's, e.g. `bulkhead/tenants`)
 *
 *   audit trail:    <tenantId>#a#audit#…   (written only by the audit writer role)
 *
 * Tenant-shared keys carry their own marker (`#t#`, `/shared/`) so that the
 * tenant-wide grant can never cover another user's private keys; the audit
 * marker (`#a#`) is covered by neither, and the tenant role denies it outright.
 */
import * as z from 'zod';

/** Tenant ids: lowercase, digits and inner hyphens; 3–63 chars; never `#`, `/`, `*` or `?`. */
export const TENANT_ID_PATTERN = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;

/**
 * User ids (token `sub`): letters, digits and `. _ @ : + = -`; 1–128 chars.
 * Every character is also legal in an STS session tag value, and none of
 * `#`, `/`, `*`, `?` can appear, so a user id can never widen a key prefix.
 */
export const USER_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._@:+=-]{0,127}$/;

/** Collection names inside a partition: `documents`, `sessions`, `memory`, ... */
export const COLLECTION_PATTERN = /^[a-z][a-z0-9-]{0,39}$/;

export const TenantIdSchema = z.string().regex(TENANT_ID_PATTERN, 'invalid tenant id');
export const UserIdSchema = z.string().regex(USER_ID_PATTERN, 'invalid user id');
export const CollectionSchema = z.string().regex(COLLECTION_PATTERN, 'invalid collection name');

export type TenantId = z.infer<typeof TenantIdSchema>;
export type UserId = z.infer<typeof UserIdSchema>;

/** The session tags every tenant session carries; the tenant policy's conditions read them. */
export const TENANT_TAG_KEY = 'TenantId';
export const USER_TAG_KEY = 'UserId';
/**
 * Where the session's tenant's data lives (`pool` or `silo`), from the registry: the pool's grants
 * hold only for `pool` sessions, the silo grants only for `silo` sessions.
 */
export const PLACEMENT_TAG_KEY = 'Placement';
export const PLACEMENTS = ['pool', 'silo'] as const;
export const PlacementSchema = z.enum(PLACEMENTS);
export type Placement = z.infer<typeof PlacementSchema>;

/** The encryption context every token-vault ciphertext carries (exactly these keys): the policy reads it. */
export const VAULT_CONTEXT_KEYS = [TENANT_TAG_KEY, USER_TAG_KEY, 'ConnectorId'] as const;

/** The separator between key segments in DynamoDB partition keys. */
export const KEY_DELIMITER = '#';
/** The tenant tables' TTL attribute (epoch seconds): DynamoDB removes an item once it has passed. */
export const TABLE_TTL_ATTRIBUTE = 'expiresAt';
/** Marks tenant-shared partitions: `<tenantId>#t#...`. */
export const SHARED_MARKER = 't';
/** Marks user-private partitions: `<tenantId>#u#<userId>#...`. */
export const USER_MARKER = 'u';
/** Marks the audit partitions: `<tenantId>#a#...`, which no tenant session may touch. */
export const AUDIT_MARKER = 'a';

/** Root of every tenant's S3 objects. */
export const S3_TENANT_ROOT = 'tenants';
export const S3_SHARED_SEGMENT = 'shared';
export const S3_USERS_SEGMENT = 'users';

/** Where a piece of tenant data is visible: to the whole tenant, or to one user. */
export type Visibility = 'tenant' | 'private';

/** A DynamoDB partition's visibility: also `audit`, kept by the platform's audit writer apart from both. */
export type PartitionVisibility = Visibility | 'audit';

export interface KeyOwner {
  readonly tenantId: TenantId;
  readonly userId: UserId;
}

/** The partition key prefix (ending in `#`) that `owner` may touch for `visibility`. */
export function partitionPrefix(owner: KeyOwner, visibility: PartitionVisibility): string {
  const tenantId = TenantIdSchema.parse(owner.tenantId);
  if (visibility === 'tenant') return `${tenantId}#${SHARED_MARKER}#`;
  if (visibility === 'audit') return `${tenantId}#${AUDIT_MARKER}#`;
  const userId = UserIdSchema.parse(owner.userId);
  return `${tenantId}#${USER_MARKER}#${userId}#`;
}

/** A full partition key for `collection` (plus optional extra segments) under the owner's prefix. */
export function partitionKey(
  owner: KeyOwner,
  visibility: PartitionVisibility,
  collection: string,
  ...segments: readonly string[]
): string {
  CollectionSchema.parse(collection);
  for (const segment of segments) {
    if (segment.length === 0 || segment.includes(KEY_DELIMITER)) {
      throw new RangeError('key segments must be non-empty and contain no "#"');
    }
  }
  return [partitionPrefix(owner, visibility) + collection, ...segments].join(KEY_DELIMITER);
}

/** The S3 key prefix (ending in `/`) that `owner` may touch for `visibility`. */
export function objectPrefix(owner: KeyOwner, visibility: Visibility): string {
  const tenantId = TenantIdSchema.parse(owner.tenantId);
  if (visibility === 'tenant') return `${S3_TENANT_ROOT}/${tenantId}/${S3_SHARED_SEGMENT}/`;
  const userId = UserIdSchema.parse(owner.userId);
  return `${S3_TENANT_ROOT}/${tenantId}/${S3_USERS_SEGMENT}/${userId}/`;
}

/** The name of a tenant's S3 Vectors index. */
export function vectorIndexName(tenantId: TenantId): string {
  return TenantIdSchema.parse(tenantId);
}

/** Characters Secrets Manager allows in a name segment (and none of them widens an IAM pattern but `/`). */
const SECRET_SEGMENT_PATTERN = /^[A-Za-z0-9_+=.@-]{1,64}$/;

/**
 * The name of one of a tenant's secrets: `<prefix>/<tenantId>/<purpose>/<name>`. The tenant policy
 * lets a session reach only `<prefix>/<its tenant>/*`, and a tenant id never contains `/`, so
 * tenant `acme` can never name `acme2`'s secrets.
 */
export function tenantSecretName(prefix: string, tenantId: TenantId, purpose: string, name: string): string {
  for (const segment of [purpose, name]) {
    if (!SECRET_SEGMENT_PATTERN.test(segment)) throw new RangeError('invalid secret name segment');
  }
  return `${prefix}/${TenantIdSchema.parse(tenantId)}/${purpose}/${name}`;
}

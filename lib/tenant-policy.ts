/**
 * The ONE tenant policy source (DESIGN invariant 3).
 *
 * The CDK stack attaches this document to TenantAccessRole, the local cloud's
 * front door evaluates the same document (read back from the synthesized
 * template), and the policy matrix tests evaluate it too. Every grant is keyed
 * on the session tags `TenantId` and `UserId`, which STS sets from the verified
 * request context; the key layout lives in lambdas/tenancy/key-layout.ts.
 */

import { DIGEST_ROOT, DIGEST_SIGNING_ALGORITHM } from '../lambdas/audit/audit-digest.js';
import {
  AUDIT_MARKER,
  KEY_DELIMITER,
  PLACEMENT_TAG_KEY,
  PLACEMENTS,
  type Placement,
  S3_SHARED_SEGMENT,
  S3_TENANT_ROOT,
  S3_USERS_SEGMENT,
  SHARED_MARKER,
  TENANT_TAG_KEY,
  USER_MARKER,
  USER_TAG_KEY,
  VAULT_CONTEXT_KEYS,
} from '../lambdas/tenancy/key-layout.js';
import { isGlobalProfile, profiledFoundationModel } from '../lambdas/tenancy/model-ids.js';

/** The session's tenant id, as an IAM policy variable. */
export const TENANT_VARIABLE = `\${aws:PrincipalTag/${TENANT_TAG_KEY}}`;
const TENANT = TENANT_VARIABLE;
const USER = `\${aws:PrincipalTag/${USER_TAG_KEY}}`;

export type ConditionBlock = Record<string, Record<string, string | readonly string[]>>;

export interface PolicyStatementJson {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly NotResource?: string | readonly string[];
  readonly Principal?: Record<string, string | readonly string[]>;
  readonly Condition?: ConditionBlock;
}

export interface PolicyDocumentJson {
  readonly Version: '2012-10-17';
  readonly Statement: readonly PolicyStatementJson[];
}

/** The ARNs of one data plane: where tenant items, objects and vector indexes live. */
export interface DataPlaneArns {
  /** ARNs of tables that hold tenant items. */
  readonly tableArns: readonly string[];
  /** ARNs of buckets that hold tenant objects. */
  readonly bucketArns: readonly string[];
  /** ARNs of S3 Vectors buckets that hold the per-tenant indexes. */
  readonly vectorBucketArns: readonly string[];
}

/**
 * Every silo tenant's dedicated data plane at once: ARNs named with `${aws:PrincipalTag/TenantId}`
 * (lambdas/tenancy/silo-names.ts), so each session reaches its own tenant's silo only, and a silo
 * created at runtime needs no change to any policy.
 */
export interface SiloPlaneArns extends DataPlaneArns {
  /** The session's tenant's silo key alias (`alias/<stack>/silo/${aws:PrincipalTag/TenantId}`). */
  readonly keyAlias: string;
  /** The keys the alias may name: `arn:…:kms:<region>:<account>:key/*`. */
  readonly keyArns: readonly string[];
  /** The S3 endpoint that uses the silo key on a session's behalf (`s3.<region>.amazonaws.com`). */
  readonly s3ViaService: string;
}

/** Where tenant data may live: the pooled resources (pool sessions) and each silo tenant's own (silo sessions). */
export interface TenantDataResources extends DataPlaneArns {
  /** The silo planes, named by the session's tenant. @default no silos */
  readonly silos?: SiloPlaneArns;
  /** Foundation-model and inference-profile ARNs tenants may invoke (shared serving). */
  readonly modelArns: readonly string[];
  /**
   * The ARN of the tenants' secrets root without the tenant segment
   * (`arn:aws:secretsmanager:<region>:<account>:secret:<prefix>`): each tenant's sessions reach
   * `<root>/<their tenant>/*` only. @default no tenant secrets
   */
  readonly tenantSecretsArnRoot?: string;
  /**
   * The KMS keys of the token vault: a session may encrypt and decrypt only under an encryption
   * context naming its own tenant and user. @default no vault
   */
  readonly vaultKeyArns?: readonly string[];
  /**
   * The signed audit digests: their Object Lock bucket (each tenant's under `digests/<tenant>/`)
   * and the asymmetric key that signs them. @default no digests
   */
  readonly auditDigests?: { readonly bucketArn: string; readonly keyArn: string };
  /**
   * Each inference profile in `modelArns` with its foundation model in every Region it may be
   * served from, invocable only through that profile (see modelGrants). @default none
   */
  readonly profiledModels?: readonly ProfiledModel[];
}

/** An inference profile and the foundation-model ARNs it routes to. */
export interface ProfiledModel {
  readonly profileArn: string;
  readonly foundationModelArns: readonly string[];
}

/** Where model ARNs are formed: the deployment's partition, Region and account (CDK tokens in the stack). */
export interface ModelGrantScope {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
}

/**
 * What tenants may invoke, for the model ids the catalogue uses (docs/models.md):
 * - a foundation model id: that model in the deployment's Region;
 * - a geographic cross-Region inference profile (`us.`, `eu.`, `apac.`, …): the profile in the
 *   deployment's Region, and its foundation model in every Region (`*`, which covers the
 *   geography's destination Regions), the latter only through the profile
 *   (https://docs.aws.amazon.com/bedrock/latest/userguide/geographic-cross-region-inference.html);
 * - a global profile (`global.`): the profile, its foundation model in the deployment's Region and
 *   the Region-less foundation-model ARN (`arn:aws:bedrock:::foundation-model/<model>`) AWS
 *   authorizes global routing on, the latter two only through the profile
 *   (https://docs.aws.amazon.com/bedrock/latest/userguide/global-cross-region-inference.html).
 */
export function modelGrants(
  modelIds: readonly string[],
  scope: ModelGrantScope,
): Required<Pick<TenantDataResources, 'modelArns' | 'profiledModels'>> {
  const foundationModelArn = (region: string, model: string) =>
    `arn:${scope.partition}:bedrock:${region}::foundation-model/${model}`;
  const profileArn = (profile: string) =>
    `arn:${scope.partition}:bedrock:${scope.region}:${scope.account}:inference-profile/${profile}`;
  return {
    modelArns: modelIds.map((modelId) =>
      profiledFoundationModel(modelId) === undefined
        ? foundationModelArn(scope.region, modelId)
        : profileArn(modelId),
    ),
    profiledModels: modelIds.flatMap((modelId) => {
      const model = profiledFoundationModel(modelId);
      if (model === undefined) return [];
      return [
        {
          profileArn: profileArn(modelId),
          foundationModelArns: isGlobalProfile(modelId)
            ? [foundationModelArn(scope.region, model), foundationModelArn('', model)]
            : [foundationModelArn('*', model)],
        },
      ];
    }),
  };
}

/** Every bucket that holds tenant objects: the pool's and (named by the session's tenant) the silos'. */
export function tenantBucketArns(resources: TenantDataResources): string[] {
  return [...resources.bucketArns, ...(resources.silos?.bucketArns ?? [])];
}

/** Every DynamoDB action the platform uses on tenant items; each is keyed by `dynamodb:LeadingKeys`. */
export const TENANT_ITEM_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:ConditionCheckItem',
] as const;

export const TENANT_OBJECT_ACTIONS = ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'] as const;

export const TENANT_VECTOR_ACTIONS = [
  's3vectors:CreateIndex',
  's3vectors:GetIndex',
  's3vectors:PutVectors',
  's3vectors:GetVectors',
  's3vectors:QueryVectors',
  's3vectors:ListVectors',
  's3vectors:DeleteVectors',
] as const;

export const MODEL_ACTIONS = ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'] as const;

/** What a tenant session may do with the vault key: seal and open its own user's tokens (no data keys). */
export const TENANT_VAULT_ACTIONS = ['kms:Encrypt', 'kms:Decrypt'] as const;

/** What a tenant session may do with its own secrets (connector API keys): create, read, rotate, remove. */
export const TENANT_SECRET_ACTIONS = [
  'secretsmanager:CreateSecret',
  'secretsmanager:GetSecretValue',
  'secretsmanager:PutSecretValue',
  'secretsmanager:DeleteSecret',
] as const;

/** The audit partitions of the session's tenant: written only by the audit writer role. */
export const AUDIT_KEY_PATTERN = `${TENANT}${KEY_DELIMITER}${AUDIT_MARKER}${KEY_DELIMITER}*`;

/** What the audit writer may do on its tenant's audit partitions: read and append, never delete. */
export const AUDIT_WRITER_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:Query',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:ConditionCheckItem',
] as const;

/** What an audit writer session may do with its own tenant's digests: read every version, add new ones (never delete). */
export const AUDIT_DIGEST_OBJECT_ACTIONS = [
  's3:GetObject',
  's3:GetObjectVersion',
  's3:PutObject',
  // Locking each digest for the tenant's audit retention (compliance mode: extending only, never shortening).
  's3:PutObjectRetention',
] as const;

/** Partition-key patterns a session may lead with: its tenant's shared keys and its own user's keys. */
export const LEADING_KEY_PATTERNS = [
  `${TENANT}${KEY_DELIMITER}${SHARED_MARKER}${KEY_DELIMITER}*`,
  `${TENANT}${KEY_DELIMITER}${USER_MARKER}${KEY_DELIMITER}${USER}${KEY_DELIMITER}*`,
] as const;

/** S3 key patterns a session may touch (and list under). */
export const OBJECT_KEY_PATTERNS = [
  `${S3_TENANT_ROOT}/${TENANT}/${S3_SHARED_SEGMENT}/*`,
  `${S3_TENANT_ROOT}/${TENANT}/${S3_USERS_SEGMENT}/${USER}/*`,
] as const;

/**
 * Tag values that could widen a pattern. STS already refuses `*`, `?` and `#`
 * in tag values and the trust policy refuses `/`; this deny keeps the role
 * closed even if a session were ever minted with such a value.
 */
// biome-ignore lint/suspicious/noTemplateCurlyInString: IAM's ${*} and ${?} are literal-character escapes.
const MALFORMED_TAG_PATTERNS = ['*${*}*', '*${?}*', `*${KEY_DELIMITER}*`, '*/*'] as const;

const TAG_KEYS = { Tenant: TENANT_TAG_KEY, User: USER_TAG_KEY } as const;

/** The condition that a session's tenant is placed in `placement` (the registry's word, as a session tag). */
function placedIn(placement: Placement): ConditionBlock {
  return { StringEquals: { [`aws:PrincipalTag/${PLACEMENT_TAG_KEY}`]: placement } };
}

/** The pool's grants and, with silos, the silo grants: each for sessions of that placement only. */
function placedStatements(
  resources: TenantDataResources,
  statementsFor: (sidPrefix: string, plane: DataPlaneArns, owner: ConditionBlock) => PolicyStatementJson[],
  sidPrefix: string,
): PolicyStatementJson[] {
  return [
    ...statementsFor(sidPrefix, resources, placedIn('pool')),
    ...(resources.silos === undefined
      ? []
      : statementsFor(`Silo${sidPrefix}`, resources.silos, placedIn('silo'))),
  ];
}

/** Explicit denies for a session without the given tags, or with a tag value that could widen a pattern. */
function tagGuards(tags: ReadonlyArray<keyof typeof TAG_KEYS>): PolicyStatementJson[] {
  const tagged = (tag: keyof typeof TAG_KEYS) => `aws:PrincipalTag/${TAG_KEYS[tag]}`;
  return [
    ...tags.map((tag) => ({
      Sid: `DenyMissing${tag}Tag`,
      Effect: 'Deny' as const,
      Action: '*',
      Resource: '*',
      Condition: { Null: { [tagged(tag)]: 'true' } },
    })),
    ...tags.map((tag) => ({
      Sid: `DenyMalformed${tag}Tag`,
      Effect: 'Deny' as const,
      Action: '*',
      Resource: '*',
      Condition: { StringLike: { [tagged(tag)]: MALFORMED_TAG_PATTERNS } },
    })),
  ];
}

/** The tenant access role's permission policy. */
export function tenantAccessPolicy(resources: TenantDataResources): PolicyDocumentJson {
  const statements: PolicyStatementJson[] = [
    ...tagGuards(['Tenant', 'User']),
    {
      // The tenant patterns below never match `#a#`; this makes it explicit (and survives a wider pattern).
      Sid: 'DenyAuditRecords',
      Effect: 'Deny',
      Action: TENANT_ITEM_ACTIONS,
      Resource: '*',
      Condition: { 'ForAnyValue:StringLike': { 'dynamodb:LeadingKeys': [AUDIT_KEY_PATTERN] } },
    },
    ...placedStatements(resources, dataPlaneStatements, 'Tenant'),
    ...siloKeyStatements(resources.silos, 'SiloKey', 'silo'),
  ];
  if (resources.modelArns.length > 0) {
    statements.push({
      Sid: 'SharedModels',
      Effect: 'Allow',
      Action: MODEL_ACTIONS,
      Resource: resources.modelArns,
    });
  }
  for (const [index, profiled] of (resources.profiledModels ?? []).entries()) {
    statements.push({
      Sid: `SharedModelThroughProfile${index}`,
      Effect: 'Allow',
      Action: MODEL_ACTIONS,
      Resource: profiled.foundationModelArns,
      // Only as the destination of this profile (its own model), never invoked directly.
      Condition: { StringEquals: { 'bedrock:InferenceProfileArn': profiled.profileArn } },
    });
  }
  return { Version: '2012-10-17', Statement: statements };
}

/** Read and append on the session's tenant's audit partitions of `tableArns` (never delete). */
function auditAppend(sid: string, tableArns: readonly string[], owner: ConditionBlock): PolicyStatementJson {
  return {
    Sid: sid,
    Effect: 'Allow',
    Action: AUDIT_WRITER_ACTIONS,
    Resource: tableArns,
    Condition: {
      ...owner,
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [AUDIT_KEY_PATTERN] },
      Null: { 'dynamodb:LeadingKeys': 'false' },
    },
  };
}

/**
 * The audit writer role's policy: on the pool's and every silo's table, its session's tenant's
 * audit partitions only (`<TenantId>#a#…`), to read and append — no delete, no batch writes. The
 * platform's audit writer is the only principal that can write the trail; no tenant session can.
 */
export function auditWriterPolicy(resources: TenantDataResources): PolicyDocumentJson {
  return {
    Version: '2012-10-17',
    Statement: [
      ...tagGuards(['Tenant']),
      ...placedStatements(
        resources,
        (sid, plane, owner) => [auditAppend(sid, plane.tableArns, owner)],
        'AuditAppend',
      ),
      ...auditDigestStatements(resources.auditDigests),
    ],
  };
}

/** The writer's reach into the digests: its tenant's prefix only (read, list versions, add) and the public key. */
function auditDigestStatements(digests: TenantDataResources['auditDigests']): PolicyStatementJson[] {
  if (digests === undefined) return [];
  const tenantDigests = `${DIGEST_ROOT}/${TENANT}/*`;
  return [
    {
      Sid: 'AuditDigests',
      Effect: 'Allow',
      Action: AUDIT_DIGEST_OBJECT_ACTIONS,
      Resource: `${digests.bucketArn}/${tenantDigests}`,
    },
    {
      Sid: 'AuditDigestVersions',
      Effect: 'Allow',
      Action: 's3:ListBucketVersions',
      Resource: digests.bucketArn,
      Condition: { StringLike: { 's3:prefix': tenantDigests } },
    },
    { Sid: 'AuditDigestPublicKey', Effect: 'Allow', Action: 'kms:GetPublicKey', Resource: digests.keyArn },
  ];
}

/**
 * The audit digester's signing grant: sign RAW messages with ECDSA P-256 under the digest key —
 * no other key, algorithm or message type. No tenant session and no other function may sign.
 */
export function auditDigestSigningPolicy(keyArn: string): PolicyDocumentJson {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'SignAuditDigests',
        Effect: 'Allow',
        Action: 'kms:Sign',
        Resource: keyArn,
        Condition: {
          StringEquals: { 'kms:SigningAlgorithm': DIGEST_SIGNING_ALGORITHM, 'kms:MessageType': 'RAW' },
        },
      },
    ],
  };
}

/** What the user eraser may do with a user's private objects: list every version, delete any (never read). */
export const USER_ERASER_OBJECT_ACTIONS = ['s3:DeleteObject', 's3:DeleteObjectVersion'] as const;

/** The S3 key prefix of the session's user's private objects. */
const USER_OBJECT_PREFIX = `${S3_TENANT_ROOT}/${TENANT}/${S3_USERS_SEGMENT}/${USER}/`;

/** Delete and list-versions on the session's user's private objects in `bucketArns`. */
function eraseUserObjects(
  sid: string,
  bucketArns: readonly string[],
  owner: ConditionBlock,
): PolicyStatementJson[] {
  return [
    {
      Sid: sid,
      Effect: 'Allow',
      Action: USER_ERASER_OBJECT_ACTIONS,
      Resource: bucketArns.map((arn) => `${arn}/${USER_OBJECT_PREFIX}*`),
      Condition: owner,
    },
    {
      Sid: `${sid}Versions`,
      Effect: 'Allow',
      Action: 's3:ListBucketVersions',
      Resource: bucketArns,
      Condition: { ...owner, StringLike: { 's3:prefix': `${USER_OBJECT_PREFIX}*` } },
    },
  ];
}

/**
 * The user eraser role's policy: what erasing one user (GDPR article 17) needs beyond the tenant
 * role — every version and delete marker of the session's user's private objects, listed and
 * deleted (the tenant role may neither list versions nor delete one). Nothing of the tenant's
 * shared data, no other user, no reads. Its items, vectors and connections go through the tenant
 * role as that user.
 */
export function userEraserPolicy(resources: TenantDataResources): PolicyDocumentJson {
  return {
    Version: '2012-10-17',
    Statement: [
      ...tagGuards(['Tenant', 'User']),
      ...placedStatements(
        resources,
        (sid, plane, owner) => eraseUserObjects(sid, plane.bucketArns, owner),
        'EraseUserObjects',
      ),
    ],
  };
}

/** What the tenant eraser may do with its tenant's items: read (the final costs), find and delete them one by one (never write). */
export const TENANT_ERASER_ITEM_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:DeleteItem',
] as const;
/** What it may do with its tenant's objects: list every version and delete any (never read). */
export const TENANT_ERASER_OBJECT_ACTIONS = ['s3:DeleteObject', 's3:DeleteObjectVersion'] as const;
/** What it may do with its tenant's vector index: find it and delete it. */
export const TENANT_ERASER_INDEX_ACTIONS = ['s3vectors:GetIndex', 's3vectors:DeleteIndex'] as const;

const TENANT_OBJECT_PREFIX = `${S3_TENANT_ROOT}/${TENANT}/`;

/** What a whole-tenant role may do on one data plane: with its items, its objects, their listings and its index. */
interface WholeTenantReach {
  readonly items: readonly string[];
  readonly objects: readonly string[];
  readonly listings: readonly string[];
  readonly index: readonly string[];
}

/** One data plane's share of the session's tenant, whole: every partition, every object (version) and its index. */
function wholeTenantPlane(
  sid: string,
  plane: DataPlaneArns,
  owner: ConditionBlock,
  reach: WholeTenantReach,
): PolicyStatementJson[] {
  return [
    {
      Sid: `${sid}Items`,
      Effect: 'Allow',
      Action: reach.items,
      Resource: plane.tableArns,
      Condition: {
        ...owner,
        // Every marker (`t`, `u`, `a`): the whole tenant, audit trail included; never another tenant.
        'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${TENANT}${KEY_DELIMITER}*`] },
        Null: { 'dynamodb:LeadingKeys': 'false' },
      },
    },
    {
      Sid: `${sid}Objects`,
      Effect: 'Allow',
      Action: reach.objects,
      Resource: plane.bucketArns.map((arn) => `${arn}/${TENANT_OBJECT_PREFIX}*`),
      Condition: owner,
    },
    {
      Sid: `${sid}ObjectVersions`,
      Effect: 'Allow',
      Action: reach.listings,
      Resource: plane.bucketArns,
      Condition: { ...owner, StringLike: { 's3:prefix': `${TENANT_OBJECT_PREFIX}*` } },
    },
    {
      Sid: `${sid}Index`,
      Effect: 'Allow',
      Action: reach.index,
      Resource: plane.vectorBucketArns.map((bucket) => `${bucket}/index/${TENANT}`),
      Condition: owner,
    },
  ];
}

/** Erasing one data plane's share of the session's tenant: every partition, object version and its index. */
function eraseTenantPlane(sid: string, plane: DataPlaneArns, owner: ConditionBlock): PolicyStatementJson[] {
  return wholeTenantPlane(sid, plane, owner, {
    items: TENANT_ERASER_ITEM_ACTIONS,
    objects: TENANT_ERASER_OBJECT_ACTIONS,
    listings: ['s3:ListBucketVersions'],
    index: TENANT_ERASER_INDEX_ACTIONS,
  });
}

/**
 * The tenant eraser role's policy: what erasing a whole offboarded tenant needs — find and delete
 * every item of the session's tenant (all partitions, the audit trail too), every version and
 * delete marker under `tenants/<TenantId>/`, its vector index and its secrets — and nothing of any
 * other tenant: no reads of objects, no writes. Assumed by the tenant erasure job alone.
 */
export function tenantEraserPolicy(resources: TenantDataResources): PolicyDocumentJson {
  const statements: PolicyStatementJson[] = [
    ...tagGuards(['Tenant']),
    ...placedStatements(resources, eraseTenantPlane, 'EraseTenant'),
  ];
  if (resources.tenantSecretsArnRoot !== undefined)
    statements.push({
      Sid: 'EraseTenantSecrets',
      Effect: 'Allow',
      Action: 'secretsmanager:DeleteSecret',
      Resource: `${resources.tenantSecretsArnRoot}/${TENANT}/*`,
    });
  return { Version: '2012-10-17', Statement: statements };
}

/** What the tenant mover may do with its tenant's items on either plane: read, copy in, delete. */
export const TENANT_MOVER_ITEM_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:PutItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:DeleteItem',
] as const;
/** With its tenant's objects: read and copy in the current versions, delete every version of the old copies. */
export const TENANT_MOVER_OBJECT_ACTIONS = [
  's3:GetObject',
  's3:PutObject',
  's3:DeleteObject',
  's3:DeleteObjectVersion',
] as const;
/** With its tenant's vector index: create it, read, copy in and delete vectors, delete it. */
export const TENANT_MOVER_INDEX_ACTIONS = [
  's3vectors:CreateIndex',
  's3vectors:GetIndex',
  's3vectors:DeleteIndex',
  's3vectors:ListVectors',
  's3vectors:GetVectors',
  's3vectors:PutVectors',
  's3vectors:DeleteVectors',
] as const;

/**
 * The tenant mover role's policy: what moving a tenant between the pool and its silo needs — the
 * session's tenant, whole, on both planes (whatever its placement: it is moving), and the silo key
 * through S3. Nothing of any other tenant. Assumed by the placement job alone.
 */
export function tenantMoverPolicy(resources: TenantDataResources): PolicyDocumentJson {
  const reach: WholeTenantReach = {
    items: TENANT_MOVER_ITEM_ACTIONS,
    objects: TENANT_MOVER_OBJECT_ACTIONS,
    listings: ['s3:ListBucket', 's3:ListBucketVersions'],
    index: TENANT_MOVER_INDEX_ACTIONS,
  };
  return {
    Version: '2012-10-17',
    Statement: [
      ...tagGuards(['Tenant']),
      ...wholeTenantPlane('MovePool', resources, {}, reach),
      ...(resources.silos === undefined ? [] : wholeTenantPlane('MoveSilo', resources.silos, {}, reach)),
      ...siloKeyStatements(resources.silos, 'MoverSiloKey'),
    ],
  };
}

/** Where every silo's resources may be created: name patterns over all tenants (`…-silo-*`). */
export interface SiloDeploymentArns {
  readonly tableArns: readonly string[];
  readonly bucketArns: readonly string[];
  readonly vectorBucketArns: readonly string[];
  /** `arn:…:kms:<region>:<account>:alias/<stack>/silo/*` */
  readonly aliasArns: readonly string[];
  /** `arn:…:kms:<region>:<account>:key/*`: used only on keys that carry SILO_KEY_TAG. */
  readonly keyArns: readonly string[];
}

/** The tag every silo key is created with; the deployer may manage only keys that carry it. */
export const SILO_KEY_TAG = 'BulkheadSiloKey';

/** What CloudFormation may do, as the silo deployer, to create and delete a silo stack's resources. */
export const SILO_DEPLOYER_ACTIONS = {
  table: [
    'dynamodb:CreateTable',
    'dynamodb:DeleteTable',
    'dynamodb:DescribeTable',
    'dynamodb:UpdateTable',
    'dynamodb:DescribeTimeToLive',
    'dynamodb:UpdateTimeToLive',
    'dynamodb:DescribeContinuousBackups',
    'dynamodb:UpdateContinuousBackups',
    'dynamodb:ListTagsOfResource',
  ],
  bucket: [
    's3:CreateBucket',
    's3:DeleteBucket',
    's3:PutBucketVersioning',
    's3:PutEncryptionConfiguration',
    's3:PutBucketPublicAccessBlock',
    's3:PutBucketOwnershipControls',
    's3:PutBucketLogging',
    's3:PutLifecycleConfiguration',
    's3:PutBucketPolicy',
    's3:GetBucketPolicy',
    's3:DeleteBucketPolicy',
  ],
  vectorBucket: ['s3vectors:CreateVectorBucket', 's3vectors:GetVectorBucket', 's3vectors:DeleteVectorBucket'],
  key: [
    'kms:DescribeKey',
    'kms:EnableKeyRotation',
    'kms:GetKeyRotationStatus',
    'kms:GetKeyPolicy',
    'kms:PutKeyPolicy',
    'kms:ListResourceTags',
    'kms:ScheduleKeyDeletion',
    // A table encrypted under the key: DynamoDB takes a grant on it when the table is created.
    'kms:CreateGrant',
  ],
  alias: ['kms:CreateAlias', 'kms:DeleteAlias'],
} as const;

/**
 * The silo deployer's policy (the CloudFormation service role the placement job passes): create
 * and delete silo resources, by their name patterns, and nothing else — no reads or writes of
 * data. Keys: created only with SILO_KEY_TAG, managed only while they carry it (never the
 * platform's vault or digest keys).
 */
export function siloDeployerPolicy(silos: SiloDeploymentArns): PolicyDocumentJson {
  const siloKeysOnly = { StringLike: { [`aws:ResourceTag/${SILO_KEY_TAG}`]: '?*' } };
  return {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'SiloTables', Effect: 'Allow', Action: SILO_DEPLOYER_ACTIONS.table, Resource: silos.tableArns },
      {
        Sid: 'SiloBuckets',
        Effect: 'Allow',
        Action: SILO_DEPLOYER_ACTIONS.bucket,
        Resource: silos.bucketArns,
      },
      {
        Sid: 'SiloVectorBuckets',
        Effect: 'Allow',
        Action: SILO_DEPLOYER_ACTIONS.vectorBucket,
        Resource: silos.vectorBucketArns,
      },
      {
        Sid: 'CreateSiloKeys',
        Effect: 'Allow',
        Action: ['kms:CreateKey', 'kms:TagResource'],
        Resource: '*',
        Condition: { StringLike: { [`aws:RequestTag/${SILO_KEY_TAG}`]: '?*' } },
      },
      {
        Sid: 'ManageSiloKeys',
        Effect: 'Allow',
        Action: SILO_DEPLOYER_ACTIONS.key,
        Resource: silos.keyArns,
        Condition: siloKeysOnly,
      },
      {
        Sid: 'SiloKeyAliases',
        Effect: 'Allow',
        Action: SILO_DEPLOYER_ACTIONS.alias,
        Resource: silos.aliasArns,
      },
      {
        Sid: 'SiloKeyAliasTargets',
        Effect: 'Allow',
        Action: SILO_DEPLOYER_ACTIONS.alias,
        Resource: silos.keyArns,
        Condition: siloKeysOnly,
      },
    ],
  };
}

/**
 * The placement job's grant on silo stacks: only stacks named `<stack>-silo-*`, and CloudFormation
 * acts with the deployer role (passed to CloudFormation only), never with the job's own rights.
 */
export function siloStackControlPolicy(
  stackArns: readonly string[],
  deployerRoleArn: string,
): PolicyDocumentJson {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'CreateSiloStacks',
        Effect: 'Allow',
        Action: 'cloudformation:CreateStack',
        Resource: stackArns,
        Condition: { StringEquals: { 'cloudformation:RoleArn': deployerRoleArn } },
      },
      ...siloStackRemovalPolicy(stackArns).Statement,
      {
        Sid: 'PassSiloDeployer',
        Effect: 'Allow',
        Action: 'iam:PassRole',
        Resource: deployerRoleArn,
        Condition: { StringEquals: { 'iam:PassedToService': 'cloudformation.amazonaws.com' } },
      },
    ],
  };
}

/**
 * Watching and deleting silo stacks (never creating one, never the platform's own stack): the
 * placement job's, and the tenant erasure job's for an offboarded silo tenant. A stack is deleted
 * with the role it was created with, so no role is passed.
 */
export function siloStackRemovalPolicy(stackArns: readonly string[]): PolicyDocumentJson {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'WatchAndDeleteSiloStacks',
        Effect: 'Allow',
        Action: ['cloudformation:DescribeStacks', 'cloudformation:DeleteStack'],
        Resource: stackArns,
      },
    ],
  };
}

/** What a session may do with its tenant's silo key: what S3 needs to write and read its objects. */
export const SILO_KEY_ACTIONS = ['kms:Decrypt', 'kms:GenerateDataKey'] as const;

/**
 * Use of the session's own tenant's silo key (by alias: the key id is generated), through S3 only;
 * `placement` restricts it to sessions of that placement.
 */
function siloKeyStatements(
  silos: SiloPlaneArns | undefined,
  sid: string,
  placement?: Placement,
): PolicyStatementJson[] {
  if (silos === undefined) return [];
  return [
    {
      Sid: sid,
      Effect: 'Allow',
      Action: SILO_KEY_ACTIONS,
      Resource: silos.keyArns,
      Condition: {
        StringEquals: {
          'kms:ViaService': silos.s3ViaService,
          ...(placement === undefined ? {} : { [`aws:PrincipalTag/${PLACEMENT_TAG_KEY}`]: placement }),
        },
        'ForAnyValue:StringEquals': { 'kms:ResourceAliases': silos.keyAlias },
      },
    },
  ];
}

/**
 * The tenant role's second document: the credentials it keeps for its tenant and users — the
 * tenant's secrets (connector keys) and the token vault's key. A managed policy of its own, so the
 * inline document keeps its room for silo tenants (IAM caps a role's inline policies at 10,240
 * characters); the inline document's explicit denies (missing or malformed tags) cover it too.
 */
export function tenantCredentialsPolicy(resources: TenantDataResources): PolicyDocumentJson {
  const statements: PolicyStatementJson[] = [];
  if (resources.tenantSecretsArnRoot !== undefined) {
    statements.push({
      Sid: 'TenantSecrets',
      Effect: 'Allow',
      Action: TENANT_SECRET_ACTIONS,
      // A secret ARN ends in `-` and six random characters, which the trailing `*` covers.
      Resource: `${resources.tenantSecretsArnRoot}/${TENANT}/*`,
    });
  }
  if (resources.vaultKeyArns !== undefined && resources.vaultKeyArns.length > 0) {
    statements.push({
      Sid: 'TenantVault',
      Effect: 'Allow',
      Action: TENANT_VAULT_ACTIONS,
      Resource: resources.vaultKeyArns,
      // KMS binds the context to the ciphertext: another user's token cannot be opened under ours.
      Condition: {
        StringEquals: {
          [`kms:EncryptionContext:${TENANT_TAG_KEY}`]: TENANT,
          [`kms:EncryptionContext:${USER_TAG_KEY}`]: USER,
        },
        'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': VAULT_CONTEXT_KEYS },
      },
    });
  }
  return { Version: '2012-10-17', Statement: statements };
}

/**
 * The grants on one data plane, keyed on the session tags; `owner` adds the condition of the
 * plane's placement (a silo's ARNs name the session's tenant; the key conditions stay: defence in
 * depth).
 */
function dataPlaneStatements(
  sidPrefix: string,
  plane: DataPlaneArns,
  owner: ConditionBlock,
): PolicyStatementJson[] {
  const ownerOnly = { Condition: owner };
  return [
    {
      Sid: `${sidPrefix}Items`,
      Effect: 'Allow',
      Action: TENANT_ITEM_ACTIONS,
      Resource: plane.tableArns,
      Condition: {
        ...owner,
        'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': LEADING_KEY_PATTERNS },
        // ForAllValues over an empty key set is vacuously true: require keys.
        Null: { 'dynamodb:LeadingKeys': 'false' },
      },
    },
    {
      Sid: `${sidPrefix}Objects`,
      Effect: 'Allow',
      Action: TENANT_OBJECT_ACTIONS,
      Resource: plane.bucketArns.flatMap((bucket) => OBJECT_KEY_PATTERNS.map((key) => `${bucket}/${key}`)),
      ...ownerOnly,
    },
    {
      Sid: `${sidPrefix}Listing`,
      Effect: 'Allow',
      Action: 's3:ListBucket',
      Resource: plane.bucketArns,
      Condition: { ...owner, StringLike: { 's3:prefix': OBJECT_KEY_PATTERNS } },
    },
    {
      Sid: `${sidPrefix}VectorIndex`,
      Effect: 'Allow',
      Action: TENANT_VECTOR_ACTIONS,
      Resource: plane.vectorBucketArns.map((bucket) => `${bucket}/index/${TENANT}`),
      ...ownerOnly,
    },
  ];
}

/**
 * Conditions every AssumeRole into the tenant role must meet: exactly the
 * `TenantId`, `UserId` and `Placement` tags, present; the ids non-trivial and free of `/`, the
 * placement `pool` or `silo`.
 * (IAM has no regex; the runtime validates the full id patterns before it
 * asks STS, and STS itself rejects `*`, `?` and `#` in tag values.)
 */
export function tenantRoleTrustConditions(): ConditionBlock {
  return {
    'ForAllValues:StringEquals': { 'aws:TagKeys': [TENANT_TAG_KEY, USER_TAG_KEY, PLACEMENT_TAG_KEY] },
    StringEquals: { [`aws:RequestTag/${PLACEMENT_TAG_KEY}`]: PLACEMENTS },
    StringLike: {
      [`aws:RequestTag/${TENANT_TAG_KEY}`]: '???*',
      [`aws:RequestTag/${USER_TAG_KEY}`]: '?*',
    },
    StringNotLike: {
      [`aws:RequestTag/${TENANT_TAG_KEY}`]: '*/*',
      [`aws:RequestTag/${USER_TAG_KEY}`]: '*/*',
    },
  };
}

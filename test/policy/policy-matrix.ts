/**
 * The tenant policy matrix: every action the platform performs on tenant
 * data, crossed with the callers and keys that must (and must not) reach it.
 * The session is tenant `acme`, user `alice` unless a case says otherwise.
 */
import {
  AUDIT_DIGEST_OBJECT_ACTIONS,
  AUDIT_WRITER_ACTIONS,
  MODEL_ACTIONS,
  SILO_KEY_ACTIONS,
  SILO_KEY_TAG,
  TENANT_ERASER_INDEX_ACTIONS,
  TENANT_ERASER_ITEM_ACTIONS,
  TENANT_ERASER_OBJECT_ACTIONS,
  TENANT_ITEM_ACTIONS,
  TENANT_MOVER_INDEX_ACTIONS,
  TENANT_MOVER_ITEM_ACTIONS,
  TENANT_MOVER_OBJECT_ACTIONS,
  TENANT_OBJECT_ACTIONS,
  TENANT_SECRET_ACTIONS,
  TENANT_VAULT_ACTIONS,
  TENANT_VECTOR_ACTIONS,
  USER_ERASER_OBJECT_ACTIONS,
} from '../../lib/tenant-policy.js';
import { type ContextValues, sessionTags } from '../support/iam-evaluation.js';

export type Verdict = 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied';

export interface MatrixCase {
  /** Unique, readable: `<action> <what>`. */
  readonly name: string;
  readonly action: string;
  readonly resource: string;
  readonly context: ContextValues;
  readonly expected: Verdict;
}

/** Where the platform keeps tenant data (ARNs resolved from the synthesized template). */
export interface MatrixTargets {
  readonly tableArn: string;
  /** A table that is not tenant data (the control table). */
  readonly foreignTableArn: string;
  readonly bucketArn: string;
  /** A bucket that is not tenant data (the access-log bucket). */
  readonly foreignBucketArn: string;
  readonly vectorBucketArn: string;
  readonly allowedModelArns: readonly string[];
  readonly deniedModelArn: string;
  /** The secret ARN of `<TENANT_SECRET_PREFIX>` as the api function names tenant secrets (no tenant segment). */
  readonly tenantSecretsArnRoot: string;
  /** A secret that is not a tenant's (the tenant-tag HMAC key). */
  readonly foreignSecretArn: string;
  /** The token vault's KMS key, as the api function names it (`VAULT_KEY_ARN`). */
  readonly vaultKeyArn: string;
  /** The Object Lock bucket of the signed audit digests (`AUDIT_DIGEST_BUCKET_NAME`). */
  readonly digestBucketArn: string;
  /** The digests' signing key (`AUDIT_DIGEST_KEY_ARN`). */
  readonly digestKeyArn: string;
}

/** The audit digests: no tenant session reaches them, for any action (read, write, delete, list, sign). */
function digestCases(targets: MatrixTargets): MatrixCase[] {
  const object = `${targets.digestBucketArn}/digests/acme/000000000001.json`;
  const cases: MatrixCase[] = [];
  for (const action of [...AUDIT_DIGEST_OBJECT_ACTIONS, 's3:DeleteObject', 's3:DeleteObjectVersion'])
    cases.push({
      name: `${action} own tenant digest`,
      action,
      resource: object,
      context: OWN,
      expected: 'ImplicitlyDenied',
    });
  cases.push({
    name: 's3:ListBucketVersions own tenant digests',
    action: 's3:ListBucketVersions',
    resource: targets.digestBucketArn,
    context: { ...OWN, 's3:prefix': 'digests/acme/' },
    expected: 'ImplicitlyDenied',
  });
  return cases;
}

const OWN = sessionTags({ tenantId: 'acme', userId: 'alice' });

/** Tag values that would widen a pattern if IAM treated them as wildcards or separators. */
const WILDCARD_LIKE_TENANT_TAGS = ['*', 'acme*', '?cme', 'acme/x', 'acme#t'] as const;

function itemCases(targets: MatrixTargets): MatrixCase[] {
  const cases: MatrixCase[] = [];
  for (const action of TENANT_ITEM_ACTIONS) {
    const add = (
      what: string,
      expected: Verdict,
      context: ContextValues,
      resource = targets.tableArn,
    ): void => {
      cases.push({ name: `${action} ${what}`, action, resource, context, expected });
    };
    const keys = (...leadingKeys: string[]): ContextValues => ({
      ...OWN,
      'dynamodb:LeadingKeys': leadingKeys,
    });
    add('own tenant-shared key', 'Allowed', keys('acme#t#documents'));
    add('own private key', 'Allowed', keys('acme#u#alice#sessions'));
    add('another user private key', 'ImplicitlyDenied', keys('acme#u#bob#sessions'));
    add('own tenant audit key (the audit writer’s alone)', 'ExplicitlyDenied', keys('acme#a#audit'));
    add('own audit key beside own data', 'ExplicitlyDenied', keys('acme#t#documents', 'acme#a#audit'));
    add('user-prefix-colliding private key (alice2)', 'ImplicitlyDenied', keys('acme#u#alice2#sessions'));
    add('other tenant key', 'ImplicitlyDenied', keys('globex#t#documents'));
    add('prefix-colliding tenant key (acme2)', 'ImplicitlyDenied', keys('acme2#t#documents'));
    add('prefix-colliding tenant key (acm)', 'ImplicitlyDenied', keys('acm#t#documents'));
    add('own key without visibility marker', 'ImplicitlyDenied', keys('acme#documents'));
    add('request without LeadingKeys', 'ImplicitlyDenied', OWN);
    add(
      'own key in a non-tenant table',
      'ImplicitlyDenied',
      keys('acme#t#documents'),
      targets.foreignTableArn,
    );
    add('session acme2 on acme key', 'ImplicitlyDenied', {
      ...sessionTags({ tenantId: 'acme2', userId: 'alice' }),
      'dynamodb:LeadingKeys': ['acme#t#documents'],
    });
    add('session acm on acme key', 'ImplicitlyDenied', {
      ...sessionTags({ tenantId: 'acm', userId: 'alice' }),
      'dynamodb:LeadingKeys': ['acme#t#documents'],
    });
    add('missing TenantId tag', 'ExplicitlyDenied', {
      ...sessionTags({ userId: 'alice' }),
      'dynamodb:LeadingKeys': ['acme#t#documents'],
    });
    add('missing UserId tag', 'ExplicitlyDenied', {
      ...sessionTags({ tenantId: 'acme' }),
      'dynamodb:LeadingKeys': ['acme#t#documents'],
    });
    for (const tag of WILDCARD_LIKE_TENANT_TAGS) {
      add(`wildcard-like TenantId tag "${tag}"`, 'ExplicitlyDenied', {
        ...sessionTags({ tenantId: tag, userId: 'alice' }),
        'dynamodb:LeadingKeys': ['acme#t#documents'],
      });
    }
    add('wildcard-like UserId tag "*" on another user key', 'ExplicitlyDenied', {
      ...sessionTags({ tenantId: 'acme', userId: '*' }),
      'dynamodb:LeadingKeys': ['acme#u#bob#sessions'],
    });
  }
  for (const action of ['dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem'] as const) {
    cases.push(
      {
        name: `${action} own and foreign keys together`,
        action,
        resource: targets.tableArn,
        context: { ...OWN, 'dynamodb:LeadingKeys': ['acme#t#documents', 'globex#t#documents'] },
        expected: 'ImplicitlyDenied',
      },
      {
        name: `${action} own and another user's keys together`,
        action,
        resource: targets.tableArn,
        context: { ...OWN, 'dynamodb:LeadingKeys': ['acme#u#alice#sessions', 'acme#u#bob#sessions'] },
        expected: 'ImplicitlyDenied',
      },
      {
        name: `${action} own shared and own private keys together`,
        action,
        resource: targets.tableArn,
        context: { ...OWN, 'dynamodb:LeadingKeys': ['acme#t#documents', 'acme#u#alice#sessions'] },
        expected: 'Allowed',
      },
    );
  }
  return cases;
}

function objectCases(targets: MatrixTargets): MatrixCase[] {
  const cases: MatrixCase[] = [];
  for (const action of TENANT_OBJECT_ACTIONS) {
    const add = (
      what: string,
      key: string,
      expected: Verdict,
      context = OWN,
      bucket = targets.bucketArn,
    ): void => {
      cases.push({ name: `${action} ${what}`, action, resource: `${bucket}/${key}`, context, expected });
    };
    add('own tenant-shared object', 'tenants/acme/shared/docs/a.txt', 'Allowed');
    add('own private object', 'tenants/acme/users/alice/notes/a.txt', 'Allowed');
    add('another user private object', 'tenants/acme/users/bob/a.txt', 'ImplicitlyDenied');
    add('user-prefix-colliding object (alice2)', 'tenants/acme/users/alice2/a.txt', 'ImplicitlyDenied');
    add('other tenant object', 'tenants/globex/shared/a.txt', 'ImplicitlyDenied');
    add('prefix-colliding tenant object (acme2)', 'tenants/acme2/shared/a.txt', 'ImplicitlyDenied');
    add('prefix-colliding tenant object (acm)', 'tenants/acm/shared/a.txt', 'ImplicitlyDenied');
    add('object in tenant root outside shared/users', 'tenants/acme/a.txt', 'ImplicitlyDenied');
    add(
      'own key in a non-tenant bucket',
      'tenants/acme/shared/a.txt',
      'ImplicitlyDenied',
      OWN,
      targets.foreignBucketArn,
    );
    add(
      'missing TenantId tag',
      'tenants/acme/shared/a.txt',
      'ExplicitlyDenied',
      sessionTags({ userId: 'alice' }),
    );
    for (const tag of WILDCARD_LIKE_TENANT_TAGS) {
      add(
        `wildcard-like TenantId tag "${tag}"`,
        'tenants/acme/shared/a.txt',
        'ExplicitlyDenied',
        sessionTags({ tenantId: tag, userId: 'alice' }),
      );
    }
  }
  const list = (what: string, prefix: string | undefined, expected: Verdict): MatrixCase => ({
    name: `s3:ListBucket ${what}`,
    action: 's3:ListBucket',
    resource: targets.bucketArn,
    context: prefix === undefined ? OWN : { ...OWN, 's3:prefix': prefix },
    expected,
  });
  cases.push(
    list('own shared prefix', 'tenants/acme/shared/', 'Allowed'),
    list('own private prefix', 'tenants/acme/users/alice/', 'Allowed'),
    list('another user prefix', 'tenants/acme/users/bob/', 'ImplicitlyDenied'),
    list('whole tenant prefix (all users)', 'tenants/acme/', 'ImplicitlyDenied'),
    list('prefix-colliding tenant prefix (acme2)', 'tenants/acme2/shared/', 'ImplicitlyDenied'),
    list('other tenant prefix', 'tenants/globex/shared/', 'ImplicitlyDenied'),
    list('all tenants prefix', 'tenants/', 'ImplicitlyDenied'),
    list('empty prefix', '', 'ImplicitlyDenied'),
    list('without prefix', undefined, 'ImplicitlyDenied'),
  );
  return cases;
}

function vectorCases(targets: MatrixTargets): MatrixCase[] {
  const cases: MatrixCase[] = [];
  for (const action of TENANT_VECTOR_ACTIONS) {
    const add = (what: string, resource: string, expected: Verdict, context = OWN): void => {
      cases.push({ name: `${action} ${what}`, action, resource, context, expected });
    };
    const index = (name: string): string => `${targets.vectorBucketArn}/index/${name}`;
    add('own index', index('acme'), 'Allowed');
    add('other tenant index', index('globex'), 'ImplicitlyDenied');
    add('prefix-colliding index (acme2)', index('acme2'), 'ImplicitlyDenied');
    add('prefix-colliding index (acm)', index('acm'), 'ImplicitlyDenied');
    add('missing TenantId tag', index('acme'), 'ExplicitlyDenied', sessionTags({ userId: 'alice' }));
    add(
      'wildcard-like TenantId tag "acme*"',
      index('acme'),
      'ExplicitlyDenied',
      sessionTags({ tenantId: 'acme*', userId: 'alice' }),
    );
  }
  return cases;
}

function modelCases(targets: MatrixTargets): MatrixCase[] {
  return MODEL_ACTIONS.flatMap((action) => [
    ...targets.allowedModelArns.flatMap((model): MatrixCase[] => [
      {
        name: `${action} allowed model ${model}`,
        action,
        resource: model,
        context: OWN,
        expected: 'Allowed',
      },
      {
        name: `${action} allowed model ${model} without tags`,
        action,
        resource: model,
        context: {},
        expected: 'ExplicitlyDenied',
      },
    ]),
    {
      name: `${action} model not on the list`,
      action,
      resource: targets.deniedModelArn,
      context: OWN,
      expected: 'ImplicitlyDenied',
    },
  ]);
}

/** A deployment whose catalogue grants inference profiles (ARNs as the tenant role names them). */
export interface ProfileTargets {
  /** A configured geographic profile (`us.…`) and its foundation model in another Region of it. */
  readonly geographicProfileArn: string;
  readonly geographicModelElsewhereArn: string;
  /** A configured global profile (`global.…`) and its foundation model in the deployment's Region. */
  readonly globalProfileArn: string;
  readonly globalModelArn: string;
  /** A profile the catalogue does not name, and its foundation model. */
  readonly unlistedProfileArn: string;
  readonly unlistedModelArn: string;
}

/**
 * Models reached through inference profiles: a configured profile and its foundation model
 * (through it) are allowed; the model invoked directly, or a profile and model the catalogue does
 * not name, are denied; a session without tags is denied everything.
 */
export function profileModelMatrix(targets: ProfileTargets): MatrixCase[] {
  const through = (profileArn: string): ContextValues => ({
    ...OWN,
    'bedrock:InferenceProfileArn': profileArn,
  });
  return MODEL_ACTIONS.flatMap((action): MatrixCase[] => {
    const add = (name: string, resource: string, expected: Verdict, context: ContextValues = OWN) => ({
      name: `${action} ${name}`,
      action,
      resource,
      context,
      expected,
    });
    return [
      add('configured geographic profile', targets.geographicProfileArn, 'Allowed'),
      add(
        'its foundation model in another Region, through it',
        targets.geographicModelElsewhereArn,
        'Allowed',
        through(targets.geographicProfileArn),
      ),
      add(
        'its foundation model in another Region, directly',
        targets.geographicModelElsewhereArn,
        'ImplicitlyDenied',
      ),
      add('configured global profile', targets.globalProfileArn, 'Allowed'),
      add(
        'the global profile’s foundation model, through it',
        targets.globalModelArn,
        'Allowed',
        through(targets.globalProfileArn),
      ),
      add('the global profile’s foundation model, directly', targets.globalModelArn, 'ImplicitlyDenied'),
      add(
        'the global profile’s foundation model, through the geographic profile',
        targets.globalModelArn,
        'ImplicitlyDenied',
        through(targets.geographicProfileArn),
      ),
      add('a profile not in the catalogue', targets.unlistedProfileArn, 'ImplicitlyDenied'),
      add(
        'a model not in the catalogue, through its profile',
        targets.unlistedModelArn,
        'ImplicitlyDenied',
        through(targets.unlistedProfileArn),
      ),
      add('configured geographic profile without tags', targets.geographicProfileArn, 'ExplicitlyDenied', {}),
    ];
  });
}

function secretCases(targets: MatrixTargets): MatrixCase[] {
  const cases: MatrixCase[] = [];
  for (const action of TENANT_SECRET_ACTIONS) {
    const add = (what: string, resource: string, expected: Verdict, context = OWN): void => {
      cases.push({ name: `${action} ${what}`, action, resource, context, expected });
    };
    const secret = (tenant: string): string =>
      `${targets.tenantSecretsArnRoot}/${tenant}/connectors/tracker-a1b2c3`;
    add('own tenant secret', secret('acme'), 'Allowed');
    add('other tenant secret', secret('globex'), 'ImplicitlyDenied');
    add('prefix-colliding tenant secret (acme2)', secret('acme2'), 'ImplicitlyDenied');
    add('prefix-colliding tenant secret (acm)', secret('acm'), 'ImplicitlyDenied');
    add('a secret beside the tenant root', `${targets.tenantSecretsArnRoot}/acme-x1y2z3`, 'ImplicitlyDenied');
    add('the platform tenant-tag key', targets.foreignSecretArn, 'ImplicitlyDenied');
    add('missing TenantId tag', secret('acme'), 'ExplicitlyDenied', sessionTags({ userId: 'alice' }));
    for (const tag of WILDCARD_LIKE_TENANT_TAGS) {
      add(`wildcard-like TenantId tag "${tag}"`, secret('acme'), 'ExplicitlyDenied', {
        ...sessionTags({ tenantId: tag, userId: 'alice' }),
      });
    }
  }
  return cases;
}

function vaultCases(targets: MatrixTargets): MatrixCase[] {
  const cases: MatrixCase[] = [];
  const context = (encryption: Record<string, string>, tags = OWN): ContextValues => ({
    ...tags,
    'kms:EncryptionContextKeys': Object.keys(encryption),
    ...Object.fromEntries(
      Object.entries(encryption).map(([key, value]) => [`kms:EncryptionContext:${key}`, value]),
    ),
  });
  const own = { TenantId: 'acme', UserId: 'alice', ConnectorId: 'tracker' };
  for (const action of TENANT_VAULT_ACTIONS) {
    const add = (
      what: string,
      expected: Verdict,
      values: ContextValues,
      resource = targets.vaultKeyArn,
    ): void => {
      cases.push({ name: `${action} ${what}`, action, resource, context: values, expected });
    };
    add('own tenant and user context', 'Allowed', context(own));
    add('another user’s context', 'ImplicitlyDenied', context({ ...own, UserId: 'bob' }));
    add('another tenant’s context', 'ImplicitlyDenied', context({ ...own, TenantId: 'globex' }));
    add(
      'prefix-colliding tenant context (acme2)',
      'ImplicitlyDenied',
      context({ ...own, TenantId: 'acme2' }),
    );
    add('no encryption context', 'ImplicitlyDenied', context({}));
    add('only the tenant in the context', 'ImplicitlyDenied', context({ TenantId: 'acme' }));
    add('an extra context key', 'ImplicitlyDenied', context({ ...own, Purpose: 'x' }));
    add('a key that is not the vault’s', 'ImplicitlyDenied', context(own), `${targets.vaultKeyArn}-other`);
    add('missing TenantId tag', 'ExplicitlyDenied', context(own, sessionTags({ userId: 'alice' })));
    add(
      'wildcard-like TenantId tag "acme*"',
      'ExplicitlyDenied',
      context(own, sessionTags({ tenantId: 'acme*', userId: 'alice' })),
    );
  }
  return cases;
}

/** The audit writer role: its tenant's audit partitions, read and append only; its tenant's digests, read and add only. */
export function auditWriterMatrix(
  targets: Pick<MatrixTargets, 'tableArn' | 'digestBucketArn' | 'digestKeyArn'>,
): MatrixCase[] {
  const cases: MatrixCase[] = [];
  const keys = (...leadingKeys: string[]): ContextValues => ({ ...OWN, 'dynamodb:LeadingKeys': leadingKeys });
  for (const action of TENANT_ITEM_ACTIONS) {
    const appends = (AUDIT_WRITER_ACTIONS as readonly string[]).includes(action);
    const add = (what: string, expected: Verdict, context: ContextValues): void => {
      cases.push({ name: `${action} ${what}`, action, resource: targets.tableArn, context, expected });
    };
    add('own audit key', appends ? 'Allowed' : 'ImplicitlyDenied', keys('acme#a#audit'));
    add('other tenant audit key', 'ImplicitlyDenied', keys('globex#a#audit'));
    add('prefix-colliding audit key (acme2)', 'ImplicitlyDenied', keys('acme2#a#audit'));
    add('own tenant data key', 'ImplicitlyDenied', keys('acme#t#documents'));
    add('own private key', 'ImplicitlyDenied', keys('acme#u#alice#memory'));
    add('missing TenantId tag', 'ExplicitlyDenied', {
      ...sessionTags({ userId: 'alice' }),
      'dynamodb:LeadingKeys': ['acme#a#audit'],
    });
  }
  const digest = (tenant: string): string => `${targets.digestBucketArn}/digests/${tenant}/000000000001.json`;
  const add = (name: string, action: string, resource: string, expected: Verdict, context = OWN): void => {
    cases.push({ name: `${action} ${name}`, action, resource, context, expected });
  };
  for (const action of AUDIT_DIGEST_OBJECT_ACTIONS) {
    add('own tenant digest', action, digest('acme'), 'Allowed');
    add('other tenant digest', action, digest('globex'), 'ImplicitlyDenied');
    add('prefix-colliding tenant digest (acme2)', action, digest('acme2'), 'ImplicitlyDenied');
    add(
      'digest outside the digests root',
      action,
      `${targets.digestBucketArn}/acme/x.json`,
      'ImplicitlyDenied',
    );
    add(
      'own digest without a TenantId tag',
      action,
      digest('acme'),
      'ExplicitlyDenied',
      sessionTags({ userId: 'alice' }),
    );
  }
  // Never delete, never bypass: Object Lock would refuse a locked version anyway, and a delete marker would hide one.
  for (const action of ['s3:DeleteObject', 's3:DeleteObjectVersion', 's3:BypassGovernanceRetention'])
    add('own tenant digest', action, digest('acme'), 'ImplicitlyDenied');
  const listing = (prefix: string): ContextValues => ({ ...OWN, 's3:prefix': prefix });
  add('own digests', 's3:ListBucketVersions', targets.digestBucketArn, 'Allowed', listing('digests/acme/'));
  add(
    'other tenant digests',
    's3:ListBucketVersions',
    targets.digestBucketArn,
    'ImplicitlyDenied',
    listing('digests/globex/'),
  );
  add(
    'the whole digest bucket',
    's3:ListBucketVersions',
    targets.digestBucketArn,
    'ImplicitlyDenied',
    listing(''),
  );
  add(
    'own digests (current versions only)',
    's3:ListBucket',
    targets.digestBucketArn,
    'ImplicitlyDenied',
    listing('digests/acme/'),
  );
  add('the digest key', 'kms:GetPublicKey', targets.digestKeyArn, 'Allowed');
  add('the digest key', 'kms:Sign', targets.digestKeyArn, 'ImplicitlyDenied', {
    ...OWN,
    'kms:SigningAlgorithm': 'ECDSA_SHA_256',
    'kms:MessageType': 'RAW',
  });
  return cases;
}

/** The user eraser role: every version of the session's user's private objects, list and delete only. */
export function userEraserMatrix(
  targets: Pick<MatrixTargets, 'bucketArn' | 'foreignBucketArn' | 'tableArn'>,
): MatrixCase[] {
  const cases: MatrixCase[] = [];
  const object = (key: string, bucket = targets.bucketArn): string => `${bucket}/${key}`;
  const add = (
    name: string,
    action: string,
    resource: string,
    expected: Verdict,
    context: ContextValues = OWN,
  ): void => {
    cases.push({ name: `${action} ${name}`, action, resource, context, expected });
  };
  for (const action of USER_ERASER_OBJECT_ACTIONS) {
    add('own private object', action, object('tenants/acme/users/alice/doc.txt'), 'Allowed');
    add('another user private object', action, object('tenants/acme/users/bob/doc.txt'), 'ImplicitlyDenied');
    add('tenant shared object', action, object('tenants/acme/shared/doc.txt'), 'ImplicitlyDenied');
    add(
      'same user id in another tenant',
      action,
      object('tenants/globex/users/alice/doc.txt'),
      'ImplicitlyDenied',
    );
    add(
      'prefix-colliding tenant (acme2)',
      action,
      object('tenants/acme2/users/alice/doc.txt'),
      'ImplicitlyDenied',
    );
    add(
      'prefix-colliding user (alice2)',
      action,
      object('tenants/acme/users/alice2/doc.txt'),
      'ImplicitlyDenied',
    );
    add(
      'own key in a foreign bucket',
      action,
      object('tenants/acme/users/alice/doc.txt', targets.foreignBucketArn),
      'ImplicitlyDenied',
    );
    add(
      'own object without a UserId tag',
      action,
      object('tenants/acme/users/alice/doc.txt'),
      'ExplicitlyDenied',
      sessionTags({ tenantId: 'acme' }),
    );
    add(
      'own object without a TenantId tag',
      action,
      object('tenants/acme/users/alice/doc.txt'),
      'ExplicitlyDenied',
      sessionTags({ userId: 'alice' }),
    );
  }
  // No reads, no writes, no items: erasure is all it may do.
  for (const action of ['s3:GetObject', 's3:GetObjectVersion', 's3:PutObject'])
    add('own private object', action, object('tenants/acme/users/alice/doc.txt'), 'ImplicitlyDenied');
  add('own private key', 'dynamodb:DeleteItem', targets.tableArn, 'ImplicitlyDenied', {
    ...OWN,
    'dynamodb:LeadingKeys': ['acme#u#alice#memory'],
  });
  const listing = (prefix: string): ContextValues => ({ ...OWN, 's3:prefix': prefix });
  add(
    'own private prefix',
    's3:ListBucketVersions',
    targets.bucketArn,
    'Allowed',
    listing('tenants/acme/users/alice/'),
  );
  add(
    'another user prefix',
    's3:ListBucketVersions',
    targets.bucketArn,
    'ImplicitlyDenied',
    listing('tenants/acme/users/bob/'),
  );
  add(
    'the tenant root',
    's3:ListBucketVersions',
    targets.bucketArn,
    'ImplicitlyDenied',
    listing('tenants/acme/'),
  );
  add('the whole bucket', 's3:ListBucketVersions', targets.bucketArn, 'ImplicitlyDenied', listing(''));
  add(
    'own private prefix (current objects)',
    's3:ListBucket',
    targets.bucketArn,
    'ImplicitlyDenied',
    listing('tenants/acme/users/alice/'),
  );
  return cases;
}

/** The tenant eraser role: find and delete everything of the session's tenant, nothing of another; no reads of objects, no writes. */
export function tenantEraserMatrix(
  targets: Pick<MatrixTargets, 'tableArn' | 'bucketArn' | 'vectorBucketArn' | 'tenantSecretsArnRoot'>,
): MatrixCase[] {
  const cases: MatrixCase[] = [];
  const eraser = sessionTags({ tenantId: 'acme', userId: 'tenant-eraser' });
  const add = (
    name: string,
    action: string,
    resource: string,
    expected: Verdict,
    context: ContextValues = eraser,
  ): void => {
    cases.push({ name: `${action} ${name}`, action, resource, context, expected });
  };
  const keys = (...leadingKeys: string[]): ContextValues => ({
    ...eraser,
    'dynamodb:LeadingKeys': leadingKeys,
  });
  for (const action of TENANT_ERASER_ITEM_ACTIONS) {
    for (const key of ['acme#t#documents', 'acme#u#alice#memory', 'acme#a#audit#s0'])
      add(`own tenant key ${key}`, action, targets.tableArn, 'Allowed', keys(key));
    add('other tenant key', action, targets.tableArn, 'ImplicitlyDenied', keys('globex#t#documents'));
    add(
      'prefix-colliding tenant key (acme2)',
      action,
      targets.tableArn,
      'ImplicitlyDenied',
      keys('acme2#t#documents'),
    );
    add(
      'own key beside another tenant key',
      action,
      targets.tableArn,
      'ImplicitlyDenied',
      keys('acme#t#x', 'globex#t#x'),
    );
    add('request without LeadingKeys', action, targets.tableArn, 'ImplicitlyDenied');
    add('own key without a TenantId tag', action, targets.tableArn, 'ExplicitlyDenied', {
      ...sessionTags({ userId: 'tenant-eraser' }),
      'dynamodb:LeadingKeys': ['acme#t#documents'],
    });
  }
  for (const action of ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:BatchWriteItem'])
    add('own tenant key (no writes)', action, targets.tableArn, 'ImplicitlyDenied', keys('acme#t#documents'));
  const object = (key: string) => `${targets.bucketArn}/${key}`;
  for (const action of TENANT_ERASER_OBJECT_ACTIONS) {
    add('own shared object', action, object('tenants/acme/shared/a.txt'), 'Allowed');
    add('own user private object', action, object('tenants/acme/users/alice/a.txt'), 'Allowed');
    add('other tenant object', action, object('tenants/globex/shared/a.txt'), 'ImplicitlyDenied');
    add(
      'prefix-colliding tenant object (acme2)',
      action,
      object('tenants/acme2/shared/a.txt'),
      'ImplicitlyDenied',
    );
  }
  add('own object (no reads)', 's3:GetObject', object('tenants/acme/shared/a.txt'), 'ImplicitlyDenied');
  const listing = (prefix: string): ContextValues => ({ ...eraser, 's3:prefix': prefix });
  add('own tenant prefix', 's3:ListBucketVersions', targets.bucketArn, 'Allowed', listing('tenants/acme/'));
  add(
    'other tenant prefix',
    's3:ListBucketVersions',
    targets.bucketArn,
    'ImplicitlyDenied',
    listing('tenants/globex/'),
  );
  add('the whole bucket', 's3:ListBucketVersions', targets.bucketArn, 'ImplicitlyDenied', listing(''));
  for (const action of TENANT_ERASER_INDEX_ACTIONS) {
    add('own index', action, `${targets.vectorBucketArn}/index/acme`, 'Allowed');
    add('other tenant index', action, `${targets.vectorBucketArn}/index/globex`, 'ImplicitlyDenied');
  }
  add(
    'own index (no vector reads)',
    's3vectors:QueryVectors',
    `${targets.vectorBucketArn}/index/acme`,
    'ImplicitlyDenied',
  );
  const secret = (tenant: string) => `${targets.tenantSecretsArnRoot}/${tenant}/connectors/tracker-AbCdEf`;
  add('own tenant secret', 'secretsmanager:DeleteSecret', secret('acme'), 'Allowed');
  add('other tenant secret', 'secretsmanager:DeleteSecret', secret('globex'), 'ImplicitlyDenied');
  add('own tenant secret (no reads)', 'secretsmanager:GetSecretValue', secret('acme'), 'ImplicitlyDenied');
  return cases;
}

/** The whole matrix. */
export function policyMatrix(targets: MatrixTargets): MatrixCase[] {
  return [
    ...itemCases(targets),
    ...objectCases(targets),
    ...vectorCases(targets),
    ...modelCases(targets),
    ...secretCases(targets),
    ...vaultCases(targets),
    ...digestCases(targets),
  ];
}

/** One silo tenant's dedicated data plane (its names as the functions derive them). */
export interface SiloTargets {
  readonly tenantId: string;
  readonly tableArn: string;
  readonly bucketArn: string;
  readonly vectorBucketArn: string;
  /** Its key's alias ARN-less name (`alias/<stack>/silo/<tenant>`) and S3's service name in the Region. */
  readonly keyAlias: string;
  readonly s3ViaService: string;
  /** A key's ARN (any id: the grant goes by alias). */
  readonly keyArn: string;
}

/**
 * A silo belongs to its tenant alone, and only while its tenant is placed there: the silo tenant's
 * silo session reaches it under the usual key rules; every other tenant — pool tenants and the
 * other silo tenants, with their own keys — is denied there; the silo tenant's session stays out
 * of the pool even on its own keys; and a session of the silo tenant tagged `pool` (before or after
 * a move) does not reach the silo.
 */
export function siloMatrix(
  silo: SiloTargets,
  pool: Pick<SiloTargets, 'tableArn' | 'bucketArn' | 'vectorBucketArn'>,
  otherSiloTenants: readonly string[],
): MatrixCase[] {
  const owner = silo.tenantId;
  const ownerSession = sessionTags({ tenantId: owner, userId: 'gina', placement: 'silo' });
  const ownerPoolSession = sessionTags({ tenantId: owner, userId: 'gina', placement: 'pool' });
  const otherSilo = (tenantId: string) => sessionTags({ tenantId, userId: 'sam', placement: 'silo' });
  const cases: MatrixCase[] = [];
  const add = (
    name: string,
    action: string,
    resource: string,
    context: ContextValues,
    expected: Verdict,
  ): void => {
    cases.push({ name: `silo ${owner}: ${action} ${name}`, action, resource, context, expected });
  };
  const keys = (session: ContextValues, ...leadingKeys: string[]): ContextValues => ({
    ...session,
    'dynamodb:LeadingKeys': leadingKeys,
  });
  for (const action of TENANT_ITEM_ACTIONS) {
    add('own tenant-shared key', action, silo.tableArn, keys(ownerSession, `${owner}#t#memory`), 'Allowed');
    add('own private key', action, silo.tableArn, keys(ownerSession, `${owner}#u#gina#memory`), 'Allowed');
    add(
      'another user private key',
      action,
      silo.tableArn,
      keys(ownerSession, `${owner}#u#greg#memory`),
      'ImplicitlyDenied',
    );
    add('request without LeadingKeys', action, silo.tableArn, ownerSession, 'ImplicitlyDenied');
    add(
      'own key with a pool session',
      action,
      silo.tableArn,
      keys(ownerPoolSession, `${owner}#t#memory`),
      'ImplicitlyDenied',
    );
    add(
      'pool tenant on its own shared key',
      action,
      silo.tableArn,
      keys(OWN, 'acme#t#memory'),
      'ImplicitlyDenied',
    );
    add(
      'pool tenant on the silo tenant key',
      action,
      silo.tableArn,
      keys(OWN, `${owner}#t#memory`),
      'ImplicitlyDenied',
    );
    for (const other of otherSiloTenants) {
      add(
        `silo tenant ${other} on its own shared key`,
        action,
        silo.tableArn,
        keys(otherSilo(other), `${other}#t#memory`),
        'ImplicitlyDenied',
      );
      add(
        `silo tenant ${other} on the owner's key`,
        action,
        silo.tableArn,
        keys(otherSilo(other), `${owner}#t#memory`),
        'ImplicitlyDenied',
      );
    }
    add(
      'own shared key in the pool table',
      action,
      pool.tableArn,
      keys(ownerSession, `${owner}#t#memory`),
      'ImplicitlyDenied',
    );
    add('pool tenant on its pool key', action, pool.tableArn, keys(OWN, 'acme#t#memory'), 'Allowed');
  }
  for (const action of TENANT_OBJECT_ACTIONS) {
    const object = (key: string): string => `${silo.bucketArn}/${key}`;
    add('own shared object', action, object(`tenants/${owner}/shared/a.txt`), ownerSession, 'Allowed');
    add('own private object', action, object(`tenants/${owner}/users/gina/a.txt`), ownerSession, 'Allowed');
    add(
      'another user private object',
      action,
      object(`tenants/${owner}/users/greg/a.txt`),
      ownerSession,
      'ImplicitlyDenied',
    );
    add(
      'own object with a pool session',
      action,
      object(`tenants/${owner}/shared/a.txt`),
      ownerPoolSession,
      'ImplicitlyDenied',
    );
    add(
      'pool tenant on its own prefix',
      action,
      object('tenants/acme/shared/a.txt'),
      OWN,
      'ImplicitlyDenied',
    );
    for (const other of otherSiloTenants)
      add(
        `silo tenant ${other} on its own prefix`,
        action,
        object(`tenants/${other}/shared/a.txt`),
        otherSilo(other),
        'ImplicitlyDenied',
      );
    add(
      'own shared object in the pool bucket',
      action,
      `${pool.bucketArn}/tenants/${owner}/shared/a.txt`,
      ownerSession,
      'ImplicitlyDenied',
    );
  }
  const listing = (prefix: string, context: ContextValues): ContextValues => ({
    ...context,
    's3:prefix': prefix,
  });
  add(
    'own shared prefix',
    's3:ListBucket',
    silo.bucketArn,
    listing(`tenants/${owner}/shared/`, ownerSession),
    'Allowed',
  );
  add(
    'pool tenant on its own prefix',
    's3:ListBucket',
    silo.bucketArn,
    listing('tenants/acme/shared/', OWN),
    'ImplicitlyDenied',
  );
  add(
    'own prefix in the pool bucket',
    's3:ListBucket',
    pool.bucketArn,
    listing(`tenants/${owner}/shared/`, ownerSession),
    'ImplicitlyDenied',
  );
  for (const action of TENANT_VECTOR_ACTIONS) {
    const index = (name: string): string => `${silo.vectorBucketArn}/index/${name}`;
    add('own index', action, index(owner), ownerSession, 'Allowed');
    add('own index with a pool session', action, index(owner), ownerPoolSession, 'ImplicitlyDenied');
    add('pool tenant on its own index', action, index('acme'), OWN, 'ImplicitlyDenied');
    for (const other of otherSiloTenants)
      add(
        `silo tenant ${other} on its own index`,
        action,
        index(other),
        otherSilo(other),
        'ImplicitlyDenied',
      );
    add(
      'own index name in the pool',
      action,
      `${pool.vectorBucketArn}/index/${owner}`,
      ownerSession,
      'ImplicitlyDenied',
    );
  }
  // The silo key: through S3 only, by the alias that names the session's tenant.
  const viaS3 = (session: ContextValues, alias: string): ContextValues => ({
    ...session,
    'kms:ViaService': silo.s3ViaService,
    'kms:ResourceAliases': [alias],
  });
  const otherAlias = silo.keyAlias.replace(new RegExp(`/${owner}$`), `/${otherSiloTenants[0] ?? 'acme'}`);
  for (const action of SILO_KEY_ACTIONS) {
    add('own silo key through S3', action, silo.keyArn, viaS3(ownerSession, silo.keyAlias), 'Allowed');
    add(
      'own silo key directly',
      action,
      silo.keyArn,
      { ...ownerSession, 'kms:ResourceAliases': [silo.keyAlias] },
      'ImplicitlyDenied',
    );
    add(
      'another silo key through S3',
      action,
      silo.keyArn,
      viaS3(ownerSession, otherAlias),
      'ImplicitlyDenied',
    );
    add(
      'own silo key with a pool session',
      action,
      silo.keyArn,
      viaS3(ownerPoolSession, silo.keyAlias),
      'ImplicitlyDenied',
    );
  }
  return cases;
}

/**
 * The tenant mover (the placement job's sessions, one tenant at a time): its tenant, whole, on the
 * pool and in its silo — items of every marker, objects and their versions, its index — and
 * nothing of any other tenant, pooled or siloed.
 */
export function tenantMoverMatrix(
  pool: Pick<MatrixTargets, 'tableArn' | 'bucketArn' | 'vectorBucketArn'>,
  silo: SiloTargets,
  otherSilo: SiloTargets,
): MatrixCase[] {
  const owner = silo.tenantId;
  const mover = sessionTags({ tenantId: owner, userId: 'tenant-mover' });
  const cases: MatrixCase[] = [];
  const add = (name: string, action: string, resource: string, context: ContextValues, expected: Verdict) =>
    cases.push({ name: `mover ${owner}: ${action} ${name}`, action, resource, context, expected });
  const planes = [
    ['pool', pool],
    ['silo', silo],
  ] as const;
  for (const [where, plane] of planes) {
    for (const action of TENANT_MOVER_ITEM_ACTIONS) {
      for (const key of [`${owner}#t#memory`, `${owner}#u#gina#memory`, `${owner}#a#audit#s0`])
        add(
          `own key ${key} (${where})`,
          action,
          plane.tableArn,
          { ...mover, 'dynamodb:LeadingKeys': [key] },
          'Allowed',
        );
      add(
        `another tenant key (${where})`,
        action,
        plane.tableArn,
        { ...mover, 'dynamodb:LeadingKeys': ['acme#t#memory'] },
        'ImplicitlyDenied',
      );
      add(`no keys (${where})`, action, plane.tableArn, mover, 'ImplicitlyDenied');
    }
    for (const action of TENANT_MOVER_OBJECT_ACTIONS) {
      add(
        `own object (${where})`,
        action,
        `${plane.bucketArn}/tenants/${owner}/users/gina/a.txt`,
        mover,
        'Allowed',
      );
      add(
        `another tenant object (${where})`,
        action,
        `${plane.bucketArn}/tenants/acme/shared/a.txt`,
        mover,
        'ImplicitlyDenied',
      );
    }
    for (const action of ['s3:ListBucket', 's3:ListBucketVersions']) {
      add(
        `own prefix (${where})`,
        action,
        plane.bucketArn,
        { ...mover, 's3:prefix': `tenants/${owner}/` },
        'Allowed',
      );
      add(
        `another tenant prefix (${where})`,
        action,
        plane.bucketArn,
        { ...mover, 's3:prefix': 'tenants/acme/' },
        'ImplicitlyDenied',
      );
    }
    for (const action of TENANT_MOVER_INDEX_ACTIONS) {
      add(`own index (${where})`, action, `${plane.vectorBucketArn}/index/${owner}`, mover, 'Allowed');
      add(
        `another tenant index (${where})`,
        action,
        `${plane.vectorBucketArn}/index/acme`,
        mover,
        'ImplicitlyDenied',
      );
    }
  }
  add(
    'another silo table, its own key',
    'dynamodb:PutItem',
    otherSilo.tableArn,
    { ...mover, 'dynamodb:LeadingKeys': [`${owner}#t#memory`] },
    'ImplicitlyDenied',
  );
  add(
    'another silo bucket',
    's3:PutObject',
    `${otherSilo.bucketArn}/tenants/${owner}/shared/a.txt`,
    mover,
    'ImplicitlyDenied',
  );
  add(
    'another silo index',
    's3vectors:PutVectors',
    `${otherSilo.vectorBucketArn}/index/${owner}`,
    mover,
    'ImplicitlyDenied',
  );
  const viaS3 = (alias: string): ContextValues => ({
    ...mover,
    'kms:ViaService': silo.s3ViaService,
    'kms:ResourceAliases': [alias],
  });
  add('own silo key through S3', 'kms:GenerateDataKey', silo.keyArn, viaS3(silo.keyAlias), 'Allowed');
  add(
    'another silo key through S3',
    'kms:GenerateDataKey',
    silo.keyArn,
    viaS3(otherSilo.keyAlias),
    'ImplicitlyDenied',
  );
  add('a table scan (no keys) of its silo', 'dynamodb:Scan', silo.tableArn, mover, 'ImplicitlyDenied');
  return cases;
}

/** What CloudFormation may do with the silo deployer role: create and delete silo resources, nothing else. */
export function siloDeployerMatrix(
  targets: Pick<
    MatrixTargets,
    'tableArn' | 'foreignTableArn' | 'bucketArn' | 'vectorBucketArn' | 'vaultKeyArn'
  >,
  silo: SiloTargets,
  aliasArn: string,
): MatrixCase[] {
  const cases: MatrixCase[] = [];
  const add = (name: string, action: string, resource: string, context: ContextValues, expected: Verdict) =>
    cases.push({ name: `deployer: ${action} ${name}`, action, resource, context, expected });
  for (const action of ['dynamodb:CreateTable', 'dynamodb:DeleteTable']) {
    add('a silo table', action, silo.tableArn, {}, 'Allowed');
    add('the pool table', action, targets.tableArn, {}, 'ImplicitlyDenied');
    add('the control table', action, targets.foreignTableArn, {}, 'ImplicitlyDenied');
  }
  for (const action of ['s3:CreateBucket', 's3:DeleteBucket', 's3:PutBucketPolicy']) {
    add('a silo bucket', action, silo.bucketArn, {}, 'Allowed');
    add('the pool bucket', action, targets.bucketArn, {}, 'ImplicitlyDenied');
  }
  for (const action of ['s3vectors:CreateVectorBucket', 's3vectors:DeleteVectorBucket']) {
    add('a silo vector bucket', action, silo.vectorBucketArn, {}, 'Allowed');
    add('the pool vector bucket', action, targets.vectorBucketArn, {}, 'ImplicitlyDenied');
  }
  add(
    'a key tagged as a silo key',
    'kms:CreateKey',
    '*',
    { [`aws:RequestTag/${SILO_KEY_TAG}`]: silo.tenantId },
    'Allowed',
  );
  add('an untagged key', 'kms:CreateKey', '*', {}, 'ImplicitlyDenied');
  for (const action of ['kms:ScheduleKeyDeletion', 'kms:PutKeyPolicy', 'kms:CreateGrant']) {
    add('a silo key', action, silo.keyArn, { [`aws:ResourceTag/${SILO_KEY_TAG}`]: silo.tenantId }, 'Allowed');
    add('the vault key (untagged)', action, targets.vaultKeyArn, {}, 'ImplicitlyDenied');
  }
  add('a silo alias', 'kms:CreateAlias', aliasArn, {}, 'Allowed');
  for (const action of ['dynamodb:GetItem', 'dynamodb:Scan', 'dynamodb:PutItem'])
    add('data in a silo table', action, silo.tableArn, {}, 'ImplicitlyDenied');
  add(
    'an object in a silo bucket',
    's3:GetObject',
    `${silo.bucketArn}/tenants/${silo.tenantId}/shared/a.txt`,
    {},
    'ImplicitlyDenied',
  );
  return cases;
}

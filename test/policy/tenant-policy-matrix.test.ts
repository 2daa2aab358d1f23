/**
 * THE policy matrix: the tenant role's policy is read back from the
 * synthesized template and every matrix case is judged by iam-simulate.
 * Mutated copies of the same document prove the matrix catches regressions.
 */
import { describe, expect, it } from 'vitest';
import { TENANT_TAG_KEY } from '../../lambdas/tenancy/key-layout.js';
import { DEFAULT_MODEL_IDS } from '../../lib/bulkhead-settings.js';
import type { CfnTemplate } from '../../lib/template/cfn-template.js';
import {
  functionSpecs,
  LOCAL_ACCOUNT,
  physicalName,
  resolveIntrinsics,
  resourceArn,
  rolePolicyDocuments,
  tenantAccessRoleLogicalId,
} from '../../lib/template/local-resolution.js';
import { synthesizeBulkheadTemplate } from '../../lib/template/synthesize.js';
import type { PolicyDocumentJson, PolicyStatementJson } from '../../lib/tenant-policy.js';
import { assumedRoleSession, evaluateAccess } from '../support/iam-evaluation.js';
import {
  auditWriterMatrix,
  type MatrixCase,
  type MatrixTargets,
  policyMatrix,
  type SiloTargets,
  siloMatrix,
  tenantEraserMatrix,
  userEraserMatrix,
  type Verdict,
} from './policy-matrix.js';

/** The ARN of the template resource of `type` whose local physical name is `name`. */
function arnOfNamed(template: CfnTemplate, type: string, name: string): string {
  const match = Object.entries(template.Resources).find(
    ([logicalId, resource]) => resource.Type === type && physicalName(template, logicalId) === name,
  );
  if (!match) throw new Error(`no ${type} named ${name}`);
  return resourceArn(template, match[0]);
}

function requiredVariable(environment: Record<string, string>, name: string): string {
  const value = environment[name];
  if (value === undefined) throw new Error(`${name} is not set on the api function`);
  return value;
}

function apiEnvironment(template: CfnTemplate): Record<string, string> {
  const api = functionSpecs(template).find((spec) => spec.entry === 'lambdas/handlers/api.ts');
  if (!api) throw new Error('no api function in the template');
  return api.environment;
}

function logicalIdOfType(template: CfnTemplate, type: string): string {
  const id = Object.keys(template.Resources).find(
    (logicalId) => template.Resources[logicalId]?.Type === type,
  );
  if (id === undefined) throw new Error(`no ${type} in the template`);
  return id;
}

/** Tenant data locations exactly as the api function is configured to use them. */
function targetsFrom(template: CfnTemplate): MatrixTargets {
  const env = apiEnvironment(template);
  const bucketArn = arnOfNamed(template, 'AWS::S3::Bucket', requiredVariable(env, 'TENANT_BUCKET_NAME'));
  const otherBucket = Object.keys(template.Resources).find(
    (id) => template.Resources[id]?.Type === 'AWS::S3::Bucket' && resourceArn(template, id) !== bucketArn,
  );
  if (!otherBucket) throw new Error('no non-tenant bucket in the template');
  const modelArn = (id: string): string =>
    `arn:${LOCAL_ACCOUNT.partition}:bedrock:${LOCAL_ACCOUNT.region}::foundation-model/${id}`;
  return {
    tableArn: arnOfNamed(template, 'AWS::DynamoDB::Table', requiredVariable(env, 'TENANT_TABLE_NAME')),
    foreignTableArn: arnOfNamed(
      template,
      'AWS::DynamoDB::Table',
      requiredVariable(env, 'CONTROL_TABLE_NAME'),
    ),
    bucketArn,
    foreignBucketArn: resourceArn(template, otherBucket),
    vectorBucketArn: arnOfNamed(
      template,
      'AWS::S3Vectors::VectorBucket',
      requiredVariable(env, 'VECTOR_BUCKET_NAME'),
    ),
    allowedModelArns: DEFAULT_MODEL_IDS.map(modelArn),
    deniedModelArn: modelArn('anthropic.claude-3-haiku-20240307-v1:0'),
    tenantSecretsArnRoot: `arn:${LOCAL_ACCOUNT.partition}:secretsmanager:${LOCAL_ACCOUNT.region}:${LOCAL_ACCOUNT.accountId}:secret:${requiredVariable(env, 'TENANT_SECRET_PREFIX')}`,
    foreignSecretArn: resourceArn(template, logicalIdOfType(template, 'AWS::SecretsManager::Secret')),
    vaultKeyArn: requiredVariable(env, 'VAULT_KEY_ARN'),
    digestBucketArn: arnOfNamed(
      template,
      'AWS::S3::Bucket',
      requiredVariable(env, 'AUDIT_DIGEST_BUCKET_NAME'),
    ),
    digestKeyArn: requiredVariable(env, 'AUDIT_DIGEST_KEY_ARN'),
  };
}

const SILO_TENANT = 'globex';

/** The silo tenant's data plane exactly as the api function routes to it (`SILO_DATA_PLANES`). */
function siloTargetsFrom(template: CfnTemplate, tenantId: string): SiloTargets {
  const planes: Record<string, Record<string, string>> = JSON.parse(
    requiredVariable(apiEnvironment(template), 'SILO_DATA_PLANES'),
  );
  const plane = planes[tenantId];
  if (plane === undefined) throw new Error(`no silo data plane for ${tenantId}`);
  const named = (type: string, field: string): string =>
    arnOfNamed(template, type, requiredVariable(plane, field));
  return {
    tenantId,
    tableArn: named('AWS::DynamoDB::Table', 'tableName'),
    bucketArn: named('AWS::S3::Bucket', 'bucketName'),
    vectorBucketArn: named('AWS::S3Vectors::VectorBucket', 'vectorBucketName'),
  };
}

// Synthesized at collection time: the cases are named from the template's own ARNs.
const template = synthesizeBulkheadTemplate();
const tenantRoleId = tenantAccessRoleLogicalId(template);
const documents = rolePolicyDocuments(template, tenantRoleId);
const session = assumedRoleSession(resourceArn(template, tenantRoleId));
const cases = policyMatrix(targetsFrom(template));

// The hybrid deployment of the local demo: one silo tenant beside the pool.
const hybridTemplate = synthesizeBulkheadTemplate({
  nagChecks: false,
  context: { 'bulkhead:siloTenants': SILO_TENANT },
});
const hybridDocuments = rolePolicyDocuments(hybridTemplate, tenantAccessRoleLogicalId(hybridTemplate));
const hybridCases = siloMatrix(siloTargetsFrom(hybridTemplate, SILO_TENANT), targetsFrom(hybridTemplate));

/** A KMS key's own policy: KMS requires it to allow (as in AWS), so the matrix judges it too. */
function keyPolicyOf(keyArn: string): PolicyDocumentJson {
  return resolveIntrinsics(
    template.Resources[keyArn.split(':key/')[1] ?? '']?.Properties?.KeyPolicy,
    template,
  ) as PolicyDocumentJson;
}

/** The resource policy a case is judged under: the key policy of a KMS key. */
function resourcePolicyOf(testCase: MatrixCase): { resource?: PolicyDocumentJson } {
  return testCase.action.startsWith('kms:')
    ? { resource: keyPolicyOf(testCase.resource.replace(/-other$/, '')) }
    : {};
}

function verdict(policy: readonly PolicyDocumentJson[], testCase: MatrixCase): Promise<Verdict> {
  return evaluateAccess(
    { identity: policy, ...resourcePolicyOf(testCase) },
    { principal: session, action: testCase.action, resource: testCase.resource, context: testCase.context },
  );
}

/** Names of the cases whose verdict under `policy` differs from the expected one, with that verdict. */
async function misjudged(
  policy: readonly PolicyDocumentJson[],
  judged: readonly MatrixCase[] = cases,
): Promise<Map<string, Verdict>> {
  const wrong = new Map<string, Verdict>();
  for (const testCase of judged) {
    const actual = await verdict(policy, testCase);
    if (actual !== testCase.expected) wrong.set(testCase.name, actual);
  }
  return wrong;
}

/** A copy of the template's documents with statement `sid` rewritten (or dropped when `change` returns undefined). */
function mutated(
  sid: string,
  change: (statement: PolicyStatementJson) => PolicyStatementJson | undefined,
  original: readonly PolicyDocumentJson[] = documents,
): PolicyDocumentJson[] {
  let found = false;
  const copies = original.map((document) => ({
    ...document,
    Statement: document.Statement.flatMap((statement) => {
      if (statement.Sid !== sid) return [structuredClone(statement)];
      found = true;
      const changed = change(structuredClone(statement));
      return changed === undefined ? [] : [changed];
    }),
  }));
  if (!found) throw new Error(`no statement ${sid} to mutate`);
  return copies;
}

function casesNamed(suffix: string): string[] {
  const names = cases.filter((testCase) => testCase.name.endsWith(suffix)).map((testCase) => testCase.name);
  if (names.length === 0) throw new Error(`no matrix case ends with "${suffix}"`);
  return names;
}

const auditWriterId = Object.keys(template.Resources).find(
  (id) => template.Resources[id]?.Type === 'AWS::IAM::Role' && id.startsWith('AuditWriter'),
);
if (auditWriterId === undefined) throw new Error('no audit writer role in the template');
const auditWriterDocuments = rolePolicyDocuments(template, auditWriterId);
const auditWriterSession = assumedRoleSession(resourceArn(template, auditWriterId));

describe('audit writer policy matrix (policy read from the synthesized template)', () => {
  it.each(auditWriterMatrix(targetsFrom(template)))('$name → $expected', async (testCase) => {
    const verdict = await evaluateAccess(
      { identity: auditWriterDocuments, ...resourcePolicyOf(testCase) },
      {
        principal: auditWriterSession,
        action: testCase.action,
        resource: testCase.resource,
        context: testCase.context,
      },
    );
    expect(verdict).toBe(testCase.expected);
  });
});

/** The logical id of a role whose id starts with `prefix`. */
function roleId(prefix: string): string {
  const id = Object.keys(template.Resources).find(
    (candidate) => template.Resources[candidate]?.Type === 'AWS::IAM::Role' && candidate.startsWith(prefix),
  );
  if (id === undefined) throw new Error(`no ${prefix} role in the template`);
  return id;
}

describe.each([
  ['user eraser', 'ErasersUserEraser', userEraserMatrix(targetsFrom(template))],
  ['tenant eraser', 'ErasersTenantEraser', tenantEraserMatrix(targetsFrom(template))],
])('%s policy matrix (policy read from the synthesized template)', (_name, prefix, matrix) => {
  const id = roleId(prefix);
  it.each(matrix)('$name → $expected', async (testCase) => {
    const verdict = await evaluateAccess(
      { identity: rolePolicyDocuments(template, id) },
      {
        principal: assumedRoleSession(resourceArn(template, id)),
        action: testCase.action,
        resource: testCase.resource,
        context: testCase.context,
      },
    );
    expect(verdict).toBe(testCase.expected);
  });

  it('holds both outcomes', () => {
    expect(matrix.some((testCase) => testCase.expected === 'Allowed')).toBe(true);
    expect(matrix.some((testCase) => testCase.expected !== 'Allowed')).toBe(true);
  });
});

describe('audit writer in a hybrid deployment', () => {
  const writerId = Object.keys(hybridTemplate.Resources).find(
    (id) => hybridTemplate.Resources[id]?.Type === 'AWS::IAM::Role' && id.startsWith('AuditWriter'),
  );
  if (writerId === undefined) throw new Error('no audit writer role in the hybrid template');
  const siloTable = siloTargetsFrom(hybridTemplate, SILO_TENANT).tableArn;
  const judge = (tenantId: string) =>
    evaluateAccess(
      { identity: rolePolicyDocuments(hybridTemplate, writerId) },
      {
        principal: assumedRoleSession(resourceArn(hybridTemplate, writerId)),
        action: 'dynamodb:PutItem',
        resource: siloTable,
        context: {
          'aws:PrincipalTag/TenantId': tenantId,
          'aws:PrincipalTag/UserId': 'alice',
          'dynamodb:LeadingKeys': [`${tenantId}#a#audit#s0`],
        },
      },
    );

  it('lets only the silo tenant’s writer append to the silo table', async () => {
    expect(await judge(SILO_TENANT)).toBe('Allowed');
    expect(await judge('acme')).toBe('ImplicitlyDenied');
  });
});

describe('tenant access policy matrix (policy read from the synthesized template)', () => {
  it.each(cases)('$name → $expected', async (testCase) => {
    expect(await verdict(documents, testCase)).toBe(testCase.expected);
  });

  it('holds at least 100 cases with both outcomes', () => {
    const allowed = cases.filter((testCase) => testCase.expected === 'Allowed').length;
    const denied = cases.length - allowed;
    expect(cases.length).toBeGreaterThanOrEqual(100);
    expect(allowed).toBeGreaterThan(0);
    expect(denied).toBeGreaterThan(0);
    expect(new Set(cases.map((testCase) => testCase.name)).size).toBe(cases.length);
  });
});

describe('mutation check: the matrix catches weakened policies', () => {
  it('catches a TenantItems statement without the Null guard (requests without keys become Allowed)', async () => {
    const weakened = mutated('TenantItems', (statement) => {
      const { Null: _dropped, ...rest } = statement.Condition ?? {};
      return { ...statement, Condition: rest };
    });
    const wrong = await misjudged(weakened);
    for (const name of casesNamed('request without LeadingKeys')) expect(wrong.get(name)).toBe('Allowed');
  });

  it('catches LeadingKeys patterns without the # delimiter (acme reaches acme2 keys)', async () => {
    const weakened = mutated('TenantItems', (statement) => ({
      ...statement,
      Condition: {
        ...statement.Condition,
        'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`\${aws:PrincipalTag/${TENANT_TAG_KEY}}*`] },
      },
    }));
    const wrong = await misjudged(weakened);
    for (const name of casesNamed('prefix-colliding tenant key (acme2)'))
      expect(wrong.get(name)).toBe('Allowed');
    for (const name of casesNamed('another user private key')) {
      if (name.startsWith('dynamodb:')) expect(wrong.get(name)).toBe('Allowed');
    }
  });

  it('catches a ListBucket grant without the s3:prefix condition', async () => {
    const weakened = mutated('TenantListing', ({ Condition: _dropped, ...statement }) => statement);
    const wrong = await misjudged(weakened);
    expect(wrong.get('s3:ListBucket without prefix')).toBe('Allowed');
    expect(wrong.get('s3:ListBucket other tenant prefix')).toBe('Allowed');
  });

  it('catches a missing malformed-tag deny (wildcard-like tags are no longer explicitly denied)', async () => {
    // iam-simulate substitutes tag values literally, so without the deny these
    // sessions fall to an implicit deny; the exact-verdict matrix still notices.
    const weakened = mutated('DenyMalformedTenantTag', () => undefined);
    const wrong = await misjudged(weakened);
    for (const name of casesNamed('wildcard-like TenantId tag "acme*"')) {
      expect(wrong.get(name)).toBe('ImplicitlyDenied');
    }
  });

  it('finds no misjudged case in the unmutated policy', async () => {
    expect([...(await misjudged(documents)).keys()]).toEqual([]);
  });
});

describe('hybrid tenancy: the policy of a deployment with a silo tenant (from its synthesized template)', () => {
  it.each(hybridCases)('$name → $expected', async (testCase) => {
    expect(await verdict(hybridDocuments, testCase)).toBe(testCase.expected);
  });

  it.each([
    ['Silo1Items', 'dynamodb:Query another tenant on its own shared key'],
    ['Silo1Objects', 's3:GetObject another tenant on its own prefix'],
    ['Silo1Listing', 's3:ListBucket another tenant on its own prefix'],
    ['Silo1VectorIndex', 's3vectors:QueryVectors another tenant on its own index'],
  ])('catches %s without the silo tenant condition (%s becomes Allowed)', async (sid, caseName) => {
    const weakened = mutated(
      sid,
      (statement) => {
        const { StringEquals: _dropped, ...rest } = statement.Condition ?? {};
        return { ...statement, Condition: rest };
      },
      hybridDocuments,
    );
    const wrong = await misjudged(weakened, hybridCases);
    expect(wrong.get(`silo ${SILO_TENANT}: ${caseName}`)).toBe('Allowed');
  });

  it.each([
    'dynamodb:Query own shared key in the pool table',
    's3:GetObject own shared object in the pool bucket',
    's3:ListBucket own prefix in the pool bucket',
    's3vectors:QueryVectors own index name in the pool',
  ])('catches a policy without DenySiloTenantsOnPool (%s is no longer denied)', async (caseName) => {
    const weakened = mutated('DenySiloTenantsOnPool', () => undefined, hybridDocuments);

    const wrong = await misjudged(weakened, hybridCases);

    expect(wrong.get(`silo ${SILO_TENANT}: ${caseName}`)).toBeDefined();
  });
});

describe('iam-simulate and the literal-character escapes in the malformed-tag deny', () => {
  const denyMalformed = documents
    .flatMap((document) => document.Statement)
    .find((statement) => statement.Sid === 'DenyMalformedTenantTag');
  const probe = (tag: string): Promise<Verdict> =>
    evaluateAccess(
      {
        identity: [
          {
            Version: '2012-10-17',
            Statement: [
              { Effect: 'Allow', Action: 's3:GetObject', Resource: '*' },
              ...(denyMalformed ? [denyMalformed] : []),
            ],
          },
        ],
      },
      {
        principal: session,
        action: 's3:GetObject',
        resource: `${targetsFrom(template).bucketArn}/k`,
        context: { 'aws:PrincipalTag/TenantId': tag },
      },
    );

  it('reads them as a literal * and ? (denies tags containing them)', async () => {
    expect(denyMalformed).toBeDefined();
    expect(await probe('a*b')).toBe('ExplicitlyDenied');
    expect(await probe('a?b')).toBe('ExplicitlyDenied');
  });

  it('does not read them as wildcards (allows an ordinary tag)', async () => {
    expect(await probe('acme')).toBe('Allowed');
    expect(await probe('a$b')).toBe('Allowed');
  });
});

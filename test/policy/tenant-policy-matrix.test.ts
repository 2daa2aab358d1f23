/**
 * THE policy matrix: the tenant role's policy is read back from the
 * synthesized template and every matrix case is judged by iam-simulate.
 * Mutated copies of the same document prove the matrix catches regressions.
 */
import { describe, expect, it } from 'vitest';
import { modelsInUse, parseModelCatalog } from '../../lambdas/models/model-catalog.js';
import { TENANT_TAG_KEY } from '../../lambdas/tenancy/key-layout.js';
import { siloResourceNames } from '../../lambdas/tenancy/silo-names.js';
import { siloTemplate } from '../../lib/silo-stack.js';
import { DEFAULT_STACK_NAME as STACK_ID } from '../../lib/stack-name.js';
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
import { assumedRoleSession, evaluateAccess, sessionTags } from '../support/iam-evaluation.js';
import { editedCatalog, writeCatalogFile } from '../support/model-catalog.js';
import {
  auditWriterMatrix,
  type MatrixCase,
  type MatrixTargets,
  policyMatrix,
  profileModelMatrix,
  type SiloTargets,
  siloDeployerMatrix,
  siloMatrix,
  tenantEraserMatrix,
  tenantMoverMatrix,
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

/** The models the api function is configured with (its `MODEL_CATALOG`). */
function modelsOf(env: Record<string, string>): string[] {
  const parsed = parseModelCatalog(JSON.parse(requiredVariable(env, 'MODEL_CATALOG')), 'MODEL_CATALOG');
  if (parsed.catalog === undefined) throw new Error(parsed.problems.join('; '));
  return modelsInUse(parsed.catalog);
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
    allowedModelArns: modelsOf(env).map(modelArn),
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

/** Five silo tenants: each silo must be reachable by its own tenant only. */
const SILO_TENANTS = ['globex', 'initech', 'umbrella', 'hooli', 'wayne'] as const;
const [SILO_TENANT] = SILO_TENANTS;

/** A silo tenant's data plane exactly as the functions name it (PLATFORM_STACK_NAME, PLATFORM_ACCOUNT_ID, Region). */
function siloTargetsFrom(template: CfnTemplate, tenantId: string): SiloTargets {
  const env = apiEnvironment(template);
  const { partition, region } = LOCAL_ACCOUNT;
  const account = requiredVariable(env, 'PLATFORM_ACCOUNT_ID');
  const names = siloResourceNames(
    { stackName: requiredVariable(env, 'PLATFORM_STACK_NAME'), account, region },
    tenantId,
  );
  return {
    tenantId,
    tableArn: `arn:${partition}:dynamodb:${region}:${account}:table/${names.tableName}`,
    bucketArn: `arn:${partition}:s3:::${names.bucketName}`,
    vectorBucketArn: `arn:${partition}:s3vectors:${region}:${account}:bucket/${names.vectorBucketName}`,
    keyAlias: names.keyAlias,
    s3ViaService: `s3.${region}.amazonaws.com`,
    keyArn: `arn:${partition}:kms:${region}:${account}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
  };
}

// Synthesized at collection time: the cases are named from the template's own ARNs.
const template = synthesizeBulkheadTemplate();
const tenantRoleId = tenantAccessRoleLogicalId(template);
const documents = rolePolicyDocuments(template, tenantRoleId);
const session = assumedRoleSession(resourceArn(template, tenantRoleId));
const cases = policyMatrix(targetsFrom(template));

// Every deployment is hybrid: the same documents grant each silo to its own tenant.
const siloCases = SILO_TENANTS.flatMap((tenantId) =>
  siloMatrix(
    siloTargetsFrom(template, tenantId),
    targetsFrom(template),
    SILO_TENANTS.filter((other) => other !== tenantId),
  ),
);

/** The silo template, as the placement job deploys it (its key's policy judges the silo key cases). */
const silo = siloTemplate(STACK_ID);
const siloKeyId = Object.keys(silo.Resources).find((id) => silo.Resources[id]?.Type === 'AWS::KMS::Key');

/**
 * A KMS key's own policy: KMS requires it to allow (as in AWS), so the matrix judges it too. A key
 * the platform template does not hold is a silo's key (created from the silo template).
 */
function keyPolicyOf(keyArn: string): PolicyDocumentJson {
  const platformKey = template.Resources[keyArn.split(':key/')[1] ?? ''];
  const [owner, keyId] =
    platformKey === undefined ? [silo, siloKeyId ?? ''] : [template, keyArn.split(':key/')[1] ?? ''];
  return resolveIntrinsics(owner.Resources[keyId]?.Properties?.KeyPolicy, owner) as PolicyDocumentJson;
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

function casesNamed(suffix: string, among: readonly MatrixCase[] = cases): string[] {
  const names = among.filter((testCase) => testCase.name.endsWith(suffix)).map((testCase) => testCase.name);
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

const [moverSilo, otherSilo] = [siloTargetsFrom(template, SILO_TENANT), siloTargetsFrom(template, 'initech')];
const siloAliasArn = `arn:${LOCAL_ACCOUNT.partition}:kms:${LOCAL_ACCOUNT.region}:${LOCAL_ACCOUNT.accountId}:${moverSilo.keyAlias}`;

describe.each([
  ['user eraser', 'ErasersUserEraser', userEraserMatrix(targetsFrom(template))],
  ['tenant eraser', 'ErasersTenantEraser', tenantEraserMatrix(targetsFrom(template))],
  ['tenant mover', 'PlacementTenantMover', tenantMoverMatrix(targetsFrom(template), moverSilo, otherSilo)],
  [
    'silo deployer',
    'PlacementSiloDeployer',
    siloDeployerMatrix(targetsFrom(template), moverSilo, siloAliasArn),
  ],
])('%s policy matrix (policy read from the synthesized template)', (_name, prefix, matrix) => {
  const id = roleId(prefix);
  it.each(matrix)('$name → $expected', async (testCase) => {
    const verdict = await evaluateAccess(
      { identity: rolePolicyDocuments(template, id), ...resourcePolicyOf(testCase) },
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

describe('the placement job’s grant on silo stacks', () => {
  const jobRole = roleId('PlacementRole');
  const deployerArn = resourceArn(template, roleId('PlacementSiloDeployer'));
  const stackArn = (name: string) =>
    `arn:${LOCAL_ACCOUNT.partition}:cloudformation:${LOCAL_ACCOUNT.region}:${LOCAL_ACCOUNT.accountId}:stack/${name}/0a1b2c3d-aaaa-bbbb-cccc-0123456789ab`;
  const judge = (action: string, resource: string, context: Record<string, string> = {}) =>
    evaluateAccess(
      { identity: rolePolicyDocuments(template, jobRole) },
      { principal: assumedRoleSession(resourceArn(template, jobRole)), action, resource, context },
    );

  it('creates silo stacks only with the deployer role, and no other stack', async () => {
    const withRole = { 'cloudformation:RoleArn': deployerArn };
    expect(await judge('cloudformation:CreateStack', stackArn('Bulkhead-silo-globex'), withRole)).toBe(
      'Allowed',
    );
    expect(await judge('cloudformation:CreateStack', stackArn('Bulkhead-silo-globex'))).toBe(
      'ImplicitlyDenied',
    );
    expect(
      await judge('cloudformation:CreateStack', stackArn('Bulkhead-silo-globex'), {
        'cloudformation:RoleArn': resourceArn(template, tenantRoleId),
      }),
    ).toBe('ImplicitlyDenied');
    expect(await judge('cloudformation:CreateStack', stackArn('Bulkhead'), withRole)).toBe(
      'ImplicitlyDenied',
    );
  });

  it('watches and deletes silo stacks, never the platform’s own', async () => {
    expect(await judge('cloudformation:DescribeStacks', stackArn('Bulkhead-silo-globex'))).toBe('Allowed');
    expect(await judge('cloudformation:DeleteStack', stackArn('Bulkhead-silo-globex'))).toBe('Allowed');
    expect(await judge('cloudformation:DeleteStack', stackArn('Bulkhead'))).toBe('ImplicitlyDenied');
  });

  it('passes the deployer role to CloudFormation only, and no other role', async () => {
    const toCloudFormation = { 'iam:PassedToService': 'cloudformation.amazonaws.com' };
    expect(await judge('iam:PassRole', deployerArn, toCloudFormation)).toBe('Allowed');
    expect(await judge('iam:PassRole', deployerArn, { 'iam:PassedToService': 'lambda.amazonaws.com' })).toBe(
      'ImplicitlyDenied',
    );
    expect(await judge('iam:PassRole', resourceArn(template, tenantRoleId), toCloudFormation)).toBe(
      'ImplicitlyDenied',
    );
  });
});

describe('audit writer and silos', () => {
  const siloTable = siloTargetsFrom(template, SILO_TENANT).tableArn;
  const judge = (tenantId: string, placement: 'pool' | 'silo', table = siloTable) =>
    evaluateAccess(
      { identity: auditWriterDocuments },
      {
        principal: auditWriterSession,
        action: 'dynamodb:PutItem',
        resource: table,
        context: {
          ...sessionTags({ tenantId, userId: 'alice', placement }),
          'dynamodb:LeadingKeys': [`${tenantId}#a#audit#s0`],
        },
      },
    );

  it('lets only the silo tenant’s writer, placed in its silo, append to the silo table', async () => {
    expect(await judge(SILO_TENANT, 'silo')).toBe('Allowed');
    expect(await judge('initech', 'silo')).toBe('ImplicitlyDenied');
    expect(await judge('acme', 'pool')).toBe('ImplicitlyDenied');
    expect(await judge(SILO_TENANT, 'pool')).toBe('ImplicitlyDenied');
  });

  it('keeps a silo tenant’s writer off the pool table, and lets a pool tenant’s append there', async () => {
    const poolTable = targetsFrom(template).tableArn;
    expect(await judge(SILO_TENANT, 'silo', poolTable)).toBe('ImplicitlyDenied');
    expect(await judge('acme', 'pool', poolTable)).toBe('Allowed');
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

/** A deployment whose catalogue (configuration only) uses a geographic and a global inference profile. */
const GEOGRAPHIC = 'us.amazon.nova-lite-v1:0';
const GLOBAL_MODEL = 'anthropic.claude-sonnet-4-5-20250929-v1:0';
const profiled = synthesizeBulkheadTemplate({
  context: {
    'bulkhead:modelCatalog': writeCatalogFile(
      editedCatalog({
        prices: {
          version: 'test',
          models: {
            'amazon.nova-lite-v1:0': { inputPer1kUsd: 0.00006, outputPer1kUsd: 0.00024 },
            [GLOBAL_MODEL]: { inputPer1kUsd: 0.003, outputPer1kUsd: 0.015 },
            'amazon.titan-embed-text-v2:0': { inputPer1kUsd: 0.00002 },
          },
        },
        chatModels: [GEOGRAPHIC, `global.${GLOBAL_MODEL}`],
        fallbackModels: {},
      }),
    ),
  },
  nagChecks: false,
});
const profiledRoleId = tenantAccessRoleLogicalId(profiled);
const profiledDocuments = rolePolicyDocuments(profiled, profiledRoleId);
const profiledSession = assumedRoleSession(resourceArn(profiled, profiledRoleId));
const { partition, region, accountId } = LOCAL_ACCOUNT;
const profileArn = (id: string) => `arn:${partition}:bedrock:${region}:${accountId}:inference-profile/${id}`;
const profileCases = profileModelMatrix({
  geographicProfileArn: profileArn(GEOGRAPHIC),
  geographicModelElsewhereArn: `arn:${partition}:bedrock:us-west-2::foundation-model/amazon.nova-lite-v1:0`,
  globalProfileArn: profileArn(`global.${GLOBAL_MODEL}`),
  globalModelArn: `arn:${partition}:bedrock:${region}::foundation-model/${GLOBAL_MODEL}`,
  unlistedProfileArn: profileArn('us.amazon.nova-pro-v1:0'),
  unlistedModelArn: `arn:${partition}:bedrock:us-west-2::foundation-model/amazon.nova-pro-v1:0`,
});

describe('tenant access policy matrix, inference profiles (catalogue with a us. and a global. profile)', () => {
  it.each(profileCases)('$name → $expected', async (testCase) => {
    const verdict = await evaluateAccess(
      { identity: profiledDocuments },
      {
        principal: profiledSession,
        action: testCase.action,
        resource: testCase.resource,
        context: testCase.context,
      },
    );
    expect(verdict).toBe(testCase.expected);
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

  it('catches a profile grant without its bedrock:InferenceProfileArn condition (the model becomes directly invocable)', async () => {
    const weakened = mutated(
      'SharedModelThroughProfile0',
      ({ Condition: _dropped, ...statement }) => statement,
      profiledDocuments,
    );
    const wrong = await misjudged(weakened, profileCases);
    for (const name of casesNamed('its foundation model in another Region, directly', profileCases))
      expect(wrong.get(name)).toBe('Allowed');
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

describe(`silos: ${SILO_TENANTS.length} silo tenants under the one tenant policy (from the synthesized template)`, () => {
  it.each(siloCases)('$name → $expected', async (testCase) => {
    expect(await verdict(documents, testCase)).toBe(testCase.expected);
  });

  it('holds both outcomes for every silo tenant', () => {
    for (const tenantId of SILO_TENANTS) {
      const own = siloCases.filter((testCase) => testCase.name.startsWith(`silo ${tenantId}: `));
      expect(own.some((testCase) => testCase.expected === 'Allowed')).toBe(true);
      expect(own.some((testCase) => testCase.expected !== 'Allowed')).toBe(true);
    }
  });

  /** Names of the silo cases whose verdict under `policy` differs from the expected one. */
  const wrongSiloCases = (policy: readonly PolicyDocumentJson[]) => misjudged(policy, siloCases);

  it.each([
    ['SiloTenantItems', 'dynamodb:Query silo tenant initech on its own shared key'],
    ['SiloTenantObjects', 's3:GetObject silo tenant initech on its own prefix'],
    ['SiloTenantVectorIndex', 's3vectors:QueryVectors silo tenant initech on its own index'],
  ])(
    'catches %s naming any silo instead of the session tenant’s (%s becomes Allowed)',
    async (sid, caseName) => {
      const weakened = mutated(sid, (statement) => ({
        ...statement,
        Resource: JSON.parse(
          JSON.stringify(statement.Resource).replaceAll(`\${aws:PrincipalTag/${TENANT_TAG_KEY}}`, '*'),
        ),
      }));
      const wrong = await wrongSiloCases(weakened);
      expect(wrong.get(`silo ${SILO_TENANT}: ${caseName}`)).toBe('Allowed');
    },
  );

  it.each([
    ['TenantItems', 'dynamodb:Query own shared key in the pool table'],
    ['TenantObjects', 's3:GetObject own shared object in the pool bucket'],
    ['TenantListing', 's3:ListBucket own prefix in the pool bucket'],
    ['TenantVectorIndex', 's3vectors:QueryVectors own index name in the pool'],
    ['SiloTenantItems', 'dynamodb:Query own key with a pool session'],
    ['SiloTenantObjects', 's3:GetObject own object with a pool session'],
    ['SiloTenantVectorIndex', 's3vectors:QueryVectors own index with a pool session'],
  ])('catches %s without its placement condition (%s becomes Allowed)', async (sid, caseName) => {
    const weakened = mutated(sid, (statement) => {
      const { StringEquals: _dropped, ...rest } = statement.Condition ?? {};
      return { ...statement, Condition: rest };
    });
    const wrong = await wrongSiloCases(weakened);
    expect(wrong.get(`silo ${SILO_TENANT}: ${caseName}`)).toBe('Allowed');
  });

  it('keeps the tenant role’s documents the same size whatever the number of silos (no per-silo statement)', () => {
    const text = JSON.stringify(documents);
    expect(text).not.toMatch(/globex|initech/);
    expect(text).toContain(`-silo-\${aws:PrincipalTag/${TENANT_TAG_KEY}}`);
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

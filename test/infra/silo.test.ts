/** Silo tenants: dedicated data resources from the same construct, granted by the same policy to that tenant only. */
import { beforeAll, describe, expect, it } from 'vitest';
import { MAX_SILO_TENANTS } from '../../lib/bulkhead-settings.js';
import { HANDLER_ENTRIES } from '../../lib/bulkhead-stack.js';
import type { CfnTemplate } from '../../lib/template/cfn-template.js';
import {
  functionSpecs,
  physicalName,
  resolveIntrinsics,
  resourceArn,
  rolePolicyDocuments,
  tenantAccessRoleLogicalId,
} from '../../lib/template/local-resolution.js';
import { synthesizeBulkheadTemplate } from '../../lib/template/synthesize.js';
import type { PolicyDocumentJson } from '../../lib/tenant-policy.js';
import { testApp } from '../support/bulkhead-app.js';
import { assumedRoleSession, evaluateAccess, sessionTags } from '../support/iam-evaluation.js';

/** IAM's limit on the aggregate size of a role's inline policies (whitespace not counted). */
const INLINE_POLICY_LIMIT = 10_240;

let template: CfnTemplate;
let policy: PolicyDocumentJson[];
let session: string;

/** The logical id of a silo tenant's resource by its construct name (`Table`, `Bucket`, `Vectors`). */
function siloLogicalId(tenantId: string, child: string): string {
  const id = Object.keys(template.Resources).find((logicalId) =>
    logicalId.startsWith(`SiloData${tenantId}${child}`),
  );
  if (!id) throw new Error(`no silo ${child} for ${tenantId}`);
  return id;
}

function siloResource(tenantId: string, child: string): string {
  return resourceArn(template, siloLogicalId(tenantId, child));
}

/** The resolved `SILO_DATA_PLANES` of each function of a template, by handler entry (undefined when unset). */
function siloDataPlanesByEntry(of: CfnTemplate): Map<string, string | undefined> {
  return new Map(functionSpecs(of).map((spec) => [spec.entry, spec.environment.SILO_DATA_PLANES]));
}

beforeAll(() => {
  template = synthesizeBulkheadTemplate({ context: { 'bulkhead:siloTenants': 'acme,globex' } });
  const roleId = tenantAccessRoleLogicalId(template);
  policy = rolePolicyDocuments(template, roleId);
  session = assumedRoleSession(resourceArn(template, roleId));
});

describe('bulkhead:siloTenants', () => {
  it('adds a table, a bucket and a vector bucket per silo tenant to the pool ones', () => {
    const count = (type: string): number =>
      Object.values(template.Resources).filter((resource) => resource.Type === type).length;
    expect(count('AWS::DynamoDB::Table')).toBe(2 + 2);
    expect(count('AWS::S3Vectors::VectorBucket')).toBe(1 + 2);
    // Pool objects, access logs (the silo buckets log there too) and audit digests, plus one per silo.
    expect(count('AWS::S3::Bucket')).toBe(3 + 2);
  });

  /** acme's session querying acme's silo table with the given partition key. */
  const queryAcmeSilo = (leadingKey: string) =>
    evaluateAccess(
      { identity: policy },
      {
        principal: session,
        action: 'dynamodb:Query',
        resource: siloResource('acme', 'Table'),
        context: {
          ...sessionTags({ tenantId: 'acme', userId: 'alice' }),
          'dynamodb:LeadingKeys': [leadingKey],
        },
      },
    );

  it('lets a tenant reach its own keys in a silo table under the same key-prefix policy', async () => {
    expect(await queryAcmeSilo('acme#t#documents')).toBe('Allowed');
  });

  it("denies another tenant's keys in a silo table", async () => {
    expect(await queryAcmeSilo('globex#t#documents')).toBe('ImplicitlyDenied');
  });

  it('scopes silo objects and vector indexes by the session tags too', async () => {
    const tags = sessionTags({ tenantId: 'acme', userId: 'alice' });
    const bucket = siloResource('acme', 'Bucket');
    const vectors = siloResource('acme', 'Vectors');
    const verdict = (action: string, resource: string) =>
      evaluateAccess({ identity: policy }, { principal: session, action, resource, context: tags });
    expect(await verdict('s3:GetObject', `${bucket}/tenants/acme/shared/a.txt`)).toBe('Allowed');
    expect(await verdict('s3:GetObject', `${bucket}/tenants/globex/shared/a.txt`)).toBe('ImplicitlyDenied');
    expect(await verdict('s3vectors:QueryVectors', `${vectors}/index/acme`)).toBe('Allowed');
    expect(await verdict('s3vectors:QueryVectors', `${vectors}/index/globex`)).toBe('ImplicitlyDenied');
  });
});

describe('SILO_DATA_PLANES', () => {
  it('names each silo tenant’s table, bucket and vector bucket for the control, api and chat-stream functions', () => {
    const names = (tenantId: string) => ({
      tableName: physicalName(template, siloLogicalId(tenantId, 'Table')),
      bucketName: physicalName(template, siloLogicalId(tenantId, 'Bucket')),
      vectorBucketName: physicalName(template, siloLogicalId(tenantId, 'Vectors')),
    });
    const planes = siloDataPlanesByEntry(template);

    for (const entry of [HANDLER_ENTRIES.control, HANDLER_ENTRIES.api, HANDLER_ENTRIES.chatStream]) {
      expect(JSON.parse(planes.get(entry) ?? 'null')).toEqual({
        acme: names('acme'),
        globex: names('globex'),
      });
    }
    expect(planes.get(HANDLER_ENTRIES.authorizer)).toBeUndefined();
  });

  it('is an empty map without silo tenants', () => {
    const planes = siloDataPlanesByEntry(synthesizeBulkheadTemplate({ nagChecks: false }));

    expect(planes.get(HANDLER_ENTRIES.api)).toBe('{}');
    expect(planes.get(HANDLER_ENTRIES.control)).toBe('{}');
  });
});

describe('silo statements in the tenant policy', () => {
  it('restrict every silo grant to its tenant’s sessions', () => {
    const siloStatements = policy
      .flatMap((document) => document.Statement)
      .filter((statement) => statement.Sid?.startsWith('Silo'));

    expect(siloStatements).toHaveLength(2 * 4);
    for (const statement of siloStatements) {
      expect(['acme', 'globex']).toContain(statement.Condition?.StringEquals?.['aws:PrincipalTag/TenantId']);
    }
  });

  it(`fit IAM's inline policy limit with ${MAX_SILO_TENANTS} silo tenants of the longest ids`, () => {
    const longIds = Array.from({ length: MAX_SILO_TENANTS }, (_, n) => `${n}`.padEnd(63, 'x'));
    const widest = synthesizeBulkheadTemplate({
      nagChecks: false,
      context: { 'bulkhead:siloTenants': longIds.join(',') },
    });

    const role = widest.Resources[tenantAccessRoleLogicalId(widest)];
    const inline: { PolicyDocument: unknown }[] = Array.isArray(role?.Properties?.Policies)
      ? role.Properties.Policies
      : [];
    const managed = Object.values(widest.Resources).filter(
      (resource) => resource.Type === 'AWS::IAM::ManagedPolicy',
    );
    const resolvedSize = (document: unknown) => JSON.stringify(resolveIntrinsics(document, widest)).length;

    const size = inline.reduce((total, policy) => total + resolvedSize(policy.PolicyDocument), 0);
    expect(size).toBeLessThan(INLINE_POLICY_LIMIT);
    // The credentials document is a managed policy: IAM caps each at 6,144 characters.
    expect(managed.map((policy) => resolvedSize(policy.Properties?.PolicyDocument) < 6_144)).toEqual([true]);
  });

  it(`refuses more than ${MAX_SILO_TENANTS} silo tenants at synth time`, () => {
    const ids = Array.from({ length: MAX_SILO_TENANTS + 1 }, (_, n) => `tenant-${n}`);

    expect(() => testApp({ 'bulkhead:siloTenants': ids.join(',') })).toThrow(
      new RegExp(
        `at most ${MAX_SILO_TENANTS} silo tenants fit the tenant role's inline policy, got ${ids.length}`,
      ),
    );
  });
});

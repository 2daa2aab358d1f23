/** Silo tenants: dedicated data resources from the same construct, granted by the same policy. */
import { beforeAll, describe, expect, it } from 'vitest';
import type { CfnTemplate } from '../../lib/template/cfn-template.js';
import {
  resourceArn,
  rolePolicyDocuments,
  tenantAccessRoleLogicalId,
} from '../../lib/template/local-resolution.js';
import { synthesizeBulkheadTemplate } from '../../lib/template/synthesize.js';
import type { PolicyDocumentJson } from '../../lib/tenant-policy.js';
import { assumedRoleSession, evaluateAccess, sessionTags } from '../support/iam-evaluation.js';

let template: CfnTemplate;
let policy: PolicyDocumentJson[];
let session: string;

/** The ARN of a silo tenant's resource by its construct name (`Table`, `Bucket`, `Vectors`). */
function siloResource(tenantId: string, child: string): string {
  const id = Object.keys(template.Resources).find((logicalId) =>
    logicalId.startsWith(`SiloData${tenantId}${child}`),
  );
  if (!id) throw new Error(`no silo ${child} for ${tenantId}`);
  return resourceArn(template, id);
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
    // The silo buckets log to the pool's access-log bucket.
    expect(count('AWS::S3::Bucket')).toBe(2 + 2);
  });

  it('lets a tenant reach its own keys in a silo table under the same key-prefix policy', async () => {
    const request = {
      principal: session,
      action: 'dynamodb:Query',
      resource: siloResource('acme', 'Table'),
      context: {
        ...sessionTags({ tenantId: 'acme', userId: 'alice' }),
        'dynamodb:LeadingKeys': ['acme#t#documents'],
      },
    };
    expect(await evaluateAccess({ identity: policy }, request)).toBe('Allowed');
  });

  it("denies another tenant's keys in a silo table", async () => {
    const request = {
      principal: session,
      action: 'dynamodb:Query',
      resource: siloResource('acme', 'Table'),
      context: {
        ...sessionTags({ tenantId: 'acme', userId: 'alice' }),
        'dynamodb:LeadingKeys': ['globex#t#documents'],
      },
    };
    expect(await evaluateAccess({ identity: policy }, request)).toBe('ImplicitlyDenied');
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

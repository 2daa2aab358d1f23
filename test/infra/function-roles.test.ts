/**
 * DESIGN invariant 2: no function role can touch tenant data; the platform
 * functions may only assume the tenant role (with tags). Every function role's
 * resolved policies are judged by iam-simulate, both sides.
 */

import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { asCfnTemplate, type CfnTemplate } from '../../lib/template/cfn-template.js';
import {
  functionSpecs,
  isPolicyDocument,
  resolveIntrinsics,
  resourceArn,
  rolePolicyDocuments,
  roleTrustPolicy,
  tenantAccessRoleLogicalId,
} from '../../lib/template/local-resolution.js';
import { synthesizeBulkheadTemplate } from '../../lib/template/synthesize.js';
import {
  MODEL_ACTIONS,
  type PolicyDocumentJson,
  TENANT_ITEM_ACTIONS,
  TENANT_OBJECT_ACTIONS,
  TENANT_VECTOR_ACTIONS,
} from '../../lib/tenant-policy.js';
import { API_ENTRIES, testApp } from '../support/bulkhead-app.js';
import { type AccessRequest, evaluateAccess, sessionTags } from '../support/iam-evaluation.js';

const TENANT_SESSION_TAGS = {
  'aws:RequestTag/TenantId': 'acme',
  'aws:RequestTag/UserId': 'alice',
  'aws:RequestTag/Placement': 'pool',
  'aws:TagKeys': ['TenantId', 'UserId', 'Placement'],
};

let template: CfnTemplate;
let functionRoles: Map<string, string>; // function logical id → role logical id
let tenantRoleArn: string;
let trustPolicy: PolicyDocumentJson;

function logicalIdsOf(type: string): string[] {
  return Object.entries(template.Resources)
    .filter(([, resource]) => resource.Type === type)
    .map(([logicalId]) => logicalId);
}

function roleOfFunction(functionLogicalId: string): string {
  const role = template.Resources[functionLogicalId]?.Properties?.Role;
  const getAtt =
    typeof role === 'object' && role !== null && 'Fn::GetAtt' in role ? role['Fn::GetAtt'] : undefined;
  if (!Array.isArray(getAtt) || typeof getAtt[0] !== 'string')
    throw new Error(`${functionLogicalId} has no role`);
  return getAtt[0];
}

/** The ARNs a tenant session is granted on, read from the tenant role's own policy (by statement). */
function tenantGrantedResources(sid: string, from: CfnTemplate = template): string[] {
  const statements = rolePolicyDocuments(from, tenantAccessRoleLogicalId(from))
    .flatMap((document) => document.Statement)
    .filter((statement) => statement.Sid === sid);
  const resources = statements.flatMap((statement) => statement.Resource ?? []);
  if (resources.length === 0) throw new Error(`tenant policy statement ${sid} grants nothing`);
  return resources;
}

/** Every tenant-data request a function role could try, on every tenant-data ARN, with matching context. */
function tenantDataRequests(principal: string, from: CfnTemplate = template): AccessRequest[] {
  const tags = sessionTags({ tenantId: 'acme', userId: 'alice' });
  const request = (
    action: string,
    resource: string,
    context: AccessRequest['context'] = tags,
  ): AccessRequest => ({
    principal,
    action,
    resource,
    context,
  });
  const items = { ...tags, 'dynamodb:LeadingKeys': ['acme#t#documents'] };
  const tables = tenantGrantedResources('TenantItems', from);
  const buckets = tenantGrantedResources('TenantListing', from);
  const vectorBuckets = tenantGrantedResources('TenantVectorIndex', from).map((arn) =>
    arn.replace(/\/index\/.*$/, ''),
  );
  return [
    ...tables.flatMap((table) => TENANT_ITEM_ACTIONS.map((action) => request(action, table, items))),
    ...buckets.flatMap((bucket) => [
      ...TENANT_OBJECT_ACTIONS.map((action) => request(action, `${bucket}/tenants/acme/shared/a.txt`)),
      ...TENANT_OBJECT_ACTIONS.map((action) => request(action, `${bucket}/tenants/acme/users/alice/a.txt`)),
      request('s3:ListBucket', bucket, { ...tags, 's3:prefix': 'tenants/acme/shared/' }),
    ]),
    ...vectorBuckets.flatMap((bucket) =>
      TENANT_VECTOR_ACTIONS.map((action) => request(action, `${bucket}/index/acme`)),
    ),
    ...tenantGrantedResources('SharedModels', from).flatMap((model) =>
      MODEL_ACTIONS.map((action) => request(action, model)),
    ),
  ];
}

beforeAll(() => {
  template = synthesizeBulkheadTemplate();
  functionRoles = new Map(logicalIdsOf('AWS::Lambda::Function').map((id) => [id, roleOfFunction(id)]));
  const tenantRoleId = tenantAccessRoleLogicalId(template);
  tenantRoleArn = resourceArn(template, tenantRoleId);
  trustPolicy = roleTrustPolicy(template, tenantRoleId);
});

describe('function roles', () => {
  it('exist for exactly the eight platform functions and the two tenant-isolated twins, each recording its entry', () => {
    expect(
      functionSpecs(template)
        .map((spec) => spec.entry)
        .sort(),
    ).toEqual([
      'lambdas/handlers/api.ts',
      'lambdas/handlers/api.ts',
      'lambdas/handlers/audit-digest.ts',
      'lambdas/handlers/authorizer.ts',
      'lambdas/handlers/chat-stream.ts',
      'lambdas/handlers/chat-stream.ts',
      'lambdas/handlers/control.ts',
      'lambdas/handlers/placement.ts',
      'lambdas/handlers/retention.ts',
      'lambdas/handlers/tenant-erasure.ts',
    ]);
    // Those ten, and the console's deployment handler (lib/console-hosting.ts).
    expect(functionRoles.size).toBe(11);
  });

  it('cannot perform any tenant-data action on any tenant-data resource', async () => {
    const api = functionSpecs(template).find((spec) => spec.entry === 'lambdas/handlers/api.ts');
    const poolTable = api?.environment.TENANT_TABLE_NAME;
    expect(poolTable).toBeDefined();
    expect(tenantGrantedResources('TenantItems').some((arn) => arn.endsWith(`:table/${poolTable}`))).toBe(
      true,
    );
    let evaluated = 0;
    for (const roleId of functionRoles.values()) {
      const identity = rolePolicyDocuments(template, roleId);
      for (const request of tenantDataRequests(resourceArn(template, roleId))) {
        const verdict = await evaluateAccess({ identity }, request);
        expect.soft(verdict, `${roleId} ${request.action} ${request.resource}`).not.toBe('Allowed');
        evaluated += 1;
      }
    }
    // 11 roles (the console's deployment handler's too) × (8 item + 7 object/list + 7 vector + 6 model) requests.
    expect(evaluated).toBe(11 * 28);
  });

  it('would notice a function role granted tenant data (negative control)', async () => {
    const { stack } = testApp();
    stack.pool.table.grantReadData(stack.apiFunction.role);
    const leaky = asCfnTemplate(Template.fromStack(stack).toJSON());
    const roleId = functionSpecs(leaky).find(
      (spec) => spec.entry === 'lambdas/handlers/api.ts',
    )?.roleLogicalId;
    if (roleId === undefined) throw new Error('no api function');
    const identity = rolePolicyDocuments(leaky, roleId);
    const verdicts = await Promise.all(
      tenantDataRequests(resourceArn(leaky, roleId), leaky).map((request) =>
        evaluateAccess({ identity }, request),
      ),
    );
    expect(verdicts).toContain('Allowed');
  });

  it('lets the control, api and chat-stream functions, pooled and tenant-isolated, assume the tenant role with session tags', async () => {
    const platform = functionSpecs(template).filter((spec) => API_ENTRIES.includes(spec.entry));
    expect(platform).toHaveLength(5);
    for (const spec of platform) {
      const principal = resourceArn(template, spec.roleLogicalId);
      const identity = rolePolicyDocuments(template, spec.roleLogicalId);
      for (const action of ['sts:AssumeRole', 'sts:TagSession']) {
        const request = { principal, action, resource: tenantRoleArn, context: TENANT_SESSION_TAGS };
        expect(await evaluateAccess({ identity }, request)).toBe('Allowed');
        expect(await evaluateAccess({ identity, resource: trustPolicy }, request)).toBe('Allowed');
      }
      expect(spec.environment.TENANT_ROLE_ARN).toBe(tenantRoleArn);
    }
  });

  it('lets the authorizer vend tenant sessions — assume the tenant role with tags, read the registry and the tag key — and nothing more', async () => {
    const authorizer = functionSpecs(template).find(
      (spec) => spec.entry === 'lambdas/handlers/authorizer.ts',
    );
    const control = functionSpecs(template).find((spec) => spec.entry === 'lambdas/handlers/control.ts');
    if (!authorizer || !control) throw new Error('no authorizer or control function');
    const principal = resourceArn(template, authorizer.roleLogicalId);
    const identity = rolePolicyDocuments(template, authorizer.roleLogicalId);
    const verdict = (action: string, resource: string, context = {}) =>
      evaluateAccess({ identity }, { principal, action, resource, context });

    for (const action of ['sts:AssumeRole', 'sts:TagSession']) {
      const request = { principal, action, resource: tenantRoleArn, context: TENANT_SESSION_TAGS };
      expect(await evaluateAccess({ identity }, request)).toBe('Allowed');
      expect(await evaluateAccess({ identity, resource: trustPolicy }, request)).toBe('Allowed');
    }
    expect(authorizer.environment.TENANT_ROLE_ARN).toBe(tenantRoleArn);
    // No other role: not the audit writer, not the user eraser.
    for (const otherRole of [control.environment.AUDIT_ROLE_ARN, control.environment.ERASER_ROLE_ARN]) {
      if (otherRole === undefined) throw new Error('control function misses a role variable');
      expect(await verdict('sts:AssumeRole', otherRole, TENANT_SESSION_TAGS)).not.toBe('Allowed');
    }
    // The registry: read, never written.
    const controlTableArn = resourceArn(template, authorizer.environment.CONTROL_TABLE_NAME ?? '');
    expect(await verdict('dynamodb:GetItem', controlTableArn)).toBe('Allowed');
    for (const write of ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem']) {
      expect(await verdict(write, controlTableArn)).not.toBe('Allowed');
    }
    const actions = new Set(
      identity.flatMap((document) => document.Statement.flatMap((statement) => statement.Action)),
    );
    const writes = [...actions].filter((action) => /^dynamodb:(Put|Update|Delete|BatchWrite)/.test(action));
    expect(writes).toEqual([]);
    expect(
      [...actions].filter((action) => !/^(logs|xray|dynamodb|secretsmanager):/.test(action)).sort(),
    ).toEqual(['sts:AssumeRole', 'sts:TagSession']);
  });

  it('lets the audit digester sign with the digest key and assume the audit writer, but not the tenant role', async () => {
    const digester = functionSpecs(template).find(
      (spec) => spec.entry === 'lambdas/handlers/audit-digest.ts',
    );
    if (!digester) throw new Error('no digester function');
    const principal = resourceArn(template, digester.roleLogicalId);
    const identity = rolePolicyDocuments(template, digester.roleLogicalId);
    const writerRoleArn = digester.environment.AUDIT_ROLE_ARN;
    const keyArn = digester.environment.AUDIT_DIGEST_KEY_ARN;
    if (writerRoleArn === undefined || keyArn === undefined) throw new Error('digester misses its variables');
    // KMS needs the key policy too: it delegates to IAM (the account root may use the key).
    const keyPolicy = resolveIntrinsics(
      template.Resources[keyArn.split(':key/')[1] ?? '']?.Properties?.KeyPolicy,
      template,
    );
    if (!isPolicyDocument(keyPolicy)) throw new Error('the digest key has no key policy');
    const sign = (context: Record<string, string>, resource = keyArn) =>
      evaluateAccess({ identity, resource: keyPolicy }, { principal, action: 'kms:Sign', resource, context });
    const raw = { 'kms:SigningAlgorithm': 'ECDSA_SHA_256', 'kms:MessageType': 'RAW' };

    expect(await sign(raw)).toBe('Allowed');
    expect(await sign({ ...raw, 'kms:MessageType': 'DIGEST' })).not.toBe('Allowed');
    expect(await sign(raw, `${keyArn}-other`)).not.toBe('Allowed');
    const assume = (resource: string) =>
      evaluateAccess(
        { identity },
        { principal, action: 'sts:AssumeRole', resource, context: TENANT_SESSION_TAGS },
      );
    expect(await assume(writerRoleArn)).toBe('Allowed');
    expect(await assume(tenantRoleArn)).not.toBe('Allowed');
    expect(digester.environment.TENANT_ROLE_ARN).toBeUndefined();
    // The API functions name the key but may not sign with it.
    for (const spec of functionSpecs(template).filter((candidate) => API_ENTRIES.includes(candidate.entry))) {
      const request = {
        principal: resourceArn(template, spec.roleLogicalId),
        action: 'kms:Sign',
        resource: keyArn,
        context: raw,
      };
      expect(
        await evaluateAccess({ identity: rolePolicyDocuments(template, spec.roleLogicalId) }, request),
      ).not.toBe('Allowed');
    }
  });
});

describe('tenant role trust policy', () => {
  const assume = async (context: Record<string, string | string[]>): Promise<string> => {
    const spec = functionSpecs(template).find((candidate) => candidate.entry === 'lambdas/handlers/api.ts');
    if (!spec) throw new Error('no api function');
    return evaluateAccess(
      { identity: rolePolicyDocuments(template, spec.roleLogicalId), resource: trustPolicy },
      {
        principal: resourceArn(template, spec.roleLogicalId),
        action: 'sts:AssumeRole',
        resource: tenantRoleArn,
        context,
      },
    );
  };

  it('admits a session tagged with exactly TenantId, UserId and its Placement', async () => {
    expect(await assume(TENANT_SESSION_TAGS)).toBe('Allowed');
  });

  it('refuses a session without tags', async () => {
    expect(await assume({})).not.toBe('Allowed');
  });

  it('refuses a session without the UserId tag', async () => {
    expect(await assume({ 'aws:RequestTag/TenantId': 'acme', 'aws:TagKeys': ['TenantId'] })).not.toBe(
      'Allowed',
    );
  });

  it('refuses a session without a Placement, or with a placement that is neither pool nor silo', async () => {
    const { 'aws:RequestTag/Placement': _dropped, ...withoutPlacement } = TENANT_SESSION_TAGS;
    expect(await assume({ ...withoutPlacement, 'aws:TagKeys': ['TenantId', 'UserId'] })).not.toBe('Allowed');
    expect(await assume({ ...TENANT_SESSION_TAGS, 'aws:RequestTag/Placement': 'silo' })).toBe('Allowed');
    expect(await assume({ ...TENANT_SESSION_TAGS, 'aws:RequestTag/Placement': 'both' })).not.toBe('Allowed');
  });

  it('refuses a session with an extra tag key', async () => {
    expect(
      await assume({
        ...TENANT_SESSION_TAGS,
        'aws:RequestTag/Role': 'admin',
        'aws:TagKeys': ['TenantId', 'UserId', 'Placement', 'Role'],
      }),
    ).not.toBe('Allowed');
  });

  it('refuses tag values containing "/" or too short to be a tenant id', async () => {
    expect(await assume({ ...TENANT_SESSION_TAGS, 'aws:RequestTag/TenantId': 'acme/x' })).not.toBe('Allowed');
    expect(await assume({ ...TENANT_SESSION_TAGS, 'aws:RequestTag/UserId': 'alice/bob' })).not.toBe(
      'Allowed',
    );
    expect(await assume({ ...TENANT_SESSION_TAGS, 'aws:RequestTag/TenantId': 'ac' })).not.toBe('Allowed');
  });

  it('caps sessions at one hour', () => {
    const role = template.Resources[tenantAccessRoleLogicalId(template)];
    expect(role?.Properties?.MaxSessionDuration).toBe(3600);
  });
});

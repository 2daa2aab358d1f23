/** cdk-nag AwsSolutions: the app synthesizes clean, and every acknowledgement is narrow and explained. */
import { Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { describe, expect, it } from 'vitest';
import { synthesizeBulkheadTemplate } from '../../lib/template/synthesize.js';
import { testApp } from '../support/bulkhead-app.js';

/** Every acknowledgement in the construct tree: construct path, rule id and reason. */
function acknowledgements(
  context: Record<string, unknown> = {},
): { path: string; id: string; reason: string }[] {
  const { app } = testApp(context);
  return app.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data ?? {}).map(([id, reason]) => ({
          path: construct.node.path,
          id: id.replace(/^Annotation::/i, ''),
          reason: String(reason),
        })),
      ),
  );
}

describe('cdk-nag AwsSolutions checks', () => {
  it.each([
    ['default (Cognito, retain)', {}],
    [
      'external OIDC issuer',
      { 'bulkhead:oidcIssuer': 'http://127.0.0.1:4510', 'bulkhead:oidcAudience': 'bulkhead-local' },
    ],
    [
      'destroyable with silo tenants',
      { 'bulkhead:removalPolicy': 'destroy', 'bulkhead:siloTenants': 'acme,globex' },
    ],
  ])('find nothing unacknowledged: %s', (_name, context) => {
    expect(() => synthesizeBulkheadTemplate({ context })).not.toThrow();
  });

  it('validate without changing the template, so a reader of a checked stack may skip them', () => {
    const context = {
      'bulkhead:oidcIssuer': 'http://127.0.0.1:4510',
      'bulkhead:oidcAudience': 'bulkhead-local',
    };
    expect(synthesizeBulkheadTemplate({ context, nagChecks: false })).toEqual(
      synthesizeBulkheadTemplate({ context }),
    );
  });

  it('run during synth: a non-compliant bucket fails it', () => {
    const { app, stack } = testApp();
    new s3.Bucket(stack, 'NonCompliant');
    expect(() => app.synth()).toThrow(/Bulkhead\/NonCompliant[\s\S]*AwsSolutions-S1/);
  });

  it('acknowledge only specific findings, each with a reason', () => {
    const found = acknowledgements({ 'bulkhead:siloTenants': 'acme' });
    expect(found.length).toBeGreaterThan(0);
    for (const { path, id, reason } of found) {
      // Granular rules must name the exact finding, never the whole rule.
      if (/^AwsSolutions-IAM[45]/.test(id)) expect(id, path).toMatch(/^AwsSolutions-IAM[45]\[.+\]$/);
      expect(id, path).not.toMatch(/\[Action::/);
      expect(reason.length, `${path} ${id}`).toBeGreaterThan(40);
    }
  });

  it('acknowledge wildcard resources only for X-Ray, the tenant object-key patterns (tenant role and user eraser), the tenant secrets pattern and the tenant digest prefix', () => {
    const wildcards = acknowledgements({ 'bulkhead:siloTenants': 'acme' }).filter(({ id }) =>
      id.startsWith('AwsSolutions-IAM5'),
    );
    for (const { path, id } of wildcards) {
      if (id === 'AwsSolutions-IAM5[Resource::*]') expect(path).toMatch(/\/Role\/DefaultPolicy$/);
      else if (id.includes(':secretsmanager:'))
        expect(id).toBe(
          'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:Bulkhead/tenants/<aws:PrincipalTag/TenantId>/*]',
        );
      else if (id.endsWith('/tenants/<aws:PrincipalTag/TenantId>/*]'))
        expect(id).toMatch(
          /^AwsSolutions-IAM5\[Resource::<\w+\.Arn>\/tenants\/<aws:PrincipalTag\/TenantId>\/\*\]$/,
        );
      else if (id.includes('/digests/'))
        expect(id).toMatch(
          /^AwsSolutions-IAM5\[Resource::<AuditDigestsBucket\w+\.Arn>\/digests\/<aws:PrincipalTag\/TenantId>\/\*\]$/,
        );
      else
        expect(id).toMatch(
          /^AwsSolutions-IAM5\[Resource::<\w+\.Arn>\/tenants\/<aws:PrincipalTag\/TenantId>\/(shared|users\/<aws:PrincipalTag\/UserId>)\/\*\]$/,
        );
    }
    // Tenant role: pool + one silo bucket, two key patterns each; user eraser: the users pattern on
    // both; tenant eraser: the tenant root on both.
    expect(wildcards.filter(({ id }) => id.includes('.Arn>/tenants/'))).toHaveLength(8);
    // The tenant role's secrets and the tenant eraser's (delete only).
    expect(wildcards.filter(({ id }) => id.includes(':secretsmanager:'))).toHaveLength(2);
    expect(wildcards.filter(({ id }) => id.includes('/digests/'))).toHaveLength(1);
  });
});

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
      'destroyable, two silo tiers',
      { 'bulkhead:removalPolicy': 'destroy', 'bulkhead:siloTiers': 'premium,enterprise' },
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
    const found = acknowledgements();
    expect(found.length).toBeGreaterThan(0);
    for (const { path, id, reason } of found) {
      // Granular rules must name the exact finding, never the whole rule.
      if (/^AwsSolutions-IAM[45]/.test(id)) expect(id, path).toMatch(/^AwsSolutions-IAM[45]\[.+\]$/);
      expect(id, path).not.toMatch(/\[Action::/);
      expect(reason.length, `${path} ${id}`).toBeGreaterThan(40);
    }
  });

  it('acknowledge wildcard resources only for X-Ray, the tenant object-key patterns, the tenant secrets and digest prefixes, and the silo names, keys and stacks', () => {
    const wildcards = acknowledgements().filter(({ id }) => id.startsWith('AwsSolutions-IAM5'));
    const SILO_BUCKET =
      'arn:<AWS::Partition>:s3:::bulkhead-silo-<aws:PrincipalTag/TenantId>-<AWS::AccountId>-<AWS::Region>';
    const POOL_OR_SILO_BUCKET = `(<\\w+\\.Arn>|${SILO_BUCKET.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')})`;
    const kinds = new Map<string, number>();
    const count = (kind: string) => kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    for (const { path, id } of wildcards) {
      if (id === 'AwsSolutions-IAM5[Resource::*]') {
        // X-Ray's two actions, and the silo deployer's kms:CreateKey (only with the silo key tag).
        expect(path).toMatch(/\/Role\/DefaultPolicy$|\/SiloDeployer$/);
        count('star');
      } else if (id.includes(':secretsmanager:')) {
        expect(id).toBe(
          'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:Bulkhead/tenants/<aws:PrincipalTag/TenantId>/*]',
        );
        count('secrets');
      } else if (id.includes('/digests/')) {
        expect(id).toMatch(
          /^AwsSolutions-IAM5\[Resource::<AuditDigestsBucket\w+\.Arn>\/digests\/<aws:PrincipalTag\/TenantId>\/\*\]$/,
        );
        count('digests');
      } else if (id.includes('/tenants/<aws:PrincipalTag/TenantId>/')) {
        expect(id).toMatch(
          new RegExp(
            `^AwsSolutions-IAM5\\[Resource::${POOL_OR_SILO_BUCKET}/tenants/<aws:PrincipalTag/TenantId>/(shared/|users/<aws:PrincipalTag/UserId>/)?\\*\\]$`,
          ),
        );
        count(id.includes('bulkhead-silo-') ? 'siloObjects' : 'poolObjects');
      } else if (id.includes(':kms:')) {
        expect(id).toMatch(
          /^AwsSolutions-IAM5\[Resource::arn:<AWS::Partition>:kms:<AWS::Region>:<AWS::AccountId>:(key\/\*|alias\/Bulkhead\/silo\/\*)\]$/,
        );
        count('keys');
      } else if (id.includes(':cloudformation:')) {
        expect(id).toBe(
          'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:cloudformation:<AWS::Region>:<AWS::AccountId>:stack/Bulkhead-silo-*/*]',
        );
        count('stacks');
      } else if (id.endsWith('/console/*]')) {
        // The console's deployment replaces the build's files (lib/console-hosting.ts).
        expect(id).toMatch(/^AwsSolutions-IAM5\[Resource::<ConsoleBucket\w+\.Arn>\/console\/\*\]$/);
        expect(path).toMatch(/\/Console\/DeploymentRole$/);
        count('console');
      } else {
        // The silo deployer's reach: every silo's table, bucket and vector bucket by name.
        expect(path).toMatch(/\/SiloDeployer$/);
        expect(id).toMatch(
          /(table\/Bulkhead-silo-\*|s3:::bulkhead-silo-\*-<AWS::AccountId>-<AWS::Region>|bucket\/bulkhead-silo-\*)\]$/,
        );
        count('siloNames');
      }
    }
    expect(Object.fromEntries(kinds)).toEqual({
      star: expect.any(Number),
      secrets: 2, // the tenant role's and the tenant eraser's (delete only)
      digests: 1,
      // Tenant role: two key patterns; user eraser: one; tenant eraser and mover: the tenant root.
      poolObjects: 5,
      siloObjects: 5,
      // The deployer's key/* and alias pattern; the tenant role's and mover's silo key.
      keys: 4,
      // The placement job's (create, watch, delete) and the tenant erasure job's (watch, delete).
      stacks: 2,
      siloNames: 3,
      console: 1,
    });
  });
});

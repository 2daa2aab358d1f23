/**
 * Silos at runtime: the silo template (one tenant's data plane, its own key), the placement job
 * that creates stacks from it, and the tenant role whose one document reaches every silo by name.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { SILO_TEMPLATE_PARAMETERS } from '../../lambdas/tenancy/silo-names.js';
import { HANDLER_ENTRIES } from '../../lib/bulkhead-stack.js';
import { siloTemplate } from '../../lib/silo-stack.js';
import type { CfnTemplate } from '../../lib/template/cfn-template.js';
import {
  functionSpecs,
  rolePolicyDocuments,
  tenantAccessRoleLogicalId,
} from '../../lib/template/local-resolution.js';
import { synthesizeBulkheadTemplate } from '../../lib/template/synthesize.js';
import { SILO_KEY_TAG, TENANT_VARIABLE } from '../../lib/tenant-policy.js';

/** IAM's limit on the aggregate size of a role's inline policies (whitespace not counted). */
const INLINE_POLICY_LIMIT = 10_240;

let platform: CfnTemplate;
let silo: Template;

beforeAll(() => {
  platform = synthesizeBulkheadTemplate({ nagChecks: false });
  silo = Template.fromJSON(siloTemplate('Bulkhead'));
});

const join = (...parts: unknown[]) => ({ 'Fn::Join': ['', parts] });
const TENANT = { Ref: SILO_TEMPLATE_PARAMETERS.tenantId };

describe('the silo template', () => {
  it('takes the tenant id (validated like every tenant id) and the access-log bucket as parameters', () => {
    const parameters = silo.toJSON().Parameters;
    expect(Object.keys(parameters).sort()).toEqual(
      [SILO_TEMPLATE_PARAMETERS.accessLogsBucket, SILO_TEMPLATE_PARAMETERS.tenantId].sort(),
    );
    expect(parameters[SILO_TEMPLATE_PARAMETERS.tenantId].AllowedPattern).toBe(
      '[a-z0-9][a-z0-9-]{1,61}[a-z0-9]',
    );
  });

  it('names the table, bucket and vector bucket for the tenant, as the functions and the tenant policy name them', () => {
    silo.hasResourceProperties('AWS::DynamoDB::Table', { TableName: join('Bulkhead-silo-', TENANT) });
    silo.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: join('bulkhead-silo-', TENANT, '-', { Ref: 'AWS::AccountId' }, '-', { Ref: 'AWS::Region' }),
    });
    silo.hasResourceProperties('AWS::S3Vectors::VectorBucket', {
      VectorBucketName: join('bulkhead-silo-', TENANT),
    });
  });

  it('gives the silo its own rotated key, aliased and tagged for the tenant, encrypting its table and bucket', () => {
    const keys = silo.findResources('AWS::KMS::Key');
    expect(Object.keys(keys)).toHaveLength(1);
    const [keyId] = Object.keys(keys);
    silo.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      Tags: [{ Key: SILO_KEY_TAG, Value: TENANT }],
    });
    silo.hasResourceProperties('AWS::KMS::Alias', { AliasName: join('alias/Bulkhead/silo/', TENANT) });
    const keyArn = { 'Fn::GetAtt': [keyId, 'Arn'] };
    silo.hasResourceProperties('AWS::DynamoDB::Table', {
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: keyArn },
    });
    silo.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          {
            BucketKeyEnabled: true,
            ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: keyArn },
          },
        ],
      },
    });
  });

  it('keeps the pool’s safety settings (versioning, public access blocked, TLS only, point-in-time recovery)', () => {
    silo.hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
    });
    silo.hasResourceProperties('AWS::DynamoDB::Table', {
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
    silo.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: [{ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }],
      },
    });
  });

  it('is deleted with its resources (the placement job deletes a stack only once it has emptied it)', () => {
    for (const type of [
      'AWS::DynamoDB::Table',
      'AWS::S3::Bucket',
      'AWS::S3Vectors::VectorBucket',
      'AWS::KMS::Key',
    ])
      for (const resource of Object.values(silo.findResources(type)))
        expect(resource.DeletionPolicy).toBe('Delete');
  });

  it('needs no bootstrap stack (the placement job creates it, not `cdk deploy`)', () => {
    expect(silo.toJSON().Rules).toBeUndefined();
    expect(silo.toJSON().Parameters.BootstrapVersion).toBeUndefined();
  });
});

describe('the platform template', () => {
  const count = (type: string) =>
    Object.values(platform.Resources).filter((resource) => resource.Type === type).length;

  it('holds the pool only: silos are stacks of their own, created at runtime', () => {
    expect(count('AWS::DynamoDB::Table')).toBe(2);
    expect(count('AWS::S3Vectors::VectorBucket')).toBe(1);
  });

  it('runs the placement job every minute, one run at a time, with the silo template as an asset', () => {
    const placement = functionSpecs(platform).find((spec) => spec.entry === HANDLER_ENTRIES.placement);
    expect(placement).toBeDefined();
    const resource = platform.Resources[placement?.logicalId ?? ''];
    expect(resource?.Properties?.ReservedConcurrentExecutions).toBe(1);
    expect(placement?.environment.SILO_TEMPLATE_URL).toMatch(
      /^https:\/\/s3\..+\/cdk-[a-z0-9]+-assets-.+\/[0-9a-f]{64}\.json$/,
    );
    expect(placement?.environment.SILO_TIERS).toBe('enterprise');
    const rules = Object.values(platform.Resources).filter(
      (rule) =>
        rule.Type === 'AWS::Events::Rule' &&
        JSON.stringify(rule.Properties?.Targets).includes(placement?.logicalId ?? '-'),
    );
    expect(rules.map((rule) => rule.Properties?.ScheduleExpression)).toEqual(['rate(1 minute)']);
  });

  it('takes the silo tiers from bulkhead:siloTiers and refuses a tier that does not exist', () => {
    const tiered = synthesizeBulkheadTemplate({
      nagChecks: false,
      context: { 'bulkhead:siloTiers': 'premium,enterprise' },
    });
    const api = functionSpecs(tiered).find((spec) => spec.entry === HANDLER_ENTRIES.api);
    expect(api?.environment.SILO_TIERS).toBe('premium,enterprise');
    expect(() =>
      synthesizeBulkheadTemplate({ nagChecks: false, context: { 'bulkhead:siloTiers': 'gold' } }),
    ).toThrow(/silo tier "gold" is not a tier/);
  });

  it('keeps the tenant role’s inline policy one size, within IAM’s limit, however many silos exist', () => {
    const documents = rolePolicyDocuments(platform, tenantAccessRoleLogicalId(platform));
    const inline = platform.Resources[tenantAccessRoleLogicalId(platform)]?.Properties?.Policies;
    const size = JSON.stringify(inline).replace(/\s/g, '').length;
    expect(size).toBeLessThan(INLINE_POLICY_LIMIT);
    // No tenant id appears: the silo statements name `${aws:PrincipalTag/TenantId}`.
    expect(JSON.stringify(documents)).toContain(`-silo-${TENANT_VARIABLE}`);
  });
});

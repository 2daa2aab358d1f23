/** Tenant data plane and control plane: safe defaults, and the removal-policy flag both ways. */
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { FEATURE_FLAGS } from '../../lib/feature-flags.js';
import { siloTemplate } from '../../lib/silo-stack.js';
import { TenantDataPlane } from '../../lib/tenant-data-plane.js';
import { testTemplate } from '../support/bulkhead-app.js';

const STATEFUL_TYPES = [
  'AWS::DynamoDB::Table',
  'AWS::S3::Bucket',
  'AWS::S3Vectors::VectorBucket',
  'AWS::Cognito::UserPool',
  'AWS::SecretsManager::Secret',
] as const;

let retained: Template;
let destroyable: Template;

beforeAll(() => {
  retained = testTemplate();
  destroyable = testTemplate({ 'bulkhead:removalPolicy': 'destroy' });
});

describe('tables', () => {
  it('key both tables by pk/sk, on demand, with PITR and server-side encryption', () => {
    retained.resourceCountIs('AWS::DynamoDB::Table', 2);
    retained.allResourcesProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: Match.arrayWith([
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ]),
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
    });
  });

  it('expire guard-rail items by `expiresAt` in the tenant table only', () => {
    const ttl = { TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true } };
    expect(Object.keys(retained.findResources('AWS::DynamoDB::Table', { Properties: ttl }))).toHaveLength(1);
    expect(Object.keys(retained.findResources('AWS::DynamoDB::Table'))).toHaveLength(2);
  });

  it('protect tables from deletion by default and not in a destroyable stack', () => {
    retained.allResourcesProperties('AWS::DynamoDB::Table', { DeletionProtectionEnabled: true });
    destroyable.allResourcesProperties('AWS::DynamoDB::Table', { DeletionProtectionEnabled: false });
  });
});

describe('buckets', () => {
  it('block all public access, encrypt and enforce bucket-owner ownership on every bucket, and version every data bucket', () => {
    // Tenant objects, access logs, audit digests, the web console.
    retained.resourceCountIs('AWS::S3::Bucket', 4);
    retained.allResourcesProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
    });
    for (const [logicalId, bucket] of Object.entries(retained.findResources('AWS::S3::Bucket'))) {
      // The console's build is redeployed from source at every deploy: old versions would only keep old builds.
      const versioning = logicalId.startsWith('ConsoleBucket') ? undefined : { Status: 'Enabled' };
      expect(bucket.Properties.VersioningConfiguration, logicalId).toEqual(versioning);
    }
  });

  it('deny every request without TLS on every bucket', () => {
    const buckets = Object.keys(retained.findResources('AWS::S3::Bucket'));
    for (const bucket of buckets) {
      retained.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: bucket },
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Action: 's3:*',
              Principal: { AWS: '*' },
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
    }
  });

  it('send the tenant bucket server access logs to the access-log bucket', () => {
    retained.hasResourceProperties('AWS::S3::Bucket', {
      LoggingConfiguration: { DestinationBucketName: { Ref: Match.stringLikeRegexp('AccessLogs') } },
    });
  });
});

/** The lifecycle rules of every tenant-object bucket (the ones that log tenant objects to the access-log bucket). */
function tenantBucketLifecycles(template: Template): unknown[] {
  return (
    Object.values(template.findResources('AWS::S3::Bucket'))
      // A tenant object bucket (pool or silo) is the one that expires noncurrent versions.
      .filter((bucket) =>
        bucket.Properties.LifecycleConfiguration?.Rules?.some(
          (rule: { Id?: string }) => rule.Id === 'ExpireNoncurrentVersions',
        ),
      )
      .map((bucket) => bucket.Properties.LifecycleConfiguration)
  );
}

const lifecycle = (noncurrentDays: number) => ({
  Rules: [
    {
      Id: 'ExpireNoncurrentVersions',
      Status: 'Enabled',
      NoncurrentVersionExpiration: { NoncurrentDays: noncurrentDays },
      ExpiredObjectDeleteMarker: true,
      AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
    },
  ],
});

describe('tenant bucket lifecycle', () => {
  it('expires noncurrent versions after 1 day, removes expired delete markers and aborts stale uploads, pool and silo alike', () => {
    const silo = Template.fromJSON(siloTemplate('Bulkhead'));

    expect(tenantBucketLifecycles(retained)).toEqual([lifecycle(1)]);
    expect(tenantBucketLifecycles(silo)).toEqual([lifecycle(1)]);
  });

  it('keeps noncurrent versions as long as the construct is told to', () => {
    const stack = new Stack(new App({ context: { ...FEATURE_FLAGS } }), 'Plane');
    new TenantDataPlane(stack, 'Plane', { noncurrentVersionExpiration: Duration.days(7) });

    expect(tenantBucketLifecycles(Template.fromStack(stack))).toEqual([lifecycle(7)]);
  });
});

describe('vector bucket', () => {
  it('encrypts vectors with SSE-S3', () => {
    retained.hasResourceProperties('AWS::S3Vectors::VectorBucket', {
      EncryptionConfiguration: { SseType: 'AES256' },
    });
  });
});

describe('removal policy', () => {
  it.each(STATEFUL_TYPES)('retains every %s by default', (type) => {
    const resources = Object.values(retained.findResources(type));
    expect(resources.length).toBeGreaterThan(0);
    for (const resource of resources) {
      expect(resource.DeletionPolicy).toBe('Retain');
      expect(resource.UpdateReplacePolicy).toBe('Retain');
    }
  });

  it.each(STATEFUL_TYPES)('deletes every %s with bulkhead:removalPolicy=destroy', (type) => {
    const resources = Object.values(destroyable.findResources(type));
    expect(resources.length).toBeGreaterThan(0);
    for (const resource of resources) expect(resource.DeletionPolicy).toBe('Delete');
  });
});

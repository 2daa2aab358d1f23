/** Tenant data plane and control plane: safe defaults, and the removal-policy flag both ways. */
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
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
  it('block all public access, encrypt, version and enforce bucket-owner ownership on every bucket', () => {
    retained.resourceCountIs('AWS::S3::Bucket', 2);
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
      VersioningConfiguration: { Status: 'Enabled' },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
    });
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

/**
 * The local cloud creates buckets as the template declares them: versioning, Object Lock and the
 * default retention are read from each AWS::S3::Bucket (each setting both ways), and the
 * synthesized template's tenant bucket comes out versioned.
 */
import { describe, expect, it } from 'vitest';
import { asCfnTemplate } from '../../lib/template/cfn-template.js';
import { cloudModelFromTemplate } from '../../local/cloud-model.js';
import { testTemplate } from '../support/bulkhead-app.js';

const TENANT_ROLE = {
  Type: 'AWS::IAM::Role',
  Metadata: { 'bulkhead:role': 'tenant-access' },
  Properties: {},
};

const bucketsOf = (buckets: Record<string, object>) =>
  cloudModelFromTemplate(
    asCfnTemplate({
      Resources: {
        TenantRole: TENANT_ROLE,
        ...Object.fromEntries(
          Object.entries(buckets).map(([name, properties]) => [
            name,
            { Type: 'AWS::S3::Bucket', Properties: { BucketName: name, ...properties } },
          ]),
        ),
      },
    }),
  ).buckets;

describe('buckets in the local cloud model', () => {
  it('reads versioning, Object Lock and default retention from each bucket', () => {
    const buckets = bucketsOf({
      plain: {},
      suspended: { VersioningConfiguration: { Status: 'Suspended' } },
      versioned: { VersioningConfiguration: { Status: 'Enabled' } },
      'locked-days': {
        VersioningConfiguration: { Status: 'Enabled' },
        ObjectLockEnabled: true,
        ObjectLockConfiguration: {
          ObjectLockEnabled: 'Enabled',
          Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 30 } },
        },
      },
      'locked-years': {
        ObjectLockEnabled: true,
        ObjectLockConfiguration: {
          ObjectLockEnabled: 'Enabled',
          Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Years: 7 } },
        },
      },
      'locked-without-default': { ObjectLockEnabled: true },
    });

    expect(buckets).toEqual([
      { name: 'plain', versioned: false, objectLock: false },
      { name: 'suspended', versioned: false, objectLock: false },
      { name: 'versioned', versioned: true, objectLock: false },
      {
        name: 'locked-days',
        versioned: true,
        objectLock: true,
        defaultRetention: { mode: 'COMPLIANCE', days: 30 },
      },
      {
        name: 'locked-years',
        versioned: false,
        objectLock: true,
        defaultRetention: { mode: 'GOVERNANCE', years: 7 },
      },
      { name: 'locked-without-default', versioned: false, objectLock: true },
    ]);
  });

  it('refuses a default retention with both days and years', () => {
    expect(() =>
      bucketsOf({
        both: {
          ObjectLockEnabled: true,
          ObjectLockConfiguration: { Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 1, Years: 1 } } },
        },
      }),
    ).toThrow(/Days or Years, not both/);
  });

  it('deploys the tenant bucket of the synthesized template versioned and without Object Lock', () => {
    const model = cloudModelFromTemplate(asCfnTemplate(testTemplate().toJSON()));
    const tenantBucket = model.functions
      .map((fn) => fn.environment.TENANT_BUCKET_NAME)
      .find((name) => name !== undefined);

    expect(model.buckets.find((bucket) => bucket.name === tenantBucket)).toEqual({
      name: tenantBucket,
      versioned: true,
      objectLock: false,
    });
  });
});

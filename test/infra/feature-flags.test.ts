import { CURRENTLY_RECOMMENDED_FLAGS } from 'aws-cdk-lib/cx-api';
import { describe, expect, it } from 'vitest';
import cdkJson from '../../cdk.json' with { type: 'json' };
import { FEATURE_FLAGS } from '../../lib/feature-flags.js';

describe('CDK feature flags', () => {
  it('cdk.json carries every flag the installed aws-cdk-lib recommends, with the recommended value', () => {
    for (const [flag, value] of Object.entries(CURRENTLY_RECOMMENDED_FLAGS))
      expect(cdkJson.context, flag).toHaveProperty([flag], value);
  });

  it('the in-process synths use exactly the flags of cdk.json, and no bulkhead setting', () => {
    const flags = Object.entries(cdkJson.context).filter(([key]) => key.startsWith('@aws-cdk'));
    expect(FEATURE_FLAGS).toEqual(Object.fromEntries(flags));
    expect(Object.keys(FEATURE_FLAGS).some((key) => key.startsWith('bulkhead:'))).toBe(false);
    expect(FEATURE_FLAGS).toHaveProperty(['@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy'], true);
  });
});

/** The CDK feature flags every bulkhead template is synthesized with (the platform's and the silos'). */
export const FEATURE_FLAGS: Readonly<Record<string, unknown>> = {
  // Access-log delivery via bucket policy: works with BucketOwnerEnforced (no ACLs).
  '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true,
};

/**
 * Template metadata the constructs write and the template readers look up.
 * Kept free of aws-cdk-lib so the local cloud can read templates cheaply.
 */

/** On each platform AWS::Lambda::Function: its repo-relative source entry. */
export const ENTRY_METADATA_KEY = 'bulkhead:entry';

/** On the tenant access AWS::IAM::Role: `TENANT_ACCESS_ROLE_MARK`. */
export const ROLE_METADATA_KEY = 'bulkhead:role';
export const TENANT_ACCESS_ROLE_MARK = 'tenant-access';

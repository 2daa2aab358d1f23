/**
 * Where tenant data lives: one table, one bucket and one S3 Vectors bucket.
 * The pool uses one instance for every tenant; a silo tenant gets its own
 * instance of the same construct. Nothing here grants access: the tenant
 * access role does, keyed on session tags.
 */
import { Duration, Fn, RemovalPolicy } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3vectors from 'aws-cdk-lib/aws-s3vectors';
import { Construct } from 'constructs';
import type { DataPlaneNames } from '../lambdas/config.js';
import { PkSkTable } from './pk-sk-table.js';
import type { DataPlaneArns } from './tenant-policy.js';

export interface TenantDataPlaneProps {
  /**
   * What happens to the tenant data when the stack or construct is removed.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Where the tenant bucket's server access logs go.
   * @default - a dedicated, private access-log bucket
   */
  readonly accessLogsBucket?: s3.IBucket;
  /**
   * How long S3 keeps a replaced or deleted object's previous version. Versioning
   * guards against mistakes; this bound keeps a deleted document's text from
   * staying in the bucket forever as a noncurrent version.
   * @default Duration.days(1)
   */
  readonly noncurrentVersionExpiration?: Duration;
}

/** Incomplete multipart uploads hold invisible parts (and bytes of tenant data) until aborted. */
const ABORT_INCOMPLETE_UPLOADS_AFTER = Duration.days(1);

/** A tenant data table, object bucket and vector bucket with safe defaults. */
export class TenantDataPlane extends Construct {
  /** Items: partition key `pk`, sort key `sk` (key layout in lambdas/tenancy/key-layout.ts). */
  readonly table: PkSkTable;
  /** Objects under `tenants/<tenantId>/`. */
  readonly bucket: s3.Bucket;
  /** Receives the tenant bucket's server access logs (shareable with other planes). */
  readonly accessLogsBucket: s3.IBucket;
  /** Holds one vector index per tenant, named by the tenant id. */
  readonly vectorBucket: s3vectors.CfnVectorBucket;
  /** The vector bucket's name (derived from its ARN; CloudFormation exposes no name attribute). */
  readonly vectorBucketName: string;

  constructor(scope: Construct, id: string, props: TenantDataPlaneProps = {}) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    // Rate-limit windows and budget holds carry `expiresAt` (epoch seconds) so DynamoDB removes them.
    this.table = new PkSkTable(this, 'Table', { removalPolicy, timeToLiveAttribute: 'expiresAt' });

    this.accessLogsBucket =
      props.accessLogsBucket ??
      new s3.Bucket(this, 'AccessLogs', {
        blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
        enforceSSL: true,
        // S3 server access logging delivers only to SSE-S3 buckets.
        encryption: s3.BucketEncryption.S3_MANAGED,
        objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        versioned: true,
        removalPolicy,
      });

    this.bucket = new s3.Bucket(this, 'Bucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: s3.BucketEncryption.S3_MANAGED,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: 'tenant-objects/',
      lifecycleRules: [
        {
          id: 'ExpireNoncurrentVersions',
          noncurrentVersionExpiration: props.noncurrentVersionExpiration ?? Duration.days(1),
          expiredObjectDeleteMarker: true,
          abortIncompleteMultipartUploadAfter: ABORT_INCOMPLETE_UPLOADS_AFTER,
        },
      ],
      removalPolicy,
    });

    this.vectorBucket = new s3vectors.CfnVectorBucket(this, 'Vectors', {
      encryptionConfiguration: { sseType: 'AES256' },
    });
    this.vectorBucket.applyRemovalPolicy(removalPolicy);
    this.vectorBucketName = Fn.select(1, Fn.split(':bucket/', this.vectorBucket.attrVectorBucketArn));
  }

  /** The names the functions route a tenant's data to (names only: access is the tenant role's). */
  locationNames(): DataPlaneNames {
    return {
      tableName: this.table.tableName,
      bucketName: this.bucket.bucketName,
      vectorBucketName: this.vectorBucketName,
    };
  }

  /** This plane's ARNs, in the shape the tenant policy takes. */
  dataResources(): DataPlaneArns {
    return {
      tableArns: [this.table.tableArn],
      bucketArns: [this.bucket.bucketArn],
      vectorBucketArns: [this.vectorBucket.attrVectorBucketArn],
    };
  }
}

/**
 * Where a tenant's audit trail becomes unrewritable: the asymmetric KMS key that signs its
 * digests (ECDSA P-256, sign/verify only), the S3 bucket that keeps them under Object Lock in
 * compliance mode (no one — tenant, operator, the account's root — can delete or shorten a
 * locked version before its retention ends), and the digester function that signs, on a
 * schedule, every tenant whose chain heads moved (lambdas/handlers/audit-digest.ts).
 */
import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { HouseFunction } from './house-function.js';
import { runEvery } from './schedule.js';
import { auditDigestSigningPolicy } from './tenant-policy.js';

export const AUDIT_DIGEST_ENTRY = 'lambdas/handlers/audit-digest.ts';
/** How often the digester runs; a digest is written only for tenants with new records. */
export const DIGEST_INTERVAL = Duration.minutes(1);

export interface AuditDigestsProps {
  /** How long each digest version stays locked. */
  readonly retention: Duration;
  readonly removalPolicy: RemovalPolicy;
  readonly accessLogsBucket: s3.IBucket;
  /** The digester's environment besides the digest bucket and key (trail locations, registry). */
  readonly environment: Readonly<Record<string, string>>;
}

export class AuditDigests extends Construct {
  readonly signingKey: kms.Key;
  readonly bucket: s3.Bucket;
  readonly digester: HouseFunction;

  constructor(scope: Construct, id: string, props: AuditDigestsProps) {
    super(scope, id);
    this.signingKey = new kms.Key(this, 'SigningKey', {
      description: 'Signs the audit trail digests (ECDSA P-256); only the digester may sign',
      keySpec: kms.KeySpec.ECC_NIST_P256,
      keyUsage: kms.KeyUsage.SIGN_VERIFY,
      removalPolicy: props.removalPolicy,
    });
    this.bucket = new s3.Bucket(this, 'Bucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: s3.BucketEncryption.S3_MANAGED,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      objectLockEnabled: true,
      objectLockDefaultRetention: s3.ObjectLockRetention.compliance(props.retention),
      serverAccessLogsBucket: props.accessLogsBucket,
      serverAccessLogsPrefix: 'audit-digests/',
      removalPolicy: props.removalPolicy,
    });
    this.digester = new HouseFunction(this, 'Digester', {
      entry: AUDIT_DIGEST_ENTRY,
      description: 'Signs a digest of every tenant audit chain head that moved, into the Object Lock bucket',
      environment: {
        ...props.environment,
        AUDIT_DIGEST_BUCKET_NAME: this.bucket.bucketName,
        AUDIT_DIGEST_KEY_ARN: this.signingKey.keyArn,
      },
      timeout: Duration.minutes(5),
    });
    // Runs may overlap: each claims its digest number with a conditional write, so the loser stops.
    this.digester.role.attachInlinePolicy(
      new iam.Policy(this, 'SigningPolicy', {
        document: iam.PolicyDocument.fromJson(auditDigestSigningPolicy(this.signingKey.keyArn)),
      }),
    );
    runEvery(this, 'Schedule', DIGEST_INTERVAL, this.digester, 'Runs the audit digester');
  }

  /** The key and bucket, in the shape the tenant policy takes. */
  resources(): { bucketArn: string; keyArn: string } {
    return { bucketArn: this.bucket.bucketArn, keyArn: this.signingKey.keyArn };
  }
}

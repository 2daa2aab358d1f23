/**
 * One silo tenant's dedicated data plane, as its own CloudFormation stack: a table, an object
 * bucket and a vector bucket named for the tenant (lambdas/tenancy/silo-names.ts), and a KMS key
 * of its own that encrypts the table and the bucket. The platform synthesizes this template once;
 * the placement job creates one stack from it per silo tenant at runtime (TenantId parameter), and
 * deletes it when the tenant leaves the silo, so placing a tenant never redeploys the platform.
 *
 * The stack grants nothing: the tenant access role reaches `<stack>-silo-${TenantId}` resources by
 * name, for the session's own tenant only (lib/tenant-policy.ts).
 */
import {
  Annotations,
  App,
  Aws,
  CfnOutput,
  CfnParameter,
  DefaultStackSynthesizer,
  RemovalPolicy,
  Stack,
  type StackProps,
  Tags,
} from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { TENANT_ID_PATTERN } from '../lambdas/tenancy/key-layout.js';
import { SILO_TEMPLATE_PARAMETERS, siloResourceNames } from '../lambdas/tenancy/silo-names.js';
import { FEATURE_FLAGS } from './feature-flags.js';
import { asCfnTemplate, type CfnTemplate } from './template/cfn-template.js';
import { TenantDataPlane } from './tenant-data-plane.js';
import { SILO_KEY_TAG } from './tenant-policy.js';

/** Where the silo bucket's server access logs go in the pool's access-log bucket. */
export const SILO_ACCESS_LOG_PREFIX = 'silo-objects/';

export interface SiloStackProps extends StackProps {
  /** The platform stack's name: every silo resource name starts with it. */
  readonly platformStackName: string;
}

export class SiloStack extends Stack {
  readonly data: TenantDataPlane;
  readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: SiloStackProps) {
    super(scope, id, props);
    const tenantId = new CfnParameter(this, SILO_TEMPLATE_PARAMETERS.tenantId, {
      type: 'String',
      description: 'The silo tenant (its data lives only here)',
      allowedPattern: TENANT_ID_PATTERN.source.replace(/^\^|\$$/g, ''),
    });
    const accessLogs = new CfnParameter(this, SILO_TEMPLATE_PARAMETERS.accessLogsBucket, {
      type: 'String',
      description: "The platform's access-log bucket (the silo bucket's server access logs)",
    });
    const names = siloResourceNames(
      { stackName: props.platformStackName, account: Aws.ACCOUNT_ID, region: Aws.REGION },
      tenantId.valueAsString,
    );
    // The stack is deleted only after the placement job has moved every item and object out
    // (and verified the copies), so its resources go with it.
    const removalPolicy = RemovalPolicy.DESTROY;
    this.key = new kms.Key(this, 'Key', {
      description: "Encrypts one silo tenant's table and bucket",
      alias: names.keyAlias,
      enableKeyRotation: true,
      removalPolicy,
    });
    // The deployer role may manage only keys with this tag (never the platform's own keys).
    Tags.of(this.key).add(SILO_KEY_TAG, tenantId.valueAsString);
    this.data = new TenantDataPlane(this, 'Data', {
      removalPolicy,
      names,
      encryptionKey: this.key,
      accessLogsBucket: s3.Bucket.fromBucketName(this, 'AccessLogs', accessLogs.valueAsString),
      accessLogsPrefix: `${SILO_ACCESS_LOG_PREFIX}${tenantId.valueAsString}/`,
    });
    // CDK cannot grant S3 log delivery on an imported bucket; the platform stack's access-log bucket
    // policy grants it to every silo bucket (SiloAccessLogs, lib/silo-placement.ts).
    Annotations.of(this.data.bucket).acknowledgeWarning(
      '@aws-cdk/aws-s3:accessLogsPolicyNotAdded',
      "the platform's access-log bucket policy grants log delivery to every silo bucket",
    );
    new CfnOutput(this, 'TableName', { value: this.data.table.tableName });
    new CfnOutput(this, 'BucketName', { value: this.data.bucket.bucketName });
    new CfnOutput(this, 'VectorBucketName', { value: this.data.vectorBucketName });
  }
}

/**
 * The silo template for a platform stack: synthesized in an app of its own (it is deployed per
 * tenant, not with the platform), with the platform's feature flags.
 */
export function siloTemplate(platformStackName: string): CfnTemplate {
  const app = new App({ context: { ...FEATURE_FLAGS } });
  const stack = new SiloStack(app, `${platformStackName}-silo`, {
    platformStackName,
    analyticsReporting: false,
    // Created by the placement job, not `cdk deploy`: no bootstrap version check, no assets.
    synthesizer: new DefaultStackSynthesizer({ generateBootstrapVersionRule: false }),
    description: `bulkhead: one silo tenant's dedicated data plane (platform stack ${platformStackName})`,
  });
  return asCfnTemplate(app.synth().getStackByName(stack.stackName).template);
}

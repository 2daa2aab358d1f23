/**
 * Placing tenants at runtime: the silo template (lib/silo-stack.ts) as an asset, the
 * CloudFormation service role that may create and delete silo resources and nothing else (the
 * silo deployer), the tenant mover role that copies one tenant between the pool and its silo, and
 * the placement job (lambdas/handlers/placement.ts), run every minute, which provisions silos,
 * moves tenants and removes emptied silos. Every document comes from lib/tenant-policy.ts.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArnFormat, Aws, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import { S3_TENANT_ROOT } from '../lambdas/tenancy/key-layout.js';
import { type SiloNaming, type SiloResourceNames, siloResourceNames } from '../lambdas/tenancy/silo-names.js';
import { HouseFunction } from './house-function.js';
import { runEvery } from './schedule.js';
import { SILO_ACCESS_LOG_PREFIX, siloTemplate } from './silo-stack.js';
import {
  acknowledgeSiloKeys,
  acknowledgeTagScopedKeys,
  acknowledgeWildcardResources,
  taggedSessionsOf,
} from './tenant-access-role.js';
import {
  type PolicyDocumentJson,
  SILO_KEY_TAG,
  type SiloDeploymentArns,
  type SiloPlaneArns,
  siloDeployerPolicy,
  siloStackControlPolicy,
  siloStackRemovalPolicy,
  TENANT_VARIABLE,
  type TenantDataResources,
  tenantBucketArns,
  tenantMoverPolicy,
} from './tenant-policy.js';

export const PLACEMENT_ENTRY = 'lambdas/handlers/placement.ts';
/** How often the placement job looks for tenants to provision, move or release. */
export const PLACEMENT_INTERVAL = Duration.minutes(1);

/** The silo planes the tenant policy grants: every name built for the session's own tenant. */
export function siloPlaneArns(stack: Stack): SiloPlaneArns {
  const names = siloResourceNames(siloNaming(stack), TENANT_VARIABLE);
  return {
    ...siloArns(stack, names),
    keyAlias: names.keyAlias,
    keyArns: [kmsArn(stack, 'key', '*')],
    s3ViaService: `s3.${stack.region}.${Aws.URL_SUFFIX}`,
  };
}

/** How silos of this stack are named (lambdas/tenancy/silo-names.ts). */
export function siloNaming(stack: Stack): SiloNaming {
  return { stackName: stack.stackName, account: stack.account, region: stack.region };
}

export interface SiloPlacementProps {
  /** Where tenant data may live (the mover's reach). */
  readonly resources: TenantDataResources;
  /** The placement job's environment besides what this construct adds (data locations, registry). */
  readonly environment: Readonly<Record<string, string>>;
  /** The pool's access-log bucket: silo buckets log there too, under SILO_ACCESS_LOG_PREFIX. */
  readonly accessLogsBucket: s3.IBucket;
}

export class SiloPlacement extends Construct {
  readonly function: HouseFunction;
  readonly deployer: iam.Role;
  readonly mover: iam.Role;
  readonly template: s3assets.Asset;

  constructor(scope: Construct, id: string, props: SiloPlacementProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.template = new s3assets.Asset(this, 'SiloTemplate', {
      path: writtenTemplate(siloTemplate(stack.stackName)),
    });
    const silos = siloDeploymentArns(stack);
    this.deployer = new iam.Role(this, 'SiloDeployer', {
      description: "CloudFormation's role for silo stacks: creates and deletes silo resources only",
      assumedBy: new iam.ServicePrincipal('cloudformation.amazonaws.com'),
      inlinePolicies: { DeploySilos: iam.PolicyDocument.fromJson(siloDeployerPolicy(silos)) },
    });
    acknowledgeWildcardResources(
      this.deployer,
      [...silos.tableArns, ...silos.bucketArns, ...silos.vectorBucketArns, ...silos.aliasArns],
      "The * stands for a tenant id: every silo's resources are named <stack>-silo-<tenant> (lambdas/tenancy/silo-names.ts), and the placement job creates them at runtime.",
    );
    acknowledgeWildcardResources(
      this.deployer,
      ['*', ...silos.keyArns],
      `A key's ARN is generated: keys may be created only with the ${SILO_KEY_TAG} tag and managed only while they carry it (never the platform's own keys).`,
    );
    this.function = new HouseFunction(this, 'Placement', {
      entry: PLACEMENT_ENTRY,
      description: 'Provisions silo stacks, moves tenants between pool and silo, removes emptied silos',
      environment: {
        ...props.environment,
        SILO_TEMPLATE_URL: this.template.httpUrl,
        SILO_DEPLOYER_ROLE_ARN: this.deployer.roleArn,
        ACCESS_LOGS_BUCKET_NAME: props.accessLogsBucket.bucketName,
      },
      timeout: Duration.minutes(15),
      // One run at a time: a copy never races another copy of the same tenant.
      reservedConcurrency: 1,
    });
    // CloudFormation reads the template with the caller's credentials: this one object only.
    this.function.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadSiloTemplate',
        actions: ['s3:GetObject'],
        resources: [this.template.bucket.arnForObjects(this.template.s3ObjectKey)],
      }),
    );
    attachSiloStackPolicy(
      this.function,
      'SiloStacks',
      siloStackControlPolicy(siloStackArns(stack), this.deployer.roleArn),
    );
    this.mover = new iam.Role(this, 'TenantMover', {
      description: 'Moves one tenant between the pool and its silo; assumed with its TenantId tag',
      assumedBy: taggedSessionsOf([this.function.role]),
      maxSessionDuration: Duration.hours(1),
      inlinePolicies: { MoveTenant: iam.PolicyDocument.fromJson(tenantMoverPolicy(props.resources)) },
    });
    acknowledgeTagScopedKeys(
      this.mover,
      tenantBucketArns(props.resources),
      [`${S3_TENANT_ROOT}/${TENANT_VARIABLE}/*`],
      "The trailing * covers only the session's own tenant's objects (tenants/<TenantId>/), in the pool and in its silo.",
    );
    acknowledgeSiloKeys(this.mover, props.resources);
    this.function.bindAssumableRole('TENANT_MOVER_ROLE_ARN', this.mover);
    // Silo buckets deliver their server access logs to the pool's log bucket.
    props.accessLogsBucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'SiloAccessLogs',
        principals: [new iam.ServicePrincipal('logging.s3.amazonaws.com')],
        actions: ['s3:PutObject'],
        resources: [props.accessLogsBucket.arnForObjects(`${SILO_ACCESS_LOG_PREFIX}*`)],
        conditions: {
          ArnLike: { 'aws:SourceArn': siloDeploymentArns(stack).bucketArns },
          StringEquals: { 'aws:SourceAccount': stack.account },
        },
      }),
    );
    runEvery(this, 'Schedule', PLACEMENT_INTERVAL, this.function, 'Runs the placement job');
  }
}

/** Every silo stack of this platform (`stack/<stack>-silo-<tenant>/<id>`, as a pattern). */
function siloStackArns(stack: Stack): string[] {
  return [
    stack.formatArn({
      service: 'cloudformation',
      resource: 'stack',
      resourceName: `${siloResourceNames(siloNaming(stack), '*').stackName}/*`,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    }),
  ];
}

/** Attaches a policy on the silo stacks to a function's role (`document` from lib/tenant-policy.ts). */
export function attachSiloStackPolicy(fn: HouseFunction, id: string, document: PolicyDocumentJson): void {
  const policy = new iam.Policy(fn, id, { document: iam.PolicyDocument.fromJson(document) });
  fn.role.attachInlinePolicy(policy);
  acknowledgeWildcardResources(
    policy,
    siloStackArns(Stack.of(fn)),
    'The first * stands for a tenant id (silo stacks are named <stack>-silo-<tenant>), the second for the stack id CloudFormation generates.',
  );
}

/** Lets the tenant erasure job delete an offboarded silo tenant's emptied stack. */
export function allowSiloStackRemoval(fn: HouseFunction): void {
  attachSiloStackPolicy(fn, 'SiloStackRemoval', siloStackRemovalPolicy(siloStackArns(Stack.of(fn))));
}

/** Every silo's resources, by name pattern (the deployer's reach). */
function siloDeploymentArns(stack: Stack): SiloDeploymentArns {
  const names = siloResourceNames(siloNaming(stack), '*');
  return {
    ...siloArns(stack, names),
    aliasArns: [kmsArn(stack, 'alias', names.keyAlias.replace(/^alias\//, ''))],
    keyArns: [kmsArn(stack, 'key', '*')],
  };
}

function siloArns(
  stack: Stack,
  names: SiloResourceNames,
): Pick<SiloDeploymentArns, 'tableArns' | 'bucketArns' | 'vectorBucketArns'> {
  const arn = (service: string, resource: string, resourceName: string) =>
    stack.formatArn({ service, resource, resourceName, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
  return {
    tableArns: [arn('dynamodb', 'table', names.tableName)],
    bucketArns: [`arn:${Aws.PARTITION}:s3:::${names.bucketName}`],
    vectorBucketArns: [arn('s3vectors', 'bucket', names.vectorBucketName)],
  };
}

function kmsArn(stack: Stack, resource: 'key' | 'alias', resourceName: string): string {
  return stack.formatArn({
    service: 'kms',
    resource,
    resourceName,
    arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
  });
}

/** The template as a file for the asset (content-addressed: the same template, the same asset). */
function writtenTemplate(template: unknown): string {
  const file = join(mkdtempSync(join(tmpdir(), 'bulkhead-silo-template-')), 'silo-template.json');
  writeFileSync(file, JSON.stringify(template, undefined, 1));
  return file;
}

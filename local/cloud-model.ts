/**
 * What the local cloud deploys, read from the synthesized template: roles with their policies
 * and trust policies, tables with key schemas, buckets with their versioning and Object Lock
 * settings, vector buckets, secrets, functions and API routes. The template is the only source —
 * the local cloud invents no permissions.
 */
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import * as z from 'zod';
import { isRecord } from '../lambdas/is-record.js';
import type { CfnTemplate } from '../lib/template/cfn-template.js';
import {
  apiRoutes,
  type FunctionSpec,
  functionSpecs,
  LOCAL_ACCOUNT,
  type LocalAccount,
  type MockRouteSpec,
  mockRoutes,
  physicalName,
  type RouteSpec,
  resolveIntrinsics,
  resourceArn,
  rolePolicyDocuments,
  type ScheduleSpec,
  scheduleSpecs,
  tenantAccessRoleLogicalId,
} from '../lib/template/local-resolution.js';
import type { BucketConfiguration } from './emulators/s3.js';
import { CLOUDFORMATION_SERVICE } from './front-door/cloudformation-request.js';
import type { TableKeys } from './front-door/dynamodb-request.js';
import type { RoleDefinition } from './front-door/policy-evaluator.js';

export interface TableModel {
  readonly name: string;
  readonly keys: TableKeys;
  readonly createInput: CreateTableCommandInput;
  /** The table's TTL attribute, when it has one (DynamoDB Local keeps expired items: the TTL sweeper deletes them). */
  readonly ttlAttribute?: string;
}

/** A bucket and the settings the local S3 creates it with. */
export interface BucketModel extends BucketConfiguration {
  readonly name: string;
}

export interface LocalFunction extends FunctionSpec {
  readonly name: string;
  readonly roleArn: string;
}

export interface NamedResource {
  readonly logicalId: string;
  readonly name: string;
  readonly arn: string;
}

export interface KmsKeyModel extends NamedResource {
  readonly keyPolicy: unknown;
  /** `SYMMETRIC_DEFAULT` (encrypt/decrypt) or an asymmetric signing spec such as `ECC_NIST_P256`. */
  readonly keySpec: string;
}

export interface CloudModel {
  readonly account: LocalAccount;
  readonly roles: readonly RoleDefinition[];
  readonly tenantRoleArn: string;
  readonly tables: readonly TableModel[];
  readonly buckets: readonly BucketModel[];
  readonly vectorBuckets: readonly string[];
  readonly secrets: readonly NamedResource[];
  /** KMS keys (the token vault's) with their key policies: the local KMS holds material for each. */
  readonly kmsKeys: readonly KmsKeyModel[];
  readonly functions: readonly LocalFunction[];
  readonly routes: readonly RouteSpec[];
  /** Methods API Gateway answers itself (CORS preflights). */
  readonly mockRoutes: readonly MockRouteSpec[];
  /** Functions run on a schedule (EventBridge `rate(...)` rules). */
  readonly schedules: readonly ScheduleSpec[];
}

const KeySchema = z.array(z.object({ AttributeName: z.string(), KeyType: z.enum(['HASH', 'RANGE']) }));
/** The table properties the local cloud deploys (streams, PITR, encryption, TTL are not emulated). */
const TableProperties = z.object({
  KeySchema,
  TimeToLiveSpecification: z.object({ AttributeName: z.string(), Enabled: z.boolean() }).optional(),
  AttributeDefinitions: z.array(
    z.object({ AttributeName: z.string(), AttributeType: z.enum(['S', 'N', 'B']) }),
  ),
  GlobalSecondaryIndexes: z
    .array(
      z.object({
        IndexName: z.string(),
        KeySchema,
        Projection: z.object({
          ProjectionType: z.enum(['ALL', 'KEYS_ONLY', 'INCLUDE']).optional(),
          NonKeyAttributes: z.array(z.string()).optional(),
        }),
      }),
    )
    .optional(),
});

/** The bucket properties the local S3 honours (encryption, logging, lifecycle are not emulated). */
const BucketProperties = z
  .object({
    VersioningConfiguration: z.object({ Status: z.enum(['Enabled', 'Suspended']) }).optional(),
    ObjectLockEnabled: z.boolean().optional(),
    ObjectLockConfiguration: z
      .object({
        Rule: z
          .object({
            DefaultRetention: z
              .object({
                Mode: z.enum(['COMPLIANCE', 'GOVERNANCE']),
                Days: z.number().int().positive().optional(),
                Years: z.number().int().positive().optional(),
              })
              .refine((rule) => (rule.Days === undefined) !== (rule.Years === undefined), {
                message: 'DefaultRetention needs Days or Years, not both',
              })
              .optional(),
          })
          .optional(),
      })
      .optional(),
  })
  .optional();

/** Reads the deployable model from a synthesized template. */
export function cloudModelFromTemplate(
  template: CfnTemplate,
  account: LocalAccount = LOCAL_ACCOUNT,
): CloudModel {
  const ofType = (type: string): string[] =>
    Object.entries(template.Resources)
      .filter(([, resource]) => resource.Type === type)
      .map(([logicalId]) => logicalId);
  const named = (logicalId: string): NamedResource => namedResource(template, logicalId, account);
  const functions = functionSpecs(template, account);
  const tenantRoleLogicalId = tenantAccessRoleLogicalId(template);
  // Only roles that can act locally: the functions' execution roles, the per-request roles
  // they assume (the tenant role, the audit writer: any role whose ARN a function is given) and
  // CloudFormation's service roles (the local CloudFormation acts with them). (Other service roles,
  // such as API Gateway's CloudWatch role, never act here.)
  const givenToFunctions = new Set(functions.flatMap((fn) => Object.values(fn.environment)));
  const assumedRoles = ofType('AWS::IAM::Role').filter(
    (logicalId) =>
      givenToFunctions.has(resourceArn(template, logicalId, account)) ||
      trustsService(
        template.Resources[logicalId]?.Properties?.AssumeRolePolicyDocument,
        CLOUDFORMATION_SERVICE,
      ),
  );
  const activeRoles = [
    ...new Set([...functions.map((fn) => fn.roleLogicalId), tenantRoleLogicalId, ...assumedRoles]),
  ];
  return {
    account,
    roles: activeRoles.map((logicalId) => ({
      arn: resourceArn(template, logicalId, account),
      policies: rolePolicyDocuments(template, logicalId, account),
      trustPolicy: resolveIntrinsics(
        template.Resources[logicalId]?.Properties?.AssumeRolePolicyDocument,
        template,
        account,
      ),
    })),
    tenantRoleArn: resourceArn(template, tenantRoleLogicalId, account),
    tables: ofType('AWS::DynamoDB::Table').map((logicalId) => tableModel(template, logicalId, account)),
    buckets: ofType('AWS::S3::Bucket').map((logicalId) => bucketModel(template, logicalId, account)),
    vectorBuckets: ofType('AWS::S3Vectors::VectorBucket').map((logicalId) =>
      physicalName(template, logicalId, account),
    ),
    secrets: ofType('AWS::SecretsManager::Secret').map(named),
    kmsKeys: ofType('AWS::KMS::Key').map((logicalId) => kmsKeyModel(template, logicalId, account)),
    functions: functions.map((spec) => ({
      ...spec,
      name: physicalName(template, spec.logicalId, account),
      roleArn: resourceArn(template, spec.roleLogicalId, account),
    })),
    routes: apiRoutes(template),
    mockRoutes: mockRoutes(template, account),
    schedules: scheduleSpecs(template),
  };
}

/** Whether a trust policy lets an AWS service (e.g. `cloudformation.amazonaws.com`) assume the role. */
export function trustsService(trustPolicy: unknown, service: string): boolean {
  const statements = isRecord(trustPolicy) ? [trustPolicy.Statement ?? []].flat() : [];
  return statements.some((statement: unknown) => {
    if (!isRecord(statement) || statement.Effect !== 'Allow' || !isRecord(statement.Principal)) return false;
    const actions = [statement.Action ?? []].flat();
    const services = [statement.Principal.Service ?? []].flat();
    return actions.includes('sts:AssumeRole') && services.includes(service);
  });
}

/** A resource's physical name and ARN. */
export function namedResource(
  template: CfnTemplate,
  logicalId: string,
  account: LocalAccount,
): NamedResource {
  return {
    logicalId,
    name: physicalName(template, logicalId, account),
    arn: resourceArn(template, logicalId, account),
  };
}

/** A KMS key as the local KMS holds it. */
export function kmsKeyModel(template: CfnTemplate, logicalId: string, account: LocalAccount): KmsKeyModel {
  const properties = template.Resources[logicalId]?.Properties;
  return {
    ...namedResource(template, logicalId, account),
    keyPolicy: resolveIntrinsics(properties?.KeyPolicy, template, account),
    keySpec: String(properties?.KeySpec ?? 'SYMMETRIC_DEFAULT'),
  };
}

/** A bucket as the local S3 creates it. */
export function bucketModel(template: CfnTemplate, logicalId: string, account: LocalAccount): BucketModel {
  const properties = BucketProperties.parse(template.Resources[logicalId]?.Properties);
  const rule = properties?.ObjectLockConfiguration?.Rule?.DefaultRetention;
  return {
    name: physicalName(template, logicalId, account),
    versioned: properties?.VersioningConfiguration?.Status === 'Enabled',
    objectLock: properties?.ObjectLockEnabled === true,
    ...(rule === undefined
      ? {}
      : {
          defaultRetention: {
            mode: rule.Mode,
            ...(rule.Days === undefined ? {} : { days: rule.Days }),
            ...(rule.Years === undefined ? {} : { years: rule.Years }),
          },
        }),
  };
}

/** A table as DynamoDB Local creates it, with the keys the front door derives LeadingKeys from. */
export function tableModel(template: CfnTemplate, logicalId: string, account: LocalAccount): TableModel {
  const properties = TableProperties.parse(template.Resources[logicalId]?.Properties);
  const name = physicalName(template, logicalId, account);
  const indexes = properties.GlobalSecondaryIndexes ?? [];
  const hashOf = (schema: z.infer<typeof KeySchema>): string => {
    const hash = schema.find((element) => element.KeyType === 'HASH')?.AttributeName;
    if (hash === undefined) throw new Error(`table ${logicalId} has a key schema without a HASH key`);
    return hash;
  };
  return {
    name,
    keys: {
      partitionKey: hashOf(properties.KeySchema),
      indexPartitionKeys: Object.fromEntries(
        indexes.map((index) => [index.IndexName, hashOf(index.KeySchema)]),
      ),
    },
    createInput: {
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: properties.KeySchema,
      AttributeDefinitions: properties.AttributeDefinitions,
      ...(indexes.length === 0 ? {} : { GlobalSecondaryIndexes: indexes }),
    },
    ...(properties.TimeToLiveSpecification?.Enabled
      ? { ttlAttribute: properties.TimeToLiveSpecification.AttributeName }
      : {}),
  };
}

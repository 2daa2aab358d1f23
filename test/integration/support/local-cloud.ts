/** Raw SDK clients against the shared local cloud, and tenant sessions from its STS. */
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { S3VectorsClient } from '@aws-sdk/client-s3vectors';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@smithy/types';
import { inject } from 'vitest';
import { type ModelCatalog, parseModelCatalog } from '../../../lambdas/models/model-catalog.js';

export const cloud = inject('localCloud');

/** The api function as Lambda would run it: its own credentials and resolved environment. */
export function functionOf(entry: string): {
  readonly logicalId: string;
  readonly credentials: AwsCredentialIdentity;
  readonly environment: Readonly<Record<string, string>>;
} {
  const fn = cloud.functions[entry];
  if (fn === undefined) throw new Error(`no function ${entry} in the local cloud`);
  return fn;
}

export const apiFunction = functionOf('lambdas/handlers/api.ts');

/** A resolved environment variable of the api function (table, bucket, ... names). */
export function apiEnv(name: string): string {
  const value = apiFunction.environment[name];
  if (value === undefined) throw new Error(`${name} is not in the api function's environment`);
  return value;
}

/** The model catalogue the api function runs with (its `MODEL_CATALOG`): chat models first = default. */
export function apiModels(): ModelCatalog {
  const parsed = parseModelCatalog(JSON.parse(apiEnv('MODEL_CATALOG')), 'MODEL_CATALOG');
  if (parsed.catalog === undefined) throw new Error(parsed.problems.join('; '));
  return parsed.catalog;
}

const clientConfig = (credentials: AwsCredentialIdentity) => ({
  endpoint: cloud.endpoint,
  region: cloud.region,
  credentials,
  maxAttempts: 1,
});

export function stsClient(credentials: AwsCredentialIdentity = apiFunction.credentials): STSClient {
  return new STSClient(clientConfig(credentials));
}

/** Where a session says its tenant lives (the `Placement` tag): the pool unless told. */
export type SessionPlacement = 'pool' | 'silo';

/** Tenant-session credentials for (tenant, user), minted by the local STS for the api function. */
export function tenantSession(
  tenantId: string,
  userId: string,
  placement: SessionPlacement = 'pool',
): Promise<AwsCredentialIdentity> {
  return taggedSession(cloud.tenantRoleArn, tenantId, userId, placement);
}

/** Audit-writer credentials for (tenant, user): the only sessions that may write the audit trail. */
export function auditWriterSession(
  tenantId: string,
  userId: string,
  placement: SessionPlacement = 'pool',
): Promise<AwsCredentialIdentity> {
  return taggedSession(apiEnv('AUDIT_ROLE_ARN'), tenantId, userId, placement);
}

async function taggedSession(
  roleArn: string,
  tenantId: string,
  userId: string,
  placement: SessionPlacement,
): Promise<AwsCredentialIdentity> {
  const { Credentials } = await stsClient().send(
    new AssumeRoleCommand({
      RoleArn: roleArn,
      RoleSessionName: `${tenantId}-${userId}`.slice(0, 64),
      DurationSeconds: 900,
      Tags: [
        { Key: 'TenantId', Value: tenantId },
        { Key: 'UserId', Value: userId },
        { Key: 'Placement', Value: placement },
      ],
    }),
  );
  if (Credentials?.AccessKeyId === undefined || Credentials.SecretAccessKey === undefined) {
    throw new Error('STS returned no credentials');
  }
  return {
    accessKeyId: Credentials.AccessKeyId,
    secretAccessKey: Credentials.SecretAccessKey,
    sessionToken: Credentials.SessionToken,
  };
}

/** Plain SDK clients — deliberately not the platform's scoped clients. */
export function rawClients(credentials: AwsCredentialIdentity): {
  readonly dynamodb: DynamoDBClient;
  readonly s3: S3Client;
  readonly vectors: S3VectorsClient;
  readonly secrets: SecretsManagerClient;
} {
  return {
    dynamodb: new DynamoDBClient(clientConfig(credentials)),
    s3: new S3Client({ ...clientConfig(credentials), forcePathStyle: true }),
    vectors: new S3VectorsClient(clientConfig(credentials)),
    secrets: new SecretsManagerClient(clientConfig(credentials)),
  };
}

/**
 * Clients on the emulators themselves, past the front door: the account's root user, whom no
 * IAM policy stops (only what the service itself enforces, such as S3 Object Lock).
 */
export function rootClients(): { readonly dynamodb: DynamoDBClient; readonly s3: S3Client } {
  const credentials = { accessKeyId: 'root', secretAccessKey: 'root' };
  const base = { region: cloud.region, credentials, maxAttempts: 1 };
  return {
    dynamodb: new DynamoDBClient({ ...base, endpoint: cloud.emulatorEndpoints.dynamoDb }),
    s3: new S3Client({ ...base, endpoint: cloud.emulatorEndpoints.s3, forcePathStyle: true }),
  };
}

/**
 * Every raw item of the tenant table whose partition key starts with `prefix`, read as root: a
 * table scan — the test may, the platform never does.
 */
export async function rawItemsWithPrefix(prefix: string): Promise<Record<string, { S?: string }>[]> {
  const { dynamodb } = rootClients();
  const items: Record<string, { S?: string }>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await dynamodb.send(
      new ScanCommand({
        TableName: apiEnv('TENANT_TABLE_NAME'),
        FilterExpression: 'begins_with(pk, :p)',
        ExpressionAttributeValues: { ':p': { S: prefix } },
        ...(start === undefined ? {} : { ExclusiveStartKey: start as never }),
      }),
    );
    items.push(...((page.Items ?? []) as Record<string, { S?: string }>[]));
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  dynamodb.destroy();
  return items;
}

/** A unique id suffix so test runs never collide with each other or with seeded data. */
export function uniqueSuffix(): string {
  return Math.random().toString(36).slice(2, 8);
}

/**
 * A real ServiceRuntime whose SDK clients are all fakes at the SDK boundary:
 * the control table, STS, Secrets Manager and every tenant-session client
 * record their commands and answer from the test.
 */

import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import {
  type ServiceInputTypes as BedrockInput,
  BedrockRuntimeClient,
} from '@aws-sdk/client-bedrock-runtime';
import {
  DynamoDBClient,
  type ServiceInputTypes as DynamoInput,
  type ServiceOutputTypes as DynamoOutput,
} from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client, type ServiceInputTypes as S3Input } from '@aws-sdk/client-s3';
import { S3VectorsClient, type ServiceInputTypes as VectorsInput } from '@aws-sdk/client-s3vectors';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  type AssumeRoleCommandInput,
  STSClient,
  type ServiceInputTypes as StsInput,
} from '@aws-sdk/client-sts';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { DEFAULT_CLAIM_NAMES } from '../../../lambdas/auth/claim-names.js';
import type { ServiceConfig } from '../../../lambdas/config.js';
import { Telemetry } from '../../../lambdas/observability/telemetry.js';
import type { TenantRecord } from '../../../lambdas/registry/tenant-record.js';
import { ServiceRuntime } from '../../../lambdas/service-runtime.js';
import { DEFAULT_MODELS } from '../../support/model-catalog.js';
import {
  captureCommands,
  captureShapedCommands,
  metadata,
  offlineClientConfig,
  type Responder,
  type SentCommand,
} from './fake-sdk.js';
import { MemoryBucket, MemorySecrets, MemoryTable, MemoryVectorIndex, memoryKms } from './memory-cloud.js';

export const TEST_CONFIG: ServiceConfig = {
  tenantTableName: 'tenant-data',
  controlTableName: 'control',
  tenantBucketName: 'tenant-bucket',
  vectorBucketName: 'vectors',
  tenantRoleArn: 'arn:aws:iam::000000000000:role/TenantAccess',
  auditRoleArn: 'arn:aws:iam::000000000000:role/AuditWriter',
  tenantTagSecretArn: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:tag',
  tenantSecretPrefix: 'bulkhead/tenants',
  vaultKeyArn: 'arn:aws:kms:us-east-1:000000000000:key/vault',
  auditDigestBucketName: 'audit-digests',
  auditDigestKeyArn: 'arn:aws:kms:us-east-1:000000000000:key/digests',
  registrySettleSeconds: 330,
  connectorAllowLoopback: false,
  models: DEFAULT_MODELS,
  tenantSessionSeconds: 900,
  siloNaming: { stackName: 'Bulkhead', account: '000000000000', region: 'us-east-1' },
  siloTiers: ['enterprise'],
  corsOrigins: [],
  claims: DEFAULT_CLAIM_NAMES,
};

export const TAG_KEY = 'test-tag-key';

export interface FakeRuntimeOptions {
  /** Tenant records the control table holds (read via GetItem). */
  readonly tenants: readonly TenantRecord[];
  /** A stateful control table answering every control-table command instead (`tenants` then unused). */
  readonly registry?: MemoryTable;
  /** Answers for control-table writes; default: success. */
  readonly controlWrites?: Responder<DynamoInput, DynamoOutput>;
  /** Answers for tenant-data commands; default: empty success. */
  readonly tenantData?: Responder<DynamoInput, object>;
  /** Answers for S3 Vectors commands; default: empty success. */
  readonly vectors?: Responder<VectorsInput, object>;
  /** Answers for S3 commands (loosely typed: object bodies need no stream); default: empty success. */
  readonly objects?: Responder<S3Input, object>;
  /** Answers for Bedrock commands (Converse, ConverseStream, InvokeModel); default: refuses. */
  readonly bedrock?: Responder<BedrockInput, object>;
  /** Answers for tenant-session KMS commands; default: an in-memory KMS that binds the context. */
  readonly kms?: Responder<object, object>;
  /** Answers for tenant-session Secrets Manager commands; default: refuses. */
  readonly secrets?: Responder<object, object>;
  /** default: quietTelemetry() */
  readonly telemetry?: Telemetry;
  /** default: TEST_CONFIG (every tenant on the pool) */
  readonly config?: ServiceConfig;
}

/**
 * Telemetry whose log lines and metrics are dropped, so `npm test` does not print thousands of
 * EMF lines. What telemetry writes is tested with real Telemetry (guardrails/telemetry.test.ts,
 * the wiring test).
 */
export function quietTelemetry(): Telemetry {
  return new Telemetry({
    serviceName: 'test',
    namespace: 'Test',
    logger: new PowertoolsLogger({ serviceName: 'test', logLevel: 'SILENT' }),
    metrics: disabledMetrics(),
  });
}

/**
 * Powertools Metrics reads POWERTOOLS_METRICS_DISABLED when an instance is built, and each
 * single metric (all the platform emits) is a new instance: set the variable only for those moments.
 */
function disabledMetrics(): Metrics {
  const before = process.env.POWERTOOLS_METRICS_DISABLED;
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  try {
    return new SilentMetrics({ namespace: 'Test', serviceName: 'test' });
  } finally {
    if (before === undefined) delete process.env.POWERTOOLS_METRICS_DISABLED;
    else process.env.POWERTOOLS_METRICS_DISABLED = before;
  }
}

class SilentMetrics extends Metrics {
  override singleMetric(): Metrics {
    return disabledMetrics();
  }
}

/** The model retry layer without waiting. */
const INSTANT_RETRIES = { sleep: async () => undefined };

export interface FakeRuntime {
  readonly runtime: ServiceRuntime;
  readonly control: SentCommand<DynamoInput>[];
  readonly sts: SentCommand<StsInput>[];
  readonly tenantData: SentCommand<DynamoInput>[];
  readonly vectors: SentCommand<VectorsInput>[];
  readonly objects: SentCommand<S3Input>[];
  readonly bedrock: SentCommand<BedrockInput>[];
}

function refuseModelCalls(command: SentCommand<BedrockInput>): never {
  throw new Error(`this test expects no model call, got ${command.name}`);
}

export function isAssumeRole(input: object): input is AssumeRoleCommandInput {
  return 'RoleArn' in input && 'RoleSessionName' in input;
}

/** Each AssumeRole call as `{ role, TenantId, UserId }` (the role's name from its ARN). */
export function assumedSessions(
  sent: readonly SentCommand<StsInput>[],
): Array<Record<string, string | undefined>> {
  return sent
    .map((command) => command.input)
    .filter(isAssumeRole)
    .map((input) => ({
      role: input.RoleArn?.split('/').at(-1),
      ...Object.fromEntries((input.Tags ?? []).map((tag) => [tag.Key, tag.Value])),
    }));
}

/** The session tags of every AssumeRole call, as `{ TenantId, UserId }`. */
export function sessionTags(
  sent: readonly SentCommand<StsInput>[],
): Array<Record<string, string | undefined>> {
  return sent
    .map((command) => command.input)
    .filter(isAssumeRole)
    .map((input) => Object.fromEntries((input.Tags ?? []).map((tag) => [tag.Key, tag.Value])));
}

/** A control table holding `options.tenants` (GetItem) that answers writes with `options.controlWrites`. */
function staticRegistry(dynamodb: DynamoDBClient, options: FakeRuntimeOptions): SentCommand<DynamoInput>[] {
  return captureCommands(dynamodb, async (command) => {
    if (command.name === 'GetItemCommand' && 'Key' in command.input && command.input.Key !== undefined) {
      const { pk, sk } = unmarshall(command.input.Key);
      const tenant = options.tenants.find((record) => `tenant#${record.tenantId}` === pk);
      if (tenant !== undefined && sk === 'profile')
        return { ...metadata, Item: marshall({ ...tenant, pk, sk }) };
      return { ...metadata };
    }
    return options.controlWrites ? options.controlWrites(command) : { ...metadata };
  });
}

/** A stateful control table holding tenant records (as the registry stores them). */
export function memoryRegistry(tenants: readonly TenantRecord[]): MemoryTable {
  const registry = new MemoryTable();
  for (const tenant of tenants) {
    const key = { pk: `tenant#${tenant.tenantId}`, sk: 'profile' };
    registry.items.set(JSON.stringify([key.pk, key.sk]), { ...tenant, ...key });
  }
  return registry;
}

export function fakeRuntime(options: FakeRuntimeOptions): FakeRuntime {
  const dynamodb = new DynamoDBClient(offlineClientConfig);
  const control = options.registry
    ? captureShapedCommands(dynamodb, options.registry.respond)
    : staticRegistry(dynamodb, options);

  const stsClient = new STSClient(offlineClientConfig);
  let issued = 0;
  const sts = captureCommands(stsClient, () => {
    issued += 1;
    return {
      ...metadata,
      Credentials: {
        AccessKeyId: `ASIA${issued}`,
        SecretAccessKey: 's',
        SessionToken: 't',
        Expiration: new Date(Date.now() + 3_600_000),
      },
    };
  });

  const secretsManager = new SecretsManagerClient(offlineClientConfig);
  captureCommands(secretsManager, () => ({ ...metadata, SecretString: TAG_KEY }));

  const tenantData: SentCommand<DynamoInput>[] = [];
  const vectors: SentCommand<VectorsInput>[] = [];
  const objects: SentCommand<S3Input>[] = [];
  const bedrock: SentCommand<BedrockInput>[] = [];
  const runtime = new ServiceRuntime(
    options.config ?? TEST_CONFIG,
    {
      dynamodb,
      sts: stsClient,
      secretsManager,
      session: {
        dynamodb: (credentials) => {
          const client = new DynamoDBClient({ region: 'us-east-1', credentials });
          captureShapedCommands(client, options.tenantData ?? (() => ({ ...metadata })), tenantData);
          return client;
        },
        s3: (credentials) => {
          const client = new S3Client({ region: 'us-east-1', credentials });
          captureShapedCommands(client, options.objects ?? (() => ({ ...metadata })), objects);
          return client;
        },
        s3vectors: (credentials) => {
          const client = new S3VectorsClient({ region: 'us-east-1', credentials });
          captureShapedCommands(client, options.vectors ?? (() => ({ ...metadata })), vectors);
          return client;
        },
        bedrock: (credentials) => {
          const client = new BedrockRuntimeClient({ region: 'us-east-1', credentials });
          captureShapedCommands(client, options.bedrock ?? refuseModelCalls, bedrock);
          return client;
        },
        kms: (credentials) => {
          const client = new KMSClient({ region: 'us-east-1', credentials });
          captureShapedCommands(client, options.kms ?? memoryKms, []);
          return client;
        },
        secretsManager: (credentials) => {
          const client = new SecretsManagerClient({ region: 'us-east-1', credentials });
          captureShapedCommands(
            client,
            options.secrets ??
              ((command) => {
                throw new Error(`this test expects no tenant secret call, got ${command.name}`);
              }),
          );
          return client;
        },
      },
    },
    // Tests here count a request's exact commands; the member directory is tested on its own.
    { telemetry: options.telemetry ?? quietTelemetry(), modelRetry: INSTANT_RETRIES, recordMembers: false },
  );
  return { runtime, control, sts, tenantData, vectors, objects, bedrock };
}

/** A fake runtime whose tenant table, bucket and vector index keep state in memory. */
export function memoryRuntime(options: {
  readonly tenants: readonly TenantRecord[];
  /** A stateful control table (shared by runtimes standing for different functions); `tenants` then unused. */
  readonly registry?: MemoryTable;
  /** The tenant data table, when shared with another runtime. @default a new MemoryTable */
  readonly table?: MemoryTable;
  readonly telemetry?: Telemetry;
  readonly bedrock?: Responder<BedrockInput, object>;
  /** Commands (by name, e.g. `PutVectorsCommand`) that fail instead of being answered. */
  readonly failing?: readonly string[];
  /** @default TEST_CONFIG */
  readonly config?: ServiceConfig;
}) {
  const table = options.table ?? new MemoryTable();
  const bucket = new MemoryBucket();
  const index = new MemoryVectorIndex();
  const secrets = new MemorySecrets();
  const failing = new Set(options.failing ?? []);
  const unlessFailing =
    <Input>(respond: Responder<Input, object>): Responder<Input, object> =>
    (command) => {
      if (failing.has(command.name)) throw new Error(`${command.name} failed (test)`);
      return respond(command);
    };
  const fake = fakeRuntime({
    tenants: options.tenants,
    ...(options.registry === undefined ? {} : { registry: options.registry }),
    tenantData: unlessFailing(table.respond),
    objects: unlessFailing(bucket.respond),
    vectors: unlessFailing(index.respond),
    bedrock: unlessFailing(options.bedrock ?? refuseModelCalls),
    secrets: unlessFailing(secrets.respond),
    ...(options.telemetry === undefined ? {} : { telemetry: options.telemetry }),
    ...(options.config === undefined ? {} : { config: options.config }),
  });
  return { ...fake, table, bucket, index, secrets };
}

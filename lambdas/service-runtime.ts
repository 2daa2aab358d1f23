/**
 * The composition root of the HTTP functions: every long-lived collaborator
 * (SDK clients with the function's own credentials, the tenant session cache,
 * the registry view, the tenant tag key) is created here once per execution
 * environment. Handlers ask it for scoped clients; they never build SDK
 * clients themselves.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { STSClient } from '@aws-sdk/client-sts';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { ServiceConfig } from './config.js';
import { resolveRequestContext } from './http/request-context-middleware.js';
import { TenantDirectory } from './registry/tenant-directory.js';
import { TenantRegistry } from './registry/tenant-registry.js';
import { type RequestContext, tenantTagFor } from './tenancy/request-context.js';
import { ScopedBucket } from './tenancy/scoped-bucket.js';
import { ScopedEmbedder } from './tenancy/scoped-embedder.js';
import { ScopedModel } from './tenancy/scoped-model.js';
import { ScopedTable } from './tenancy/scoped-table.js';
import { ScopedVectorIndex } from './tenancy/scoped-vector-index.js';
import { type SessionClientFactory, sdkSessionClients } from './tenancy/session-clients.js';
import { type SessionSubject, TenantSessions } from './tenancy/tenant-session.js';
import { tenantTagKeyLoader } from './tenancy/tenant-tag-key.js';

/** The SDK clients that use the function's own credentials (control plane only). */
export interface FunctionClients {
  readonly dynamodb: DynamoDBClient;
  readonly sts: STSClient;
  readonly secretsManager: SecretsManagerClient;
  readonly session: SessionClientFactory;
}

function sdkFunctionClients(): FunctionClients {
  return {
    dynamodb: new DynamoDBClient({}),
    sts: new STSClient({}),
    secretsManager: new SecretsManagerClient({}),
    session: sdkSessionClients,
  };
}

export class ServiceRuntime {
  readonly registry: TenantRegistry;
  readonly directory: TenantDirectory;
  readonly sessions: TenantSessions;
  readonly #tagKey: () => Promise<string>;

  constructor(
    readonly config: ServiceConfig,
    clients: FunctionClients = sdkFunctionClients(),
  ) {
    this.registry = new TenantRegistry(clients.dynamodb, config.controlTableName);
    this.directory = new TenantDirectory(this.registry);
    this.sessions = new TenantSessions({
      sts: clients.sts,
      roleArn: config.tenantRoleArn,
      durationSeconds: config.tenantSessionSeconds,
      clients: clients.session,
    });
    this.#tagKey = tenantTagKeyLoader(clients.secretsManager, config.tenantTagSecretArn);
  }

  /** The opaque tag of a tenant id. */
  async tenantTag(tenantId: string): Promise<string> {
    return tenantTagFor(tenantId, await this.#tagKey());
  }

  /** The verified request context of an API Gateway event. */
  resolveContext(event: APIGatewayProxyEvent): Promise<RequestContext> {
    return resolveRequestContext(event, { directory: this.directory, tenantTag: (id) => this.tenantTag(id) });
  }

  async table(subject: SessionSubject): Promise<ScopedTable> {
    return ScopedTable.of(await this.sessions.sessionFor(subject), this.config.tenantTableName);
  }

  async bucket(subject: SessionSubject): Promise<ScopedBucket> {
    return ScopedBucket.of(await this.sessions.sessionFor(subject), this.config.tenantBucketName);
  }

  async vectorIndex(subject: SessionSubject): Promise<ScopedVectorIndex> {
    return ScopedVectorIndex.of(await this.sessions.sessionFor(subject), this.config.vectorBucketName);
  }

  /** The embedding model, called through the tenant session. */
  async embedder(subject: SessionSubject): Promise<ScopedEmbedder> {
    return ScopedEmbedder.of(await this.sessions.sessionFor(subject), this.config.embeddingModelId);
  }

  /** The model for a tenant: its registry choice, else the platform default. */
  async model(subject: SessionSubject): Promise<ScopedModel> {
    const [session, tenant] = await Promise.all([
      this.sessions.sessionFor(subject),
      this.directory.tenant(subject.tenantId),
    ]);
    return ScopedModel.of(session, tenant?.modelId ?? this.config.modelId);
  }
}

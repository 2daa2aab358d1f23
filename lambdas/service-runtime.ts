/**
 * The composition root of the HTTP functions: every long-lived collaborator
 * (SDK clients with the function's own credentials, the tenant session cache,
 * the registry view, the tenant tag key) is created here once per execution
 * environment. Handlers ask it for scoped clients; they never build SDK
 * clients themselves.
 */
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { STSClient } from '@aws-sdk/client-sts';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { BudgetGuard } from './admission/budget-guard.js';
import { ConnectorCallLimiter } from './admission/connector-call-limiter.js';
import { type AdmissionTicket, RequestAdmission } from './admission/request-admission.js';
import {
  type BudgetLimits,
  budgetFor,
  rateLimitsFor,
  TIER_CONNECTOR_CALLS_PER_MINUTE,
} from './admission/tier-limits.js';
import { AuditAccess } from './audit/audit-access.js';
import type { AuditTrail } from './audit/audit-trail.js';
import { vendedSessionOf } from './auth/vended-session.js';
import { ConfigurationError, dataPlaneOf, type ServiceConfig } from './config.js';
import { TokenVault } from './connections/token-vault.js';
import type { ConnectorCallGuard } from './connectors/connector-tools.js';
import type { OutboundPolicy } from './connectors/outbound-fetch.js';
import { TenantSecrets } from './connectors/tenant-secrets.js';
import { ModelCallGuard } from './guardrails/model-call-guard.js';
import { IDEMPOTENCY_COLLECTION } from './http/idempotency.js';
import { PageCursors } from './http/page-cursor.js';
import { resolveRequestContext } from './http/request-context-middleware.js';
import { Metering } from './metering/metering.js';
import { costNanoUsd } from './metering/price-table.js';
import type { ModelCatalog } from './models/model-catalog.js';
import { traced } from './observability/aws-client-tracing.js';
import { type Logger, SERVICE_NAME } from './observability/logger.js';
import { type RequestTelemetry, Telemetry } from './observability/telemetry.js';
import { type Retention, retentionFor } from './privacy/retention.js';
import { OffboardingRecords } from './registry/offboarding-records.js';
import { TenantDirectory } from './registry/tenant-directory.js';
import { placementOf } from './registry/tenant-record.js';
import { TenantRegistry } from './registry/tenant-registry.js';
import type { ModelFallbackOptions } from './resilience/model-fallback.js';
import { type Placement, partitionKey, TABLE_TTL_ATTRIBUTE } from './tenancy/key-layout.js';
import { actorTagFor, type RequestContext, tenantTagFor } from './tenancy/request-context.js';
import { ScopedBucket } from './tenancy/scoped-bucket.js';
import { ScopedEmbedder } from './tenancy/scoped-embedder.js';
import { ScopedModel } from './tenancy/scoped-model.js';
import { ScopedObjectVersions } from './tenancy/scoped-object-versions.js';
import { ScopedTable } from './tenancy/scoped-table.js';
import { ScopedVectorIndex } from './tenancy/scoped-vector-index.js';
import { type SessionClientFactory, sdkSessionClients } from './tenancy/session-clients.js';
import { type SessionSubject, TenantSessions } from './tenancy/tenant-session.js';
import { tenantTagKeyLoader } from './tenancy/tenant-tag-key.js';
import { tenantAccessSessions } from './tenant-access-sessions.js';

/** Metrics namespace of the functions' telemetry. */
export const TELEMETRY_NAMESPACE = 'Bulkhead';

export interface ServiceRuntimeOptions {
  /** @default Telemetry for SERVICE_NAME / TELEMETRY_NAMESPACE (Powertools, to stdout) */
  readonly telemetry?: Telemetry;
  /** Sleep, randomness and policy of the model retry layer (tests make them instant). */
  readonly modelRetry?: Omit<ModelFallbackOptions, 'signal' | 'onRetry'>;
  /**
   * Record each user with a new tenant session in the tenant's member directory (what tenant
   * erasure reads). The control function turns it off (its sessions are operators' in other
   * tenants, or users an admin acts on), and so do unit tests that count a request's exact commands.
   * @default true
   */
  readonly recordMembers?: boolean;
  /**
   * Where sessions learn a tenant's placement: the registry cache (`cached`, at most 15 s old: the
   * tenant API, whose requests a move holds), or a consistent registry read per session request
   * (`consistent`: the control function and the jobs, which act on tenants outside that hold).
   * @default 'cached'
   */
  readonly placement?: 'cached' | 'consistent';
}

/** The models a tenant may use: its primary one, and any model the platform picks (the tier's fallback). */
export interface TenantModels {
  readonly primaryModelId: string;
  modelWith(modelId: string): ScopedModel;
}

/** The SDK clients that use the function's own credentials (control plane only). */
export interface FunctionClients {
  readonly dynamodb: DynamoDBClient;
  readonly sts: STSClient;
  readonly secretsManager: SecretsManagerClient;
  readonly session: SessionClientFactory;
}

function sdkFunctionClients(): FunctionClients {
  return {
    dynamodb: traced(new DynamoDBClient({})),
    sts: traced(new STSClient({})),
    secretsManager: traced(new SecretsManagerClient({})),
    session: sdkSessionClients,
  };
}

export class ServiceRuntime {
  readonly registry: TenantRegistry;
  /** Offboarding state, erasure progress and receipts (control table). */
  readonly offboarding: OffboardingRecords;
  readonly directory: TenantDirectory;
  readonly sessions: TenantSessions;
  /** Sessions of the audit writer role (the only principal that writes audit trails). */
  readonly auditSessions: TenantSessions;
  /** Sessions of the user eraser role (control function only; undefined elsewhere). */
  readonly #eraserSessions: TenantSessions | undefined;
  /** Created once per execution environment; handlers log through its per-request loggers. */
  readonly telemetry: Telemetry;
  readonly #tagKey: () => Promise<string>;
  #pageCursors: { readonly key: string; readonly cursors: PageCursors } | undefined;
  readonly #modelRetry: ServiceRuntimeOptions['modelRetry'];
  /** Each admitted request's ticket, by its context (one object per request), for its model calls. */
  readonly #admitted = new WeakMap<RequestContext, AdmissionTicket>();

  constructor(
    readonly config: ServiceConfig,
    clients: FunctionClients = sdkFunctionClients(),
    options: ServiceRuntimeOptions = {},
  ) {
    this.telemetry =
      options.telemetry ?? new Telemetry({ serviceName: SERVICE_NAME, namespace: TELEMETRY_NAMESPACE });
    this.#modelRetry = options.modelRetry;
    this.registry = new TenantRegistry(clients.dynamodb, config.controlTableName);
    this.offboarding = new OffboardingRecords(clients.dynamodb, config.controlTableName);
    this.directory = new TenantDirectory(this.registry);
    const tenantPlacement =
      options.placement === 'consistent'
        ? (tenantId: string) => this.registry.placementOf(tenantId)
        : async (tenantId: string) => placementOf(await this.directory.tenant(tenantId));
    this.sessions = tenantAccessSessions(config, {
      sts: clients.sts,
      clients: clients.session,
      placementOf: tenantPlacement,
      ...(options.recordMembers === false ? { recordMembers: false } : {}),
    });
    this.auditSessions = new TenantSessions({
      sts: clients.sts,
      roleArn: config.auditRoleArn,
      placementOf: tenantPlacement,
      durationSeconds: config.tenantSessionSeconds,
      clients: clients.session,
    });
    this.#eraserSessions =
      config.eraserRoleArn === undefined
        ? undefined
        : new TenantSessions({
            sts: clients.sts,
            roleArn: config.eraserRoleArn,
            placementOf: tenantPlacement,
            durationSeconds: config.tenantSessionSeconds,
            clients: clients.session,
          });
    this.#tagKey = tenantTagKeyLoader(clients.secretsManager, config.tenantTagSecretArn);
  }

  /** The pagination cursor sealer, keyed from the tenant-tag secret (derived once). */
  async pageCursors(): Promise<PageCursors> {
    const key = await this.#tagKey();
    if (this.#pageCursors?.key !== key) this.#pageCursors = { key, cursors: new PageCursors(key) };
    return this.#pageCursors.cursors;
  }

  /** The opaque tag of a tenant id. */
  async tenantTag(tenantId: string): Promise<string> {
    return tenantTagFor(tenantId, await this.#tagKey());
  }

  /** The verified request context of an API Gateway event; `serves`: the placement a tenant API serves. */
  async resolveContext(event: APIGatewayProxyEvent, serves?: Placement): Promise<RequestContext> {
    const context = await resolveRequestContext(event, {
      directory: this.directory,
      tenantTag: (id) => this.tenantTag(id),
      ...(serves === undefined ? {} : { serves }),
    });
    // The session the authorizer vended for this token, if any: adopted, no STS call of our own.
    const vended = vendedSessionOf(event.requestContext.authorizer);
    if (vended !== undefined) this.sessions.adopt(context, vended.placement, vended.credentials);
    return context;
  }

  /** The subject's tenant table: its silo's when it is placed in one, else the pool's (as are bucket and index). */
  async table(subject: SessionSubject): Promise<ScopedTable> {
    const session = await this.sessions.sessionFor(subject);
    return ScopedTable.of(session, dataPlaneOf(this.config, session).tableName);
  }

  async bucket(subject: SessionSubject): Promise<ScopedBucket> {
    const session = await this.sessions.sessionFor(subject);
    return ScopedBucket.of(session, dataPlaneOf(this.config, session).bucketName);
  }

  async vectorIndex(subject: SessionSubject): Promise<ScopedVectorIndex> {
    const session = await this.sessions.sessionFor(subject);
    return ScopedVectorIndex.of(session, dataPlaneOf(this.config, session).vectorBucketName);
  }

  /** The embedding model, called through the tenant session. */
  async embedder(subject: SessionSubject): Promise<ScopedEmbedder> {
    return ScopedEmbedder.of(await this.sessions.sessionFor(subject), this.config.models.embeddingModel);
  }

  /**
   * The tenant's models through the tenant session: the tenant admin's choice (`preferred`, from
   * the agent settings), else the registry's, else the platform default — each only while the
   * catalogue still grants it (a model dropped from it falls back to the default, never fails).
   */
  async models(subject: SessionSubject, preferred?: string): Promise<TenantModels> {
    const [session, tenant] = await Promise.all([
      this.sessions.sessionFor(subject),
      this.directory.tenant(subject.tenantId),
    ]);
    const { chatModels } = this.config.models;
    const granted = (modelId: string | undefined) =>
      modelId !== undefined && chatModels.includes(modelId) ? modelId : undefined;
    return {
      primaryModelId: granted(preferred) ?? granted(tenant?.modelId) ?? chatModels[0],
      modelWith: (modelId) => ScopedModel.of(session, modelId),
    };
  }

  /**
   * Admits the request against the tenant's and the caller's limits (the
   * registry record's overrides, else the tier's): requests and tokens per
   * minute, requests in flight. Throws a 429 error; the ticket frees the
   * request's in-flight slot and, through the request's model call guard,
   * counts its tokens.
   */
  async admitRequest(context: RequestContext, leaseMs: number): Promise<AdmissionTicket> {
    const [table, tenant] = await Promise.all([this.table(context), this.directory.tenant(context.tenantId)]);
    const ticket = await new RequestAdmission(table).admit(
      rateLimitsFor(tenant ?? { tier: context.tier }),
      leaseMs,
    );
    this.#admitted.set(context, ticket);
    return ticket;
  }

  /** The tenant's monthly budget as admission enforces it: the registry record's own, else its tier's. */
  async budgetLimits(context: Pick<RequestContext, 'tenantId' | 'tier'>): Promise<BudgetLimits> {
    const tenant = await this.directory.tenant(context.tenantId);
    return budgetFor(tenant ?? { tier: context.tier }, this.config.models.fallbackModels);
  }

  /** The guard of one request's model calls: the tenant's budget, metering, the retry layer, telemetry. */
  async modelCallGuard(
    context: RequestContext,
    telemetry: RequestTelemetry | Logger,
  ): Promise<ModelCallGuard> {
    const [table, tenant, limits] = await Promise.all([
      this.table(context),
      this.directory.tenant(context.tenantId),
      this.budgetLimits(context),
    ]);
    const ticket = this.#admitted.get(context);
    const { prices } = this.config.models;
    return new ModelCallGuard({
      context,
      logger: telemetry,
      budget: new BudgetGuard(table, { prices }),
      limits,
      metering: new Metering(table, {
        prices,
        logger: telemetry,
        recordRetentionDays: retentionFor(tenant ?? { tier: context.tier }).usageRecordsDays,
      }),
      ...(this.#modelRetry === undefined ? {} : { retry: this.#modelRetry }),
      ...(ticket === undefined
        ? {}
        : {
            countTokens: (call) =>
              ticket.countTokens(call.inputTokens + call.outputTokens, { last: call.last === true }),
          }),
      onCall: (call) => {
        if (!('count' in telemetry)) return;
        telemetry.count('ModelInputTokens', call.inputTokens);
        telemetry.count('ModelOutputTokens', call.outputTokens);
        telemetry.milliseconds('ModelLatency', call.latencyMs);
        telemetry.count('ModelCostNanoUsd', costNanoUsd(prices, call.modelId, call));
      },
    });
  }

  /**
   * The subject's idempotency records: Powertools' DynamoDB layer over the
   * tenant table, through the subject's own session, in its private partition
   * (so IAM's LeadingKeys grant limits them to that user).
   */
  async idempotencyStore(subject: SessionSubject): Promise<DynamoDBPersistenceLayer> {
    const session = await this.sessions.sessionFor(subject);
    return new DynamoDBPersistenceLayer({
      tableName: dataPlaneOf(this.config, session).tableName,
      awsSdkV3Client: session.dynamodb,
      keyAttr: 'pk',
      sortKeyAttr: 'sk',
      staticPkValue: partitionKey(subject, 'private', IDEMPOTENCY_COLLECTION),
      expiryAttr: TABLE_TTL_ATTRIBUTE,
    });
  }

  /** Every stored version of the subject's private objects, through a user eraser session (control function only). */
  async objectVersions(subject: SessionSubject): Promise<ScopedObjectVersions> {
    if (this.#eraserSessions === undefined) throw new ConfigurationError('ERASER_ROLE_ARN is not set');
    const session = await this.#eraserSessions.sessionFor(subject);
    return ScopedObjectVersions.of(session, dataPlaneOf(this.config, session).bucketName);
  }

  /** The subject's tenant's own secrets (connector keys), through the subject's session. */
  async tenantSecrets(subject: SessionSubject): Promise<TenantSecrets> {
    const session = await this.sessions.sessionFor(subject);
    return new TenantSecrets(session.secretsManager, this.config.tenantSecretPrefix, subject.tenantId);
  }

  /** How long the caller's tenant keeps chat history, memory and usage records. */
  async retention(context: Pick<RequestContext, 'tenantId' | 'tier'>): Promise<Retention> {
    return retentionFor((await this.directory.tenant(context.tenantId)) ?? { tier: context.tier });
  }

  /** The models in use (the chat models tenants may choose among first) and their prices. */
  get modelCatalog(): ModelCatalog {
    return this.config.models;
  }

  /** The subject's token vault: seals and opens only under the subject's own tenant and user. */
  async tokenVault(subject: SessionSubject): Promise<TokenVault> {
    const session = await this.sessions.sessionFor(subject);
    return new TokenVault(session.kms, this.config.vaultKeyArn, subject);
  }

  /** The browser origins the deployment serves (CORS): where a web console's OAuth callback may be. */
  get corsOrigins(): readonly string[] {
    return this.config.corsOrigins;
  }

  /** Where connectors may be reached: public https in the cloud; loopback too in the local cloud. */
  get outboundPolicy(): OutboundPolicy {
    return { allowLoopback: this.config.connectorAllowLoopback };
  }

  /** The guard rails of one request's connector calls: the tenant's call rate, metering, logs. */
  async connectorCallGuard(context: RequestContext, logger: Logger): Promise<ConnectorCallGuard> {
    const [table, tenant] = await Promise.all([this.table(context), this.directory.tenant(context.tenantId)]);
    return {
      context,
      limiter: new ConnectorCallLimiter(table),
      callsPerMinute: TIER_CONNECTOR_CALLS_PER_MINUTE[tenant?.tier ?? context.tier],
      metering: new Metering(table, {
        prices: this.config.models.prices,
        logger,
        recordRetentionDays: retentionFor(tenant ?? { tier: context.tier }).usageRecordsDays,
      }),
      logger,
    };
  }

  /** The audit trail of the subject's tenant, through an audit writer session (no tenant session can write it). */
  async auditTrail(subject: SessionSubject): Promise<AuditTrail> {
    return (await this.auditAccess(subject)).trail;
  }

  /** What the subject's tenant's audit writer session reaches: trail, digests, the digests' public key. */
  async auditAccess(subject: SessionSubject): Promise<AuditAccess> {
    const [key, tenant] = await Promise.all([this.#tagKey(), this.directory.tenant(subject.tenantId)]);
    const { auditRecordsDays } = retentionFor(tenant ?? { tier: 'basic' });
    return AuditAccess.of(this.auditSessions, this.config, subject, key, auditRecordsDays);
  }

  /** The caller's opaque id in their tenant's audit trail. */
  async actorTag(subject: SessionSubject): Promise<string> {
    return actorTagFor(subject.tenantId, subject.userId, await this.#tagKey());
  }
}

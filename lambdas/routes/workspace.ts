/**
 * The caller's workspace: the domain services of one request, each built on
 * the scoped clients of the caller's own tenant session, with the request's
 * guard rails: model calls (chat turns and embeddings) go through the
 * request's ModelCallGuard, data writes through its audit trail.
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { converseStreamTurns, converseTurns, deadlineSignal, type TurnTaker } from '../agent/agent-loop.js';
import { type AgentSettings, AgentSettingsStore } from '../agent/agent-settings.js';
import { Approvals } from '../agent/approvals.js';
import { guardedTurns } from '../agent/guarded-turns.js';
import type { AgentTool, ToolServices } from '../agent/tool.js';
import { TOOLS } from '../agent/tool-catalog.js';
import { RequestAudit } from '../audit/request-audit.js';
import { mayTake } from '../authorization/action-table.js';
import { consoleCallbackUrls, oauthCallbackUrl } from '../connections/callback-url.js';
import { Connections } from '../connections/connections.js';
import type { StoredConnector } from '../connectors/connector-definition.js';
import { Connectors } from '../connectors/connector-store.js';
import { authHeaders, connectorTools } from '../connectors/connector-tools.js';
import type { ChatDependencies } from '../conversations/chat.js';
import { ChatSessions } from '../conversations/chat-sessions.js';
import { DocumentLibrary } from '../documents/document-library.js';
import { GuardedEmbedder } from '../guardrails/guarded-embedder.js';
import type { ModelCallGuard } from '../guardrails/model-call-guard.js';
import { deniedEvent, type HttpHandlerOptions } from '../http/http-handler.js';
import type { Router } from '../http/router.js';
import { LongTermMemory } from '../memory/long-term-memory.js';
import { MonthlyUsage } from '../metering/monthly-usage.js';
import { describeError, type Logger, redactIdentity } from '../observability/logger.js';
import type { UserDataSources } from '../privacy/user-export.js';
import type { ServiceRuntime } from '../service-runtime.js';
import type { RequestContext } from '../tenancy/request-context.js';
import type { ScopedTable } from '../tenancy/scoped-table.js';

/** Time kept back from the agent so the answer (or the timeout error) still gets out. */
export const DEADLINE_SAFETY_MARGIN_MS = 2_000;

export type WorkspaceRuntime = Pick<
  ServiceRuntime,
  | 'table'
  | 'bucket'
  | 'vectorIndex'
  | 'embedder'
  | 'models'
  | 'modelCallGuard'
  | 'budgetLimits'
  | 'corsOrigins'
  | 'auditTrail'
  | 'auditAccess'
  | 'pageCursors'
  | 'tenantSecrets'
  | 'outboundPolicy'
  | 'connectorCallGuard'
  | 'modelCatalog'
  | 'tokenVault'
  | 'actorTag'
  | 'retention'
>;

/** What a tenant-facing function's pipeline needs of the runtime. */
export type TenantFunctionRuntime = WorkspaceRuntime &
  Pick<ServiceRuntime, 'resolveContext' | 'admitRequest' | 'telemetry' | 'idempotencyStore'>;

/**
 * The pipeline options every tenant-facing function shares (the tenant API
 * and the streaming chat): identity, rate limits, idempotency, telemetry and
 * the denial audit; only the router differs.
 */
export function tenantPipeline(
  runtime: TenantFunctionRuntime,
  router: Router<RequestContext>,
  options: Pick<HttpHandlerOptions, 'logger' | 'environmentBinding' | 'corsOrigins'> = {},
): HttpHandlerOptions {
  return {
    router,
    // The silo API's tenant-isolated functions serve silo tenants; the pool's shared ones the rest.
    resolveContext: (event) =>
      runtime.resolveContext(event, options.environmentBinding === undefined ? 'pool' : 'silo'),
    admit: (context, leaseMs) => runtime.admitRequest(context, leaseMs),
    idempotencyStore: (context) => runtime.idempotencyStore(context),
    telemetry: runtime.telemetry,
    auditDenial: (scope, event) => auditFor(runtime, scope).note(deniedEvent(event)),
    ...options,
  };
}

/** Who is asking, where their request logs, and the request as API Gateway gave it. */
export interface RequestScope {
  readonly context: RequestContext;
  readonly logger: Logger;
  /** Where the caller reached the API (the OAuth callback URL is derived from it). */
  readonly event: APIGatewayProxyEvent;
}

/** The request's audit trail view (fail-closed writes, fail-open notes), opened on its first record. */
export function auditFor(
  runtime: Pick<ServiceRuntime, 'auditTrail'>,
  scope: Pick<RequestScope, 'context' | 'logger'>,
): RequestAudit {
  return new RequestAudit(() => runtime.auditTrail(scope.context), scope.context, scope.logger);
}

export async function memoryFor(runtime: WorkspaceRuntime, scope: RequestScope): Promise<LongTermMemory> {
  const [table, audit] = await Promise.all([runtime.table(scope.context), auditFor(runtime, scope)]);
  return new LongTermMemory(table, audit, {
    retentionDays: (await runtime.retention(scope.context)).memoryDays,
  });
}

/** The caller's approvals alone: listing or deciding one needs no model guard or document library. */
export async function approvalsFor(runtime: WorkspaceRuntime, scope: RequestScope): Promise<Approvals> {
  const [table, audit] = await Promise.all([runtime.table(scope.context), auditFor(runtime, scope)]);
  return new Approvals(table, audit);
}

/** The tenant's connectors, managed by its admins. */
export async function connectorsFor(runtime: WorkspaceRuntime, scope: RequestScope): Promise<Connectors> {
  const [table, secrets, audit] = await Promise.all([
    runtime.table(scope.context),
    runtime.tenantSecrets(scope.context),
    auditFor(runtime, scope),
  ]);
  return new Connectors({ table, secrets, audit, policy: runtime.outboundPolicy });
}

/** The caller's delegated connections (per-user OAuth), with the platform's callback as this request reached it. */
export async function connectionsFor(runtime: WorkspaceRuntime, scope: RequestScope): Promise<Connections> {
  const { context } = scope;
  const [table, secrets, vault, connectors, audit] = await Promise.all([
    runtime.table(context),
    runtime.tenantSecrets(context),
    runtime.tokenVault(context),
    connectorsFor(runtime, scope),
    auditFor(runtime, scope),
  ]);
  return new Connections({
    owner: context,
    table,
    secrets,
    vault,
    connectors,
    audit,
    policy: runtime.outboundPolicy,
    redirectUri: oauthCallbackUrl(scope.event),
    consoleRedirectUris: consoleCallbackUrls(runtime.corsOrigins),
  });
}

/** The request's tools: the built-in ones and, for callers who may use connectors, the tenant's connector tools. */
async function requestTools(
  runtime: WorkspaceRuntime,
  scope: RequestScope,
): Promise<ReadonlyArray<AgentTool<unknown>>> {
  if (!mayTake(scope.context, 'connectors.use')) return TOOLS;
  const [connectors, secrets] = await Promise.all([
    connectorsFor(runtime, scope),
    runtime.tenantSecrets(scope.context),
  ]);
  const stored = await connectors.list();
  if (stored.length === 0) return TOOLS;
  const guard = await runtime.connectorCallGuard(scope.context, scope.logger);
  let connections: Promise<Connections> | undefined;
  const headersFor = async (connector: StoredConnector): Promise<Record<string, string>> => {
    if (connector.auth.type !== 'oauth_user') return authHeaders(connector.auth, secrets);
    connections ??= connectionsFor(runtime, scope);
    return { authorization: `Bearer ${await (await connections).accessToken(connector)}` };
  };
  const tools = connectorTools(stored, { headersFor, policy: runtime.outboundPolicy, guard });
  return [...TOOLS, ...(tools as AgentTool<unknown>[])];
}

/** Everything the platform keeps of the scope's user, as the user export reads it (through that user's session). */
export async function userDataSourcesFor(
  runtime: WorkspaceRuntime,
  scope: RequestScope,
): Promise<UserDataSources> {
  const [table, sessions, memory, documents, approvals, connections] = await Promise.all([
    runtime.table(scope.context),
    sessionsFor(runtime, scope),
    memoryFor(runtime, scope),
    documentsFor(runtime, scope),
    approvalsFor(runtime, scope),
    connectionsFor(runtime, scope),
  ]);
  return {
    sessions,
    memory,
    documents,
    approvals,
    connections,
    usage: new MonthlyUsage(table, scope.context.userId),
  };
}

export async function sessionsFor(runtime: WorkspaceRuntime, scope: RequestScope): Promise<ChatSessions> {
  const [table, retention] = await Promise.all([
    runtime.table(scope.context),
    runtime.retention(scope.context),
  ]);
  return new ChatSessions(table, { retentionDays: retention.chatHistoryDays });
}

export async function documentsFor(
  runtime: WorkspaceRuntime,
  scope: Pick<RequestScope, 'context' | 'logger'>,
  guard?: ModelCallGuard,
): Promise<DocumentLibrary> {
  const { context, logger } = scope;
  const [table, bucket, vectors, embedder, modelGuard, audit] = await Promise.all([
    runtime.table(context),
    runtime.bucket(context),
    runtime.vectorIndex(context),
    runtime.embedder(context),
    guard ?? runtime.modelCallGuard(context, logger),
    auditFor(runtime, scope),
  ]);
  return new DocumentLibrary(context, {
    table,
    bucket,
    vectors,
    embedder: new GuardedEmbedder(embedder, modelGuard),
    audit,
  });
}

/** The caller's tools' services (and the tenant's agent settings), with the request's model guard. */
export async function toolServicesFor(
  runtime: WorkspaceRuntime,
  scope: RequestScope,
  guard: ModelCallGuard,
): Promise<{
  services: ToolServices;
  settings: AgentSettings;
  tools: ReadonlyArray<AgentTool<unknown>>;
  table: ScopedTable;
}> {
  const [table, documents, audit, retention] = await Promise.all([
    runtime.table(scope.context),
    documentsFor(runtime, scope, guard),
    auditFor(runtime, scope),
    runtime.retention(scope.context),
  ]);
  const [settings, tools] = await Promise.all([
    new AgentSettingsStore(table).get(),
    requestTools(runtime, scope),
  ]);
  return {
    table,
    settings,
    tools,
    services: {
      documents,
      memory: new LongTermMemory(table, audit, { retentionDays: retention.memoryDays }),
      usage: new MonthlyUsage(table, scope.context.userId),
      audit,
      approvals: new Approvals(table, audit),
    },
  };
}

/** Everything one chat turn needs, plain (`converse`) or streaming (`converseStream`). */
export async function chatDependencies(
  runtime: WorkspaceRuntime,
  scope: RequestScope,
  options: { remainingTimeMs: number; streaming: boolean },
): Promise<ChatDependencies> {
  const { context, logger } = scope;
  const guard = await runtime.modelCallGuard(context, logger);
  const { services, settings, tools, table } = await toolServicesFor(runtime, scope, guard);
  const models = await runtime.models(context, settings.modelId);
  const turnsWith = (modelId: string): TurnTaker =>
    options.streaming
      ? converseStreamTurns(models.modelWith(modelId))
      : converseTurns(models.modelWith(modelId));
  const redact = redactIdentity(context);
  return {
    context,
    sessions: new ChatSessions(table, {
      retentionDays: (await runtime.retention(context)).chatHistoryDays,
    }),
    services,
    settings,
    tools,
    takeTurn: guardedTurns(guard, models.primaryModelId, turnsWith),
    metered: () => guard.completed(),
    signal: deadlineSignal(options.remainingTimeMs, DEADLINE_SAFETY_MARGIN_MS),
    reportFailure: (what, err) =>
      logger.error(`chat ${what} failed`, {
        requestId: context.requestId,
        tenantTag: context.tenantTag,
        ...describeError(err, redact),
      }),
  };
}

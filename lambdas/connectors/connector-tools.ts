/**
 * A tenant's connectors as agent tools for one request. Each exposed tool
 * becomes `<connector>__<tool>`, offered only to the roles the tenant's map
 * names (within the `connectors.use` action), with the input schema pinned at
 * registration and checked by ajv before every call. A call is rate-limited
 * per tenant, metered, logged without names, arguments or results, and its
 * answer goes back to the model as untrusted data (the tool runner labels it
 * and audits the outcome). The connector's credential — the tenant's key, or the
 * calling user's own OAuth token — is read at call time, through the tenant
 * session, and sent only to the connector.
 */
import type { ConnectorCallLimiter } from '../admission/connector-call-limiter.js';
import type { AgentTool } from '../agent/tool.js';
import type { Metering } from '../metering/metering.js';
import type { Logger } from '../observability/logger.js';
import type { RequestContext } from '../tenancy/request-context.js';
import {
  type ConnectorClient,
  type ConnectorTarget,
  httpConnectorClient,
  mcpConnectorClient,
} from './connector-client.js';
import { namespacedToolName, type StoredAuth, type StoredConnector } from './connector-definition.js';
import { ConnectorCallError } from './errors.js';
import type { OutboundPolicy } from './outbound-fetch.js';
import type { TenantSecrets } from './tenant-secrets.js';
import { compiledToolSchema } from './tool-schema.js';

const MAX_DESCRIPTION = 1_000;

/** The request's guard rails around connector calls. */
export interface ConnectorCallGuard {
  readonly context: Pick<RequestContext, 'tenantTag' | 'requestId' | 'userId'>;
  readonly limiter: Pick<ConnectorCallLimiter, 'admit'>;
  readonly callsPerMinute: number;
  readonly metering: Pick<Metering, 'meterConnectorCall'>;
  readonly logger: Logger;
}

/**
 * The HTTP headers that carry a tenant-level connector's key (read from the tenant's secret). A
 * per-user OAuth connector's come from the user's connection instead (`connections/`).
 */
export async function authHeaders(
  auth: StoredAuth,
  secrets: Pick<TenantSecrets, 'get'>,
): Promise<Record<string, string>> {
  if (auth.type === 'none') return {};
  if (auth.type === 'oauth_user')
    throw new Error('a per-user connector’s token comes from the user’s connection');
  const key = await secrets.get(auth.secretName);
  return { [auth.header.toLowerCase()]: auth.scheme === 'bearer' ? `Bearer ${key}` : key };
}

/** Where and how to reach a connector, with its auth headers. */
export function targetOf(
  connector: Pick<StoredConnector, 'url' | 'timeoutMs' | 'maxResponseBytes'>,
  headers: Record<string, string>,
  policy: OutboundPolicy,
): ConnectorTarget {
  return {
    url: connector.url,
    headers,
    policy,
    limits: { timeoutMs: connector.timeoutMs, maxResponseBytes: connector.maxResponseBytes },
  };
}

/** The client of a connector, with its auth headers. */
export function clientFor(
  connector: Pick<StoredConnector, 'kind' | 'url' | 'operations' | 'timeoutMs' | 'maxResponseBytes'>,
  headers: Record<string, string>,
  policy: OutboundPolicy,
): ConnectorClient {
  const target = targetOf(connector, headers, policy);
  return connector.kind === 'mcp'
    ? mcpConnectorClient(target)
    : httpConnectorClient(target, connector.operations ?? []);
}

/** Every exposed tool of the tenant's connectors, for the catalog to filter by role. */
export function connectorTools(
  connectors: readonly StoredConnector[],
  dependencies: {
    /** The auth headers of a call: the tenant's key, or the calling user's own OAuth token. */
    readonly headersFor: (connector: StoredConnector) => Promise<Record<string, string>>;
    readonly policy: OutboundPolicy;
    readonly guard: ConnectorCallGuard;
  },
): AgentTool<Record<string, unknown>>[] {
  let callIndex = 0;
  // A connector's credential is read once per request (these tools live for one), however many calls it makes.
  const headers = new Map<string, Promise<Record<string, string>>>();
  const headersOf = (connector: StoredConnector) => {
    const known = headers.get(connector.name) ?? dependencies.headersFor(connector);
    headers.set(connector.name, known);
    return known;
  };
  return connectors.flatMap((connector) =>
    connector.tools.flatMap((exposed): AgentTool<Record<string, unknown>>[] => {
      const spec = connector.discovered.find((candidate) => candidate.name === exposed.name);
      if (spec === undefined) return [];
      const validate = compiledToolSchema(spec.inputSchema);
      return [
        {
          name: namespacedToolName(connector.name, spec.name),
          description: `[${connector.name}] ${spec.description}`.slice(0, MAX_DESCRIPTION),
          action: 'connectors.use',
          roles: exposed.roles,
          sideEffects: spec.sideEffects,
          requiresApproval: exposed.requiresApproval ?? false,
          inputJsonSchema: JSON.parse(JSON.stringify(spec.inputSchema)),
          parseInput: validate,
          async run(_context, input) {
            const index = callIndex;
            callIndex += 1;
            const result = await guardedCall(dependencies.guard, connector.name, index, async () => {
              const client = clientFor(connector, await headersOf(connector), dependencies.policy);
              return client.callTool(spec.name, input, AbortSignal.timeout(connector.timeoutMs));
            });
            if (result.isError)
              throw new ConnectorCallError('tool_error', 'the connector’s tool reported an error');
            return { data: result.content };
          },
        },
      ];
    }),
  );
}

/** Admits, times, meters and logs (outcome and latency only) one connector call. */
export async function guardedCall<T>(
  guard: ConnectorCallGuard,
  connector: string,
  callIndex: number,
  perform: () => Promise<T>,
): Promise<T> {
  await guard.limiter.admit(guard.callsPerMinute);
  const started = Date.now();
  let outcome = 'succeeded';
  try {
    return await perform();
  } catch (err) {
    outcome = err instanceof ConnectorCallError ? err.kind : 'failed';
    throw err;
  } finally {
    const latencyMs = Date.now() - started;
    await guard.metering.meterConnectorCall(guard.context, {
      requestId: guard.context.requestId,
      callIndex,
      connector,
      latencyMs,
    });
    guard.logger.info('connector call', {
      requestId: guard.context.requestId,
      tenantTag: guard.context.tenantTag,
      outcome,
      latencyMs,
    });
  }
}

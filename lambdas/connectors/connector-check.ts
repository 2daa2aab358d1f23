/**
 * "Test connection" for a stored connector: reach it as the agent would, with its stored
 * credential, and store nothing. A tenant-level connector (no auth, or the tenant's API key) is
 * asked for its tools — the same discovery as at registration — and the answer names the exposed
 * tools it no longer offers. An HTTP API's tools are its declared operations, which asks it
 * nothing, so it is first reached at its base URL (`reachHttpApi`: one GET with the stored
 * headers; any answer below 500 but 401/403 counts). A per-user OAuth connector has no
 * credential of the tenant's to reach it with (each user's token is their own), so its test is
 * its authorization server: the metadata at its issuer is reachable and names that issuer and
 * the stored endpoints. Whatever goes wrong on the connector's side is the answer (`ok: false`
 * and the reason), never an error of ours — a stored key that is gone too (reason
 * `credential`); Secrets Manager's own faults stay faults (503). The test is one connector call
 * (rate-limited, metered) with one deadline as a whole.
 */
import * as z from 'zod';
import { OAuthClient } from '../connections/oauth-client.js';
import { reachHttpApi } from './connector-client.js';
import type { StoredConnector } from './connector-definition.js';
import { authHeaders, type ConnectorCallGuard, clientFor, guardedCall, targetOf } from './connector-tools.js';
import { CONNECTOR_FAULTS, ConnectorCallError, ConnectorUrlError, SecretMissingError } from './errors.js';
import type { OutboundPolicy } from './outbound-fetch.js';
import type { TenantSecrets } from './tenant-secrets.js';

export const ConnectorCheckSchema = z
  .object({
    ok: z.boolean().describe('The connector (or its authorization server) answered as it should'),
    checked: z
      .enum(['tools', 'authorization_server'])
      .describe(
        '`tools`: the connector was reached with the tenant’s stored credential — an MCP server was asked for its tools; an HTTP API was sent one GET at its base URL (any answer from 200 to 499 but 401/403 counts as reachable; 401/403 is reason `credential`, a 5xx `http_status`) and its tools are its declared operations; `authorization_server`: a per-user OAuth connector’s authorization server metadata was read (no user token is used); it must name the stored issuer, authorization endpoint and token endpoint, else reason `protocol`',
      ),
    tools: z
      .array(z.string())
      .optional()
      .describe('Every tool the connector offers now (when ok and checked is tools)'),
    missingTools: z
      .array(z.string())
      .optional()
      .describe(
        'Exposed tools the connector no longer offers: calls to them fail (when ok and checked is tools)',
      ),
    issuer: z
      .string()
      .optional()
      .describe(
        'The issuer the authorization server’s metadata names (when ok and checked is authorization_server)',
      ),
    reason: z
      .enum(CONNECTOR_FAULTS)
      .optional()
      .describe('What went wrong on the connector’s side (when not ok)'),
    message: z.string().optional().describe('What went wrong, for people (when not ok)'),
  })
  .meta({
    id: 'ConnectorCheck',
    description: 'The outcome of testing a stored connector; nothing is stored',
  });
export type ConnectorCheck = z.infer<typeof ConnectorCheckSchema>;

export interface ConnectorCheckDependencies {
  readonly secrets: Pick<TenantSecrets, 'get'>;
  readonly policy: OutboundPolicy;
  /** The test is a connector call like the agent's: admitted by the tenant's rate, metered, logged. */
  readonly guard: ConnectorCallGuard;
  /** The test's deadline as a whole (the request's time, less a margin): past it, reason `timeout`. */
  readonly signal: AbortSignal;
}

/** Tests a stored connector (see the module's comment); throws only for faults of our own. */
export async function checkConnector(
  connector: StoredConnector,
  deps: ConnectorCheckDependencies,
): Promise<ConnectorCheck> {
  const checked = connector.auth.type === 'oauth_user' ? 'authorization_server' : 'tools';
  try {
    // The request's one connector call (index 0 of its metering records).
    return await guardedCall(deps.guard, connector.name, 0, async (): Promise<ConnectorCheck> => {
      if (connector.auth.type === 'oauth_user') {
        const { secretName: _secretName, ...settings } = connector.auth;
        // Reading public metadata needs no client secret.
        const { issuer } = await new OAuthClient(settings, undefined, deps.policy).metadata(deps.signal);
        return { ok: true, checked, issuer };
      }
      const headers = await authHeaders(connector.auth, deps.secrets);
      if (connector.kind === 'http')
        await reachHttpApi(targetOf(connector, headers, deps.policy), deps.signal);
      const offered = (await clientFor(connector, headers, deps.policy).listTools(deps.signal)).map(
        (tool) => tool.name,
      );
      const missingTools = connector.tools.map((tool) => tool.name).filter((name) => !offered.includes(name));
      return { ok: true, checked, tools: offered, missingTools };
    });
  } catch (err) {
    // However the step that was cut short reports it, the test as a whole ran out of time.
    if (deps.signal.aborted)
      return { ok: false, checked, reason: 'timeout', message: 'the connector did not answer in time' };
    if (err instanceof ConnectorCallError)
      return { ok: false, checked, reason: err.kind, message: err.message };
    // A URL the platform may no longer call (its outbound policy changed since registration).
    if (err instanceof ConnectorUrlError)
      return { ok: false, checked, reason: 'address', message: err.message };
    // The tenant's key was deleted or emptied behind the platform's back: set it again.
    if (err instanceof SecretMissingError)
      return {
        ok: false,
        checked,
        reason: 'credential',
        message: `the stored key cannot be read: ${err.message}`,
      };
    throw err;
  }
}

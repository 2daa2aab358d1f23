/**
 * An API request as `npm start`'s console shows it (a readable line, or a JSON line with
 * `--json`): the gateway's record without the raw path — a path holds ids (documents, sessions,
 * tenants in the control API) — but with the declared endpoint's template instead, or
 * `(unmatched)` for a path no endpoint declares.
 */
import type { GatewayRequestRecord } from './api-gateway/api-gateway.js';
import { endpointTemplate } from './endpoint-templates.js';

/** What the route is shown as when no declared endpoint has the request's path. */
export const UNMATCHED_ROUTE = '(unmatched)';

export type ApiRequestRecord = Omit<GatewayRequestRecord, 'tenantId' | 'path' | 'resource'> & {
  /** Which REST API served it. */
  readonly api: 'pool' | 'silo';
  /** The declared endpoint's template (`/v1/documents/{id}`), else `(unmatched)`; never the raw path. */
  readonly route: string;
  /** The caller's opaque tenant tag (as in the functions' logs), when the authorizer verified one. */
  readonly tenantTag: string | undefined;
};

/**
 * The console's record of a gateway record. The route is the template of the endpoint of that
 * method, else of any method at that path (a CORS preflight, a method the path lacks), else
 * `(unmatched)`.
 */
export function apiRequestRecord(
  { tenantId: _tenantId, path, resource: _resource, ...record }: GatewayRequestRecord,
  api: ApiRequestRecord['api'],
  tenantTag: string | undefined,
): ApiRequestRecord {
  const route = endpointTemplate(record.method, path) ?? endpointTemplate(undefined, path) ?? UNMATCHED_ROUTE;
  return { ...record, api, route, tenantTag };
}

/**
 * The declared endpoint behind a request path: `/v1/documents/{id}` for `GET /v1/documents/d-1`.
 * The REST APIs route through greedy resources (`/v1/{proxy+}`), so the gateway alone cannot
 * name the route; the functions' router can, from the same endpoint declarations it serves.
 */
import type { AnyEndpoint } from '../lambdas/http/endpoint.js';
import { Router } from '../lambdas/http/router.js';
import { isRecord } from '../lambdas/is-record.js';
import * as apiEndpoints from '../lambdas/routes/api-endpoints.js';
import { CONTROL_ENDPOINTS } from '../lambdas/routes/control-endpoints.js';

const isEndpoint = (value: unknown): value is AnyEndpoint =>
  isRecord(value) && typeof value.method === 'string' && typeof value.path === 'string';

const noHandler = () => Promise.reject(new Error('only matched, never run'));

/** One router per endpoint, in declaration order: the first that matches names the template. */
const ENDPOINTS: readonly AnyEndpoint[] = [
  ...Object.values(apiEndpoints).filter(isEndpoint),
  ...CONTROL_ENDPOINTS,
];
const MATCHERS = ENDPOINTS.map((endpoint) => ({
  path: endpoint.path,
  router: new Router<unknown>().implement(endpoint, noHandler),
}));

/** The path template of the endpoint `method path` reaches, or undefined when none does. */
export function endpointTemplate(method: string, path: string): string | undefined {
  for (const { path: template, router } of MATCHERS) {
    try {
      router.match(method, path);
      return template;
    } catch {
      // Not this endpoint (or not this method); the next may match.
    }
  }
  return undefined;
}

/**
 * The declared endpoint behind a request path: `/v1/documents/{id}` for `GET /v1/documents/d-1`.
 * The REST APIs route through greedy resources (`/v1/{proxy+}`), so the gateway alone cannot
 * name the route; the endpoint declarations the functions serve (and the document lists) can.
 */
import { pathFitsTemplate } from '../lambdas/http/router.js';
import { DOCUMENTED_ENDPOINTS } from '../lambdas/routes/api-document.js';

/**
 * The path template of the endpoint `method path` reaches (with `method` undefined, of any
 * method), or undefined when none does.
 */
export function endpointTemplate(method: string | undefined, path: string): string | undefined {
  const verb = method?.toUpperCase();
  return DOCUMENTED_ENDPOINTS.find(
    (endpoint) => (verb === undefined || endpoint.method === verb) && pathFitsTemplate(endpoint.path, path),
  )?.path;
}

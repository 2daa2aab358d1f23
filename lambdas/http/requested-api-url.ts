/**
 * The API's base URL as the caller reached it: API Gateway's scheme (`X-Forwarded-Proto`), host
 * and any base path (the stage, or a custom domain's mapping) before the route's own path. The
 * OAuth callback URL and the OpenAPI document's `servers` are derived from it.
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { requestHeader } from './request-headers.js';

export function requestedApiUrl(event: APIGatewayProxyEvent): string {
  const scheme = requestHeader(event, 'x-forwarded-proto') ?? 'https';
  const host = requestHeader(event, 'host') ?? event.requestContext.domainName ?? 'localhost';
  const requested = event.requestContext.path ?? event.path;
  const basePath = requested.endsWith(event.path)
    ? requested.slice(0, requested.length - event.path.length)
    : '';
  return `${scheme}://${host}${basePath}`;
}

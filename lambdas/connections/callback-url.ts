/**
 * The platform's OAuth callback URL as the caller reached the API: API Gateway's scheme
 * (`X-Forwarded-Proto`), host and any base path (the stage, or a custom domain's mapping) before
 * the route's own path. It is registered with each connector's authorization server, and the URL
 * a sign-in starts with is kept with its state, so the code exchange repeats it exactly.
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { requestHeader } from '../http/request-headers.js';

export const OAUTH_CALLBACK_PATH = '/v1/oauth/callback';

export function oauthCallbackUrl(event: APIGatewayProxyEvent): string {
  const scheme = requestHeader(event, 'x-forwarded-proto') ?? 'https';
  const host = requestHeader(event, 'host') ?? event.requestContext.domainName ?? 'localhost';
  const requested = event.requestContext.path ?? event.path;
  const basePath = requested.endsWith(event.path)
    ? requested.slice(0, requested.length - event.path.length)
    : '';
  return `${scheme}://${host}${basePath}${OAUTH_CALLBACK_PATH}`;
}

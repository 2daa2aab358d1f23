/**
 * CORS for the configured browser origins (docs/identity.md#cors). API Gateway answers the
 * preflights (lib/tenant-api.ts builds them from these constants); the functions put the
 * allow-origin on their actual responses, only when the request's `Origin` is one of the
 * configured origins, exactly, and always with `Vary: Origin` once any origin is configured.
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { OVERHEAD_HEADER } from '../observability/request-timing.js';
import { IDEMPOTENCY_KEY_HEADER, IDEMPOTENCY_REPLAYED_HEADER } from './idempotency.js';
import { requestHeader } from './request-headers.js';

/** The request headers a browser client sends besides the CORS-safelisted ones. */
export const CORS_ALLOWED_HEADERS = ['Authorization', 'Content-Type', IDEMPOTENCY_KEY_HEADER] as const;

/** Every method the API serves. */
export const CORS_ALLOWED_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/** The response headers a client script needs to read (the safelisted ones are readable anyway). */
export const CORS_EXPOSED_HEADERS = [
  'Retry-After',
  IDEMPOTENCY_REPLAYED_HEADER,
  OVERHEAD_HEADER,
  'Allow',
  'x-amzn-RequestId',
] as const;

/** How long a browser may reuse a preflight answer (Chromium caps it at 2 hours). */
export const CORS_MAX_AGE_SECONDS = 3600;

/** The CORS headers of a response to `event`: none when no origin is configured. */
export function corsHeaders(
  event: Pick<APIGatewayProxyEvent, 'headers'>,
  allowedOrigins: readonly string[],
): Record<string, string> {
  if (allowedOrigins.length === 0) return {};
  const origin = requestHeader(event, 'origin');
  if (origin === undefined || !allowedOrigins.includes(origin)) return { vary: 'Origin' };
  return {
    'access-control-allow-origin': origin,
    'access-control-expose-headers': CORS_EXPOSED_HEADERS.join(', '),
    vary: 'Origin',
  };
}

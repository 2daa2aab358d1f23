/**
 * The tenant and user ids a request names besides its caller's — an admin
 * route's target, in the path (`{tenantId}`, `{userId}`) or the body
 * (`tenantId`, `userId`) — so an error logged for that request redacts them
 * too (DESIGN invariant 6).
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { isRecord } from '../is-record.js';
import type { NamedIdentifiers } from '../observability/logger.js';

function jsonBody(event: Pick<APIGatewayProxyEvent, 'body' | 'isBase64Encoded'>): unknown {
  if (event.body === null || event.body === '') return undefined;
  try {
    return JSON.parse(
      event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body,
    );
  } catch {
    return undefined;
  }
}

/** The ids named by the route's path parameters and the body's `tenantId` / `userId` fields. */
export function namedIdentifiers(
  event: Pick<APIGatewayProxyEvent, 'body' | 'isBase64Encoded'>,
  params: Readonly<Record<string, string>>,
): NamedIdentifiers {
  const body = jsonBody(event);
  const field = (name: string) => (isRecord(body) && typeof body[name] === 'string' ? [body[name]] : []);
  const param = (name: string) => (params[name] === undefined ? [] : [params[name]]);
  return {
    tenantIds: [...param('tenantId'), ...field('tenantId')],
    userIds: [...param('userId'), ...field('userId')],
  };
}

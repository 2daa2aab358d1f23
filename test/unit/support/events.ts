/** API Gateway REST proxy events for unit tests. */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { callerIdentity } from '../../../local/api-gateway/proxy-event.js';

/** The authorizer always sets the token's expiry; events here carry one far ahead unless told. */
const FAR_FUTURE_EXPIRY = String(Date.UTC(2100, 0, 1) / 1000);

function withTokenExpiry(authorizer: Record<string, unknown> | null): Record<string, unknown> | null {
  return authorizer === null ? null : { tokenExpiresAt: FAR_FUTURE_EXPIRY, ...authorizer };
}

export function proxyEvent(overrides: {
  method?: string;
  path?: string;
  body?: string | null;
  authorizer?: Record<string, unknown> | null;
  requestId?: string;
  /** @default content-type application/json when there is a body, else none */
  headers?: Record<string, string>;
}): APIGatewayProxyEvent {
  return {
    httpMethod: overrides.method ?? 'GET',
    path: overrides.path ?? '/v1/me',
    resource: '/v1/{proxy+}',
    body: overrides.body ?? null,
    isBase64Encoded: false,
    headers:
      overrides.headers ??
      (overrides.body === undefined || overrides.body === null ? {} : { 'content-type': 'application/json' }),
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      authorizer: withTokenExpiry(
        overrides.authorizer === undefined
          ? { tenantId: 'acme', userId: 'alice', roles: 'reader' }
          : overrides.authorizer,
      ),
      protocol: 'HTTP/1.1',
      httpMethod: overrides.method ?? 'GET',
      identity: callerIdentity('127.0.0.1', null),
      path: overrides.path ?? '/v1/me',
      stage: 'prod',
      requestId: overrides.requestId ?? 'req-1',
      requestTimeEpoch: 0,
      resourceId: 'r1',
      resourcePath: '/v1/{proxy+}',
    },
  };
}

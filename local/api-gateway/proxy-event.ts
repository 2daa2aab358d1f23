/** Builds the REST API proxy-integration (v1) event API Gateway sends a Lambda function. */
import type { APIGatewayProxyEvent } from 'aws-lambda';

export interface IncomingCall {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Buffer;
  readonly sourceIp: string;
}

export interface RouteMatch {
  readonly resourcePath: string;
  readonly pathParameters: Readonly<Record<string, string>>;
}

export const STAGE = 'local';

/** The event's identity block for a caller that is known only by address (TOKEN-authorized APIs). */
export function callerIdentity(
  sourceIp: string,
  userAgent: string | null,
): APIGatewayProxyEvent['requestContext']['identity'] {
  return {
    accessKey: null,
    accountId: null,
    apiKey: null,
    apiKeyId: null,
    caller: null,
    clientCert: null,
    cognitoAuthenticationProvider: null,
    cognitoAuthenticationType: null,
    cognitoIdentityId: null,
    cognitoIdentityPoolId: null,
    principalOrgId: null,
    sourceIp,
    user: null,
    userAgent,
    userArn: null,
  };
}
export const API_ID = 'bulkheadlocal';

export function proxyEvent(
  call: IncomingCall,
  route: RouteMatch,
  authorizer: Record<string, unknown>,
  requestId: string,
  accountId: string,
): APIGatewayProxyEvent {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(call.headers)) {
    if (value === undefined) continue;
    const values = Array.isArray(value) ? value : [value];
    headers[name] = values.join(',');
    multiValueHeaders[name] = values;
  } // API Gateway tells the function the scheme the client used.
  headers['x-forwarded-proto'] = 'http';
  multiValueHeaders['x-forwarded-proto'] = ['http'];

  const query: Record<string, string> = {};
  const multiValueQuery: Record<string, string[]> = {};
  for (const name of new Set(call.query.keys())) {
    const values = call.query.getAll(name);
    query[name] = values.at(-1) ?? '';
    multiValueQuery[name] = values;
  }
  const hasQuery = Object.keys(query).length > 0;
  const isText =
    call.body.length === 0 || /json|text|xml|form/.test(headers['content-type'] ?? 'application/json');
  return {
    resource: route.resourcePath,
    path: call.path,
    httpMethod: call.method,
    headers,
    multiValueHeaders,
    queryStringParameters: hasQuery ? query : null,
    multiValueQueryStringParameters: hasQuery ? multiValueQuery : null,
    pathParameters: Object.keys(route.pathParameters).length > 0 ? { ...route.pathParameters } : null,
    stageVariables: null,
    body: call.body.length === 0 ? null : call.body.toString(isText ? 'utf8' : 'base64'),
    isBase64Encoded: !isText,
    requestContext: {
      accountId,
      apiId: API_ID,
      authorizer,
      httpMethod: call.method,
      identity: callerIdentity(call.sourceIp, headers['user-agent'] ?? null),
      // The path as the client asked for it: the local API is served without a stage prefix.
      path: call.path,
      protocol: 'HTTP/1.1',
      requestId,
      requestTimeEpoch: Date.now(),
      resourceId: route.resourcePath,
      resourcePath: route.resourcePath,
      stage: STAGE,
    },
  };
}

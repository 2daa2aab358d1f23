/**
 * The local API Gateway: serves the template's REST API routes on 127.0.0.1. For each call it
 * runs the TOKEN authorizer function, checks the policy it returns against the method ARN,
 * then runs the route's function with a v1 proxy event whose `requestContext.authorizer` is
 * the authorizer's context. Authorizer answers are cached per token for the template's TTL, as
 * API Gateway does (authorizer-cache.ts).
 * A STREAM integration (Lambda response streaming) is invoked with streaming and its bytes go
 * to the client as the function writes them, so Server-Sent Events arrive incrementally.
 * An integration that maps `X-Amz-Tenant-Id` from the authorizer context invokes its
 * tenant-isolated function in that tenant's own worker. A MOCK method (a CORS preflight) is
 * answered from its integration response (mock-integration.ts), without authorizer or function;
 * gateway error answers carry the headers their GatewayResponse maps.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { inspect } from 'node:util';
import type { APIGatewayAuthorizerResult, APIGatewayProxyResult } from 'aws-lambda';
import { TENANT_ID_CONTEXT_KEY } from '../../lambdas/auth/authorizer-policy.js';
import type { MockRouteSpec, RouteSpec } from '../../lib/template/local-resolution.js';
import { closeServer, LOOPBACK, listenOnLoopback, readBody } from '../net.js';
import { AuthorizerCache } from './authorizer-cache.js';
import type { FunctionOutput } from './function-host.js';
import type { FunctionHosts } from './function-hosts.js';
import { type GatewaySettings, gatewayResponseHeaders, renderGatewayResponse } from './gateway-settings.js';
import { mockResponse } from './mock-integration.js';
import { API_ID, type IncomingCall, proxyEvent, type RouteMatch, STAGE } from './proxy-event.js';
import { StreamedResponseWriter } from './streamed-response.js';

export interface ApiGatewayOptions {
  readonly routes: readonly RouteSpec[];
  /** Methods the gateway answers itself (MOCK integrations). @default none */
  readonly mockRoutes?: readonly MockRouteSpec[];
  /** The workers that serve each function (per tenant for tenant-isolated functions). */
  readonly functions: FunctionHosts;
  readonly settings: GatewaySettings;
  readonly region: string;
  readonly accountId: string;
  /** Told of every request once its response has ended (the `npm start` console's one line per request). */
  readonly onRequest?: (record: GatewayRequestRecord) => void;
  /**
   * Where the gateway logs its own failures, with the whole error (stack, cause): a line of the
   * functions' captured logs, as `GATEWAY_LOG_NAME` (so `--json` and the inspector's `/logs`
   * have it). Without it, stderr. @default stderr
   */
  readonly output?: FunctionOutput;
}

/** The name the gateway's own lines carry among the functions' captured logs. */
export const GATEWAY_LOG_NAME = 'api-gateway';

/** One served request, as an access log line would hold it. */
export interface GatewayRequestRecord {
  readonly requestId: string;
  readonly method: string;
  /** The request's path, as sent. */
  readonly path: string;
  /** The matched API resource (`/v1/{proxy+}`), or the path when no resource matched. */
  readonly resource: string;
  readonly status: number;
  readonly latencyMs: number;
  /** The verified tenant id from the authorizer's context, when the route has an authorizer and it allowed. */
  readonly tenantId: string | undefined;
  /** Why the gateway answered 5xx itself (the function failed or crashed). */
  readonly failure: string | undefined;
}

/** What `serve` learns about a request, for its record. */
interface RequestFacts {
  readonly requestId: string;
  resource?: string;
  tenantId?: string;
  failure?: string;
}

export interface ApiGateway {
  readonly endpoint: string;
  /** Its authorizer cache (tests read its hit and miss counts). */
  readonly authorizerCache: AuthorizerCache;
  stop(): Promise<void>;
}

type GatewayRoute =
  | { readonly kind: 'lambda'; readonly spec: RouteSpec }
  | { readonly kind: 'mock'; readonly spec: MockRouteSpec };

interface CompiledRoute {
  readonly route: GatewayRoute;
  readonly spec: Pick<RouteSpec, 'method' | 'path'>;
  readonly pattern: RegExp;
  readonly parameterNames: readonly string[];
  readonly literalLength: number;
}

/** Starts the gateway on `port` (0 = any free port). */
export async function startApiGateway(options: ApiGatewayOptions, port = 0): Promise<ApiGateway> {
  // Most specific route first, as API Gateway prefers literal path parts over greedy ones.
  const routes = [
    ...options.routes.map((spec): GatewayRoute => ({ kind: 'lambda', spec })),
    ...(options.mockRoutes ?? []).map((spec): GatewayRoute => ({ kind: 'mock', spec })),
  ]
    .map(compileRoute)
    .sort((a, b) => b.literalLength - a.literalLength);
  const authorizerCache = new AuthorizerCache(options.settings.authorizerCacheSeconds);
  const server = createServer((incoming, outgoing) => {
    const requestId = randomUUID();
    const started = performance.now();
    const facts: RequestFacts = { requestId };
    const { onRequest } = options;
    if (onRequest !== undefined)
      outgoing.once('close', () => {
        const path = new URL(incoming.url ?? '/', 'http://gateway').pathname;
        onRequest({
          requestId,
          method: incoming.method ?? 'GET',
          path,
          resource: facts.resource ?? path,
          status: outgoing.statusCode,
          latencyMs: Math.round(performance.now() - started),
          tenantId: facts.tenantId,
          failure: facts.failure,
        });
      });
    serve({ ...options, authorizerCache }, routes, incoming, outgoing, requestId, facts).catch(
      (err: unknown) => {
        reportFailure(options, facts, 'api gateway: internal error', err);
        respondError(
          { settings: options.settings, incoming, outgoing, requestId },
          502,
          'DEFAULT_5XX',
          'Internal server error',
        );
      },
    );
  });
  const boundPort = await listenOnLoopback(server, port);
  return {
    endpoint: `http://${LOOPBACK}:${boundPort}`,
    authorizerCache,
    stop: () => closeServer(server),
  };
}

async function serve(
  options: ApiGatewayOptions & { readonly authorizerCache: AuthorizerCache },
  routes: readonly CompiledRoute[],
  incoming: IncomingMessage,
  outgoing: ServerResponse,
  requestId: string,
  facts: RequestFacts,
): Promise<void> {
  const exchange: Exchange = { settings: options.settings, incoming, outgoing, requestId };
  const url = new URL(incoming.url ?? '/', 'http://gateway');
  // API Gateway refuses a path it cannot decode before any route, authorizer or function runs.
  if (!isDecodablePath(url.pathname))
    return respondError(exchange, 400, 'BAD_REQUEST_PARAMETERS', 'Invalid request path');
  const declaredLength = Number(incoming.headers['content-length'] ?? 0);
  if (declaredLength > MAX_PAYLOAD_BYTES)
    return respondError(exchange, 413, 'REQUEST_TOO_LARGE', 'Request Too Large');
  const call: IncomingCall = {
    method: incoming.method ?? 'GET',
    path: url.pathname,
    query: url.searchParams,
    headers: incoming.headers,
    body: await readBody(incoming),
    sourceIp: incoming.socket.remoteAddress ?? LOOPBACK,
  };
  const found = matchRoute(routes, call);
  if (found === undefined) {
    return respondError(exchange, 403, 'MISSING_AUTHENTICATION_TOKEN', 'Missing Authentication Token');
  }
  facts.resource = found.route.spec.path;
  if (found.route.kind === 'mock') {
    const answer = mockResponse(found.route.spec, incoming.headers);
    outgoing.writeHead(answer.statusCode, { ...answer.headers, 'x-amzn-requestid': requestId });
    outgoing.end();
    return;
  }
  const route = { spec: found.route.spec };
  const { match } = found;
  let authorizer: Record<string, unknown> = {};
  if (route.spec.authorizerFunctionLogicalId !== undefined) {
    const token = incoming.headers.authorization;
    if (token === undefined || !(options.settings.identityValidation?.test(token) ?? true)) {
      return respondError(exchange, 401, 'UNAUTHORIZED', 'Unauthorized');
    }
    const methodArn = `arn:aws:execute-api:${options.region}:${options.accountId}:${API_ID}/${STAGE}/${call.method}${call.path}`;
    let answer: APIGatewayAuthorizerResult;
    try {
      const authorizerId = route.spec.authorizerFunctionLogicalId;
      answer = await options.authorizerCache.answer(token, async () => {
        const authorizerHost = await options.functions.host(authorizerId, undefined);
        return (await authorizerHost.invoke({
          type: 'TOKEN',
          authorizationToken: token,
          methodArn,
        })) as APIGatewayAuthorizerResult;
      });
    } catch {
      // A TOKEN authorizer signals "Unauthorized" by throwing; any other failure is also a 401 here.
      return respondError(exchange, 401, 'UNAUTHORIZED', 'Unauthorized');
    }
    if (!policyAllows(answer, methodArn)) {
      return respondError(exchange, 403, 'ACCESS_DENIED', 'User is not authorized to access this resource');
    }
    authorizer = { ...answer.context, principalId: answer.principalId };
    const tenantId = answer.context?.[TENANT_ID_CONTEXT_KEY];
    if (typeof tenantId === 'string') facts.tenantId = tenantId;
  }
  const event = proxyEvent(call, match, authorizer, requestId, options.accountId);
  // The integration's `X-Amz-Tenant-Id` mapping: a verified value, never the client's.
  const mappedTenantId =
    route.spec.tenantIdFrom === undefined ? undefined : authorizer[route.spec.tenantIdFrom];
  const invocation = {
    logicalId: route.spec.functionLogicalId,
    tenantId: typeof mappedTenantId === 'string' ? mappedTenantId : undefined,
  };
  if (route.spec.streaming) {
    return streamResponse(options, invocation, event, incoming, outgoing, requestId, facts);
  }
  let result: APIGatewayProxyResult;
  try {
    const host = await options.functions.host(invocation.logicalId, invocation.tenantId);
    result = (await host.invoke(event)) as APIGatewayProxyResult;
  } catch (err) {
    reportFailure(options, facts, `api gateway: function ${route.spec.functionLogicalId} failed`, err);
    return respondError(exchange, 502, 'DEFAULT_5XX', 'Internal server error');
  }
  const headers: Record<string, string | string[]> = {
    ...(result.multiValueHeaders as Record<string, string[]>),
  };
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name] = String(value);
  outgoing.writeHead(result.statusCode, { ...headers, 'x-amzn-requestid': requestId });
  outgoing.end(result.isBase64Encoded === true ? Buffer.from(result.body, 'base64') : result.body);
}

/** Invokes with response streaming and passes the bytes on as they come. */
async function streamResponse(
  options: ApiGatewayOptions,
  invocation: { readonly logicalId: string; readonly tenantId: string | undefined },
  event: unknown,
  incoming: IncomingMessage,
  outgoing: ServerResponse,
  requestId: string,
  facts: RequestFacts,
): Promise<void> {
  const writer = new StreamedResponseWriter(outgoing, requestId);
  try {
    const host = await options.functions.host(invocation.logicalId, invocation.tenantId);
    await host.invokeStreaming(event, writer);
    writer.finish();
  } catch (err) {
    reportFailure(options, facts, `api gateway: streaming function ${invocation.logicalId} failed`, err);
    if (writer.started) writer.abort();
    else
      respondError(
        { settings: options.settings, incoming, outgoing, requestId },
        502,
        'DEFAULT_5XX',
        'Internal server error',
      );
  }
}

/**
 * A failure's short message goes into the request's record (the console's request line); the
 * whole error — stack and cause — into the captured logs as one ERROR line in the functions' JSON
 * log shape (echoed when they are), or to stderr when the gateway has no log output.
 */
function reportFailure(
  options: Pick<ApiGatewayOptions, 'output'>,
  facts: RequestFacts,
  what: string,
  err: unknown,
): void {
  facts.failure = `${what}: ${err instanceof Error ? err.message : String(err)}`;
  const { output } = options;
  if (output === undefined) {
    console.error(what, err);
    return;
  }
  const line = JSON.stringify({
    level: 'ERROR',
    timestamp: new Date().toISOString(),
    service: GATEWAY_LOG_NAME,
    message: what,
    requestId: facts.requestId,
    errorName: err instanceof Error ? err.name : typeof err,
    errorMessage: err instanceof Error ? err.message : String(err),
    // util.inspect prints the stack and the cause chain, as console.error would.
    error: inspect(err, { depth: 6 }),
  });
  output.logs.append(GATEWAY_LOG_NAME, 'stderr', line);
  if (output.echo) process.stderr.write(`${line}\n`);
}

function compileRoute(route: GatewayRoute): CompiledRoute {
  const { spec } = route;
  const parameterNames: string[] = [];
  let literalLength = 0;
  const source = spec.path
    .split('/')
    .map((part) => {
      const parameter = /^\{(\w+)(\+?)\}$/.exec(part);
      if (parameter?.[1] === undefined) {
        literalLength += part.length + 1;
        return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      }
      parameterNames.push(parameter[1]);
      return parameter[2] === '+' ? '(.+)' : '([^/]+)';
    })
    .join('/');
  return { route, spec, pattern: new RegExp(`^${source}$`), parameterNames, literalLength };
}

function matchRoute(
  routes: readonly CompiledRoute[],
  call: IncomingCall,
): { route: GatewayRoute; match: RouteMatch } | undefined {
  // As in API Gateway, the most specific matching resource wins; a method it lacks is not
  // looked for on a greedy parent resource; on the resource, its own method before ANY.
  const resource = routes.find((route) => route.pattern.test(call.path))?.spec.path;
  const onResource = routes.filter((route) => route.spec.path === resource);
  const exact = onResource.find((route) => route.spec.method === call.method);
  for (const route of exact === undefined ? onResource : [exact]) {
    if (route.spec.method !== 'ANY' && route.spec.method !== call.method) continue;
    const match = route.pattern.exec(call.path);
    if (match === null) continue;
    const pathParameters: Record<string, string> = {};
    route.parameterNames.forEach((name, n) => {
      pathParameters[name] = decodeURIComponent(match[n + 1] ?? '');
    });
    return { route: route.route, match: { resourcePath: route.spec.path, pathParameters } };
  }
  return undefined;
}

/** True when the authorizer's policy allows execute-api:Invoke on the method ARN and nothing denies it. */
function policyAllows(answer: APIGatewayAuthorizerResult, methodArn: string): boolean {
  const statements = answer.policyDocument?.Statement ?? [];
  const applies = (statement: (typeof statements)[number]): boolean => {
    const actions = 'Action' in statement ? [statement.Action].flat() : [];
    const resources = 'Resource' in statement ? [statement.Resource].flat() : [];
    return (
      actions.some((action) => wildcardMatch(String(action), 'execute-api:Invoke')) &&
      resources.some((resource) => wildcardMatch(String(resource), methodArn))
    );
  };
  const matching = statements.filter(applies);
  return matching.some((s) => s.Effect === 'Allow') && !matching.some((s) => s.Effect === 'Deny');
}

function wildcardMatch(pattern: string, value: string): boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`).test(value);
}

/** API Gateway REST's request payload quota. */
const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;

/** True when every path segment is valid percent-encoding of UTF-8 (`%ZZ`, a lone `%`, `%C0%AF` are not). */
function isDecodablePath(pathname: string): boolean {
  try {
    for (const segment of pathname.split('/')) decodeURIComponent(segment);
    return true;
  } catch {
    return false;
  }
}

/** One request in the gateway's hands: where its answer goes, and what names it. */
interface Exchange {
  readonly settings: GatewaySettings;
  readonly incoming: IncomingMessage;
  readonly outgoing: ServerResponse;
  readonly requestId: string;
}

/** Answers with one of API Gateway's own errors (its gateway response: template and headers). */
function respondError(
  { settings, incoming, outgoing, requestId }: Exchange,
  status: number,
  responseType: string,
  message: string,
): void {
  if (outgoing.headersSent) {
    outgoing.end();
    return;
  }
  const fallback = status >= 500 ? 'DEFAULT_5XX' : 'DEFAULT_4XX';
  outgoing.writeHead(status, {
    ...gatewayResponseHeaders(settings, responseType, fallback, incoming.headers),
    'content-type': 'application/json',
    'x-amzn-requestid': requestId,
  });
  outgoing.end(renderGatewayResponse(settings, responseType, fallback, message, requestId));
}

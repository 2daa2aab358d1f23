/**
 * THE request pipeline every HTTP function shares, buffered or streamed
 * (STYLE 18): serve a public endpoint (the API's own description) without a
 * context, or else resolve the request context, match the route, authorize the
 * route's action from the one authorization table, admit the request (rate
 * limits), run the route handler — once per `Idempotency-Key` for writes —
 * and map any error in one place. Only the
 * writer differs: a buffered function collects the response into API
 * Gateway's proxy result, a streaming one writes it to Lambda's response
 * stream as it comes. Once the context is known, everything is logged through
 * the request's telemetry (tenant tag only), which also gets one latency
 * metric and one status metric per request.
 */
import { randomUUID } from 'node:crypto';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context as LambdaContext } from 'aws-lambda';
import type { AuditEvent } from '../audit/audit-chain.js';
import { authorizeAction } from '../authorization/action-table.js';
import { jsonLogger, type Logger, redactIdentity } from '../observability/logger.js';
import { OVERHEAD_HEADER, withRequestTiming } from '../observability/request-timing.js';
import { errorNameOf, type RequestTelemetry } from '../observability/telemetry.js';
import type { RequestContext } from '../tenancy/request-context.js';
import { corsHeaders } from './cors.js';
import type { EnvironmentBinding } from './environment-binding.js';
import { errorResponse, isAccessDenial } from './error-response.js';
import { idempotencyKeyOf, runIdempotently } from './idempotency.js';
import { namedIdentifiers } from './named-identifiers.js';
import { authorizerIdentity } from './request-context-middleware.js';
import { isEventStream, type RouteResult, serverSentEvent } from './route-result.js';
import type { Router } from './router.js';

export interface HttpHandlerOptions {
  readonly router: Router<RequestContext>;
  resolveContext(event: APIGatewayProxyEvent): Promise<RequestContext>;
  /**
   * Admits the request (rate, token and in-flight limits) for at most `leaseMs`; throws (e.g.
   * RateLimitedError) to refuse it. What it answers is released once the response is out.
   */
  admit?(context: RequestContext, leaseMs: number): Promise<AdmittedRequest>;
  /** Records a refused request (403) in the tenant's audit trail; must not throw (fail open). */
  auditDenial?(
    scope: { context: RequestContext; logger: Logger },
    event: APIGatewayProxyEvent,
  ): Promise<void>;
  /** Where the caller's idempotency records live; without it, `Idempotency-Key` is not honoured. */
  idempotencyStore?(context: RequestContext): Promise<BasePersistenceLayer>;
  /** Per-request logger and metrics, once the context is known. */
  readonly telemetry?: { forRequest(context: RequestContext): RequestTelemetry };
  /** Logs what happens before the context is known (and everything without telemetry). @default jsonLogger */
  readonly logger?: Logger;
  /**
   * The tenant binding of a tenant-isolated execution environment: checked first, before any
   * handler work. @default - none (a pooled environment serves every tenant)
   */
  readonly environmentBinding?: EnvironmentBinding;
  /**
   * Browser origins allowed to read the responses (CORS): each response to one of them carries
   * its allow-origin. @default - none (no CORS headers)
   */
  readonly corsOrigins?: readonly string[];
}

/** An admitted request's hold on its tenant's in-flight slots. */
export interface AdmittedRequest {
  /** Frees the request's slot (no write when its last model call already did); may throw. */
  release(): Promise<void>;
}

const MAX_AUDITED_PATH = 512;

/** The audit record of a request refused with 403: method and path only (ids inside the tenant, no content). */
export function deniedEvent(event: Pick<APIGatewayProxyEvent, 'httpMethod' | 'path'>): AuditEvent {
  return {
    kind: 'access_denied',
    action: `http.${event.httpMethod.toLowerCase()}`,
    resource: event.path.slice(0, MAX_AUDITED_PATH),
    outcome: 'denied',
  };
}

/** The time budget assumed when no Lambda context is given (direct calls in tests). */
export const DEFAULT_TIME_BUDGET_MS = 30_000;

/** A response body being written. */
export interface ResponseWriter {
  write(chunk: string): void;
  end(): void;
}

/** Sends the status line and headers, then returns the body writer (Lambda's HttpResponseStream.from). */
export type OpenResponse = (statusCode: number, headers: Record<string, string>) => ResponseWriter;

/** What the pipeline reads of Lambda's context: the time left and, in tenant isolation mode, the tenant. */
type RemainingTime = Pick<LambdaContext, 'getRemainingTimeInMillis' | 'tenantId'>;

export type HttpHandler = (
  event: APIGatewayProxyEvent,
  lambdaContext?: RemainingTime,
) => Promise<APIGatewayProxyResult>;

export type StreamingHttpHandler = (
  event: APIGatewayProxyEvent,
  open: OpenResponse,
  lambdaContext?: RemainingTime,
) => Promise<void>;

/** The pipeline with a streaming writer (Lambda response streaming). */
export function createStreamingHttpHandler(options: HttpHandlerOptions): StreamingHttpHandler {
  const baseLogger = options.logger ?? jsonLogger;
  return (event, open, lambdaContext) =>
    withRequestTiming(Date.now(), (overheadMs) =>
      runPipeline(
        options,
        baseLogger,
        event,
        headersOn(open, overheadMs, corsHeaders(event, options.corsOrigins ?? [])),
        lambdaContext,
      ),
    );
}

/**
 * The response opener with the CORS headers and the request's overhead so far on every response,
 * errors included (for an event stream: up to its first event; the model's and tools' time is not
 * counted).
 */
function headersOn(
  open: OpenResponse,
  overheadMs: () => number,
  cors: Readonly<Record<string, string>>,
): OpenResponse {
  return (statusCode, headers) =>
    open(statusCode, { ...headers, ...cors, [OVERHEAD_HEADER]: String(overheadMs()) });
}

async function runPipeline(
  options: HttpHandlerOptions,
  baseLogger: Logger,
  event: APIGatewayProxyEvent,
  open: OpenResponse,
  lambdaContext: RemainingTime | undefined,
): Promise<void> {
  const startedAt = Date.now();
  const remainingTimeMs = () =>
    lambdaContext?.getRemainingTimeInMillis() ?? DEFAULT_TIME_BUDGET_MS - (Date.now() - startedAt);
  // API Gateway always sends a request id; the fallback only labels the error of a malformed event.
  const requestId = event.requestContext?.requestId ?? randomUUID();
  let tenantTag: string | undefined;
  let params: Readonly<Record<string, string>> = {};
  let telemetry: RequestTelemetry | undefined;
  let context: RequestContext | undefined;
  let writer: ResponseWriter | undefined;
  let admitted: AdmittedRequest | undefined;
  let status = 500;
  try {
    // A public endpoint (the API's description) is served without a context: no token, no tenant.
    const publicRoute = options.router.matchPublic(event.httpMethod, event.path);
    let result: RouteResult;
    if (publicRoute !== undefined) {
      params = publicRoute.params;
      result = await publicRoute.handler({ event, params, logger: baseLogger });
    } else {
      options.environmentBinding?.admit(authorizerIdentity(event).tenantId, lambdaContext?.tenantId);
      const resolved = await options.resolveContext(event);
      context = resolved;
      tenantTag = context.tenantTag;
      telemetry = options.telemetry?.forRequest(context);
      const route = options.router.match(event.httpMethod, event.path);
      params = route.params;
      // A route that names a tenant (`{tenantId}`) is authorized on that tenant.
      authorizeAction(context, route.action, route.params.tenantId);
      const idempotencyKey = idempotencyKeyOf(event);
      admitted = await options.admit?.(context, remainingTimeMs());
      const runRoute = () =>
        route.handler({
          event,
          context: resolved,
          params: route.params,
          remainingTimeMs,
          logger: telemetry ?? baseLogger,
        });
      result =
        idempotencyKey === undefined || options.idempotencyStore === undefined
          ? await runRoute()
          : await runIdempotently(
              {
                key: idempotencyKey,
                event,
                store: await options.idempotencyStore(resolved),
                remainingTimeMs,
              },
              runRoute,
            );
    }
    if (isEventStream(result)) {
      for await (const { name, data } of result.events) {
        // The stream opens with its first event, so a failure before it (an unknown session,
        // a refused model call) still gets its own status code and JSON error body.
        writer ??= open(200, { ...result.headers });
        writer.write(serverSentEvent(name, data));
      }
      status = 200;
      // A stream that produced nothing is our bug: answered below as a 500.
      if (writer === undefined) throw new Error('the event stream ended without events');
      writer.end();
    } else {
      status = result.statusCode;
      const response = open(result.statusCode, stringHeaders(result.headers));
      response.write(result.body);
      response.end();
    }
  } catch (err) {
    if (context !== undefined && isAccessDenial(err))
      await options.auditDenial?.({ context, logger: telemetry ?? baseLogger }, event);
    // The redactor covers the caller and the ids the request names (an admin route's target).
    const response = errorResponse(err, requestId, {
      logger: telemetry ?? baseLogger,
      fields: { tenantTag, method: event.httpMethod, resource: event.resource },
      ...(context === undefined ? {} : { redact: redactIdentity(context, namedIdentifiers(event, params)) }),
    });
    if (writer === undefined) {
      status = response.statusCode;
      const errorWriter = open(response.statusCode, stringHeaders(response.headers));
      errorWriter.write(response.body);
      errorWriter.end();
    } else {
      // Headers are gone: the failure travels as the stream's last event.
      writer.write(serverSentEvent('error', JSON.parse(response.body)));
      writer.end();
    }
  }
  await admitted
    ?.release()
    .catch((err: unknown) =>
      (telemetry ?? baseLogger).error('in-flight release failed', { tenantTag, errorName: errorNameOf(err) }),
    );
  telemetry?.finish(status, Date.now() - startedAt);
}

/** The pipeline with a buffering writer: API Gateway's proxy result (an event stream is sent whole). */
export function createHttpHandler(options: HttpHandlerOptions): HttpHandler {
  const pipeline = createStreamingHttpHandler(options);
  return async (event, lambdaContext) => {
    let result: APIGatewayProxyResult = { statusCode: 500, headers: {}, body: '' };
    const chunks: string[] = [];
    await pipeline(
      event,
      (statusCode, headers) => {
        result = { statusCode, headers, body: '' };
        return { write: (chunk) => chunks.push(chunk), end: () => undefined };
      },
      lambdaContext,
    );
    return { ...result, body: chunks.join('') };
  };
}

function stringHeaders(headers: APIGatewayProxyResult['headers']): Record<string, string> {
  return Object.fromEntries(Object.entries(headers ?? {}).map(([name, value]) => [name, String(value)]));
}

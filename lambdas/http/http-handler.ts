/**
 * The shape every HTTP function shares: resolve the request context, check
 * the function-wide access rule, admit the request (rate limits), route, run
 * the route handler, and map any error in one place. Once the context is
 * known, everything is logged through the request's telemetry (tenant tag
 * only), which also gets one latency metric and one status metric per request.
 */
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context as LambdaContext } from 'aws-lambda';
import type { AuditEvent } from '../audit/audit-chain.js';
import { jsonLogger, type Logger, type Redactor, redactIdentity } from '../observability/logger.js';
import type { RequestTelemetry } from '../observability/telemetry.js';
import type { RequestContext } from '../tenancy/request-context.js';
import { errorResponse, isAccessDenial } from './error-response.js';
import type { Router } from './router.js';

export interface HttpHandlerOptions {
  readonly router: Router<RequestContext>;
  resolveContext(event: APIGatewayProxyEvent): Promise<RequestContext>;
  /** Throws (e.g. ForbiddenError) when the caller may not use this function at all. */
  authorize?(context: RequestContext): void;
  /** Counts the request against rate limits; throws (e.g. RateLimitedError) to refuse it. */
  admit?(context: RequestContext): Promise<void>;
  /** Records a refused request (403) in the tenant's audit trail; must not throw (fail open). */
  auditDenial?(
    scope: { context: RequestContext; logger: Logger },
    event: APIGatewayProxyEvent,
  ): Promise<void>;
  /** Per-request logger and metrics, once the context is known. */
  readonly telemetry?: { forRequest(context: RequestContext): RequestTelemetry };
  /** Logs what happens before the context is known (and everything without telemetry). @default jsonLogger */
  readonly logger?: Logger;
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

export type HttpHandler = (
  event: APIGatewayProxyEvent,
  lambdaContext?: Pick<LambdaContext, 'getRemainingTimeInMillis'>,
) => Promise<APIGatewayProxyResult>;

/** Builds a Lambda handler for API Gateway REST proxy events. */
export function createHttpHandler(options: HttpHandlerOptions): HttpHandler {
  const baseLogger = options.logger ?? jsonLogger;
  return async (event, lambdaContext) => {
    const startedAt = Date.now();
    const remainingTimeMs = () =>
      lambdaContext?.getRemainingTimeInMillis() ?? DEFAULT_TIME_BUDGET_MS - (Date.now() - startedAt);
    // API Gateway always sends a request id; the fallback only labels the error of a malformed event.
    const requestId = event.requestContext?.requestId ?? randomUUID();
    let tenantTag: string | undefined;
    let redact: Redactor | undefined;
    let telemetry: RequestTelemetry | undefined;
    let context: RequestContext | undefined;
    let response: APIGatewayProxyResult;
    try {
      context = await options.resolveContext(event);
      tenantTag = context.tenantTag;
      redact = redactIdentity(context);
      telemetry = options.telemetry?.forRequest(context);
      options.authorize?.(context);
      await options.admit?.(context);
      const route = options.router.match(event.httpMethod, event.path);
      response = await route.handler({
        event,
        context,
        params: route.params,
        remainingTimeMs,
        logger: telemetry ?? baseLogger,
      });
    } catch (err) {
      if (context !== undefined && isAccessDenial(err))
        await options.auditDenial?.({ context, logger: telemetry ?? baseLogger }, event);
      response = errorResponse(err, requestId, {
        logger: telemetry ?? baseLogger,
        fields: { tenantTag, method: event.httpMethod, resource: event.resource },
        ...(redact === undefined ? {} : { redact }),
      });
    }
    telemetry?.finish(response.statusCode, Date.now() - startedAt);
    return response;
  };
}

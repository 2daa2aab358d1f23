/**
 * The shape every HTTP function shares: resolve the request context, check
 * the function-wide access rule, route, run the route handler, and map any
 * error in one place.
 */
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context as LambdaContext } from 'aws-lambda';
import { jsonLogger, type Logger, type Redactor, redactIdentity } from '../observability/logger.js';
import type { RequestContext } from '../tenancy/request-context.js';
import { errorResponse } from './error-response.js';
import type { Router } from './router.js';

export interface HttpHandlerOptions {
  readonly router: Router<RequestContext>;
  resolveContext(event: APIGatewayProxyEvent): Promise<RequestContext>;
  /** Throws (e.g. ForbiddenError) when the caller may not use this function at all. */
  authorize?(context: RequestContext): void;
  /** @default jsonLogger */
  readonly logger?: Logger;
}

/** The time budget assumed when no Lambda context is given (direct calls in tests). */
export const DEFAULT_TIME_BUDGET_MS = 30_000;

export type HttpHandler = (
  event: APIGatewayProxyEvent,
  lambdaContext?: Pick<LambdaContext, 'getRemainingTimeInMillis'>,
) => Promise<APIGatewayProxyResult>;

/** Builds a Lambda handler for API Gateway REST proxy events. */
export function createHttpHandler(options: HttpHandlerOptions): HttpHandler {
  const logger = options.logger ?? jsonLogger;
  return async (event, lambdaContext) => {
    const startedAt = Date.now();
    const remainingTimeMs = () =>
      lambdaContext?.getRemainingTimeInMillis() ?? DEFAULT_TIME_BUDGET_MS - (Date.now() - startedAt);
    // API Gateway always sends a request id; the fallback only labels the error of a malformed event.
    const requestId = event.requestContext?.requestId ?? randomUUID();
    let tenantTag: string | undefined;
    let redact: Redactor | undefined;
    try {
      const context = await options.resolveContext(event);
      tenantTag = context.tenantTag;
      redact = redactIdentity(context);
      options.authorize?.(context);
      const route = options.router.match(event.httpMethod, event.path);
      return await route.handler({ event, context, params: route.params, remainingTimeMs });
    } catch (err) {
      return errorResponse(err, requestId, {
        logger,
        fields: { tenantTag, method: event.httpMethod, resource: event.resource },
        ...(redact === undefined ? {} : { redact }),
      });
    }
  };
}

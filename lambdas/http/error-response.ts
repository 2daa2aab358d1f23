/**
 * The ONE mapping from errors to HTTP responses. Every 4xx/5xx body is
 * `{ "error": { "code", "message", "requestId" } }`; a 500 logs the detail
 * and returns a generic message (DESIGN invariant 8).
 */
import type { APIGatewayProxyResult } from 'aws-lambda';
import { BudgetExceededError, RateLimitedError } from '../admission/errors.js';
import { AgentDeadlineError } from '../agent/errors.js';
import { SessionNotFoundError } from '../conversations/errors.js';
import { DocumentNotFoundError, DocumentPermissionError } from '../documents/errors.js';
import { FactNotFoundError } from '../memory/errors.js';
import { describeError, type LogFields, type Logger, type Redactor } from '../observability/logger.js';
import { TenantExistsError, TenantNotFoundError } from '../registry/errors.js';
import { ModelUnavailableError } from '../resilience/errors.js';
import { ScopedKeyError } from '../tenancy/errors.js';
import { HttpError, MethodNotAllowedError } from './errors.js';
import { jsonResponse } from './response.js';

interface ClientFault {
  readonly status: number;
  readonly code: string;
  readonly message: string;
  /** Sent as `Retry-After` (seconds). */
  readonly retryAfterSeconds?: number;
}

/** Domain errors that are the caller's fault, with their HTTP meaning. */
function clientFault(err: unknown): ClientFault | undefined {
  if (err instanceof HttpError) return { status: err.status, code: err.code, message: err.message };
  if (err instanceof TenantExistsError) return { status: 409, code: 'tenant_exists', message: err.message };
  if (err instanceof TenantNotFoundError)
    return { status: 404, code: 'tenant_not_found', message: err.message };
  if (err instanceof FactNotFoundError) return { status: 404, code: 'not_found', message: err.message };
  if (err instanceof ScopedKeyError) return { status: 400, code: 'invalid_key', message: err.message };
  if (err instanceof DocumentNotFoundError || err instanceof SessionNotFoundError)
    return { status: 404, code: 'not_found', message: err.message };
  if (err instanceof DocumentPermissionError) return { status: 403, code: 'forbidden', message: err.message };
  if (err instanceof AgentDeadlineError)
    return { status: 504, code: 'deadline_exceeded', message: err.message };
  if (err instanceof BudgetExceededError)
    return { status: 402, code: 'budget_exceeded', message: err.message };
  if (err instanceof RateLimitedError)
    return {
      status: 429,
      code: 'rate_limited',
      message: err.message,
      retryAfterSeconds: err.retryAfterSeconds,
    };
  if (err instanceof ModelUnavailableError)
    return {
      status: 503,
      code: 'model_unavailable',
      message: err.message,
      retryAfterSeconds: err.retryAfterSeconds,
    };
  // Bedrock's throttling (matched by name: this module stays free of SDK imports) is a temporary refusal.
  if (err instanceof Error && err.name === 'ThrottlingException')
    return { status: 503, code: 'model_busy', message: 'the model is busy; retry shortly' };
  return undefined;
}

/** True when the error means "you may not" (a 403): such refusals are audited as access_denied. */
export function isAccessDenial(err: unknown): boolean {
  return clientFault(err)?.status === 403;
}

export const INTERNAL_ERROR_MESSAGE = 'Internal server error';

export interface ErrorLogging {
  readonly logger: Logger;
  /** Extra fields; never raw tenant or user ids. */
  readonly fields?: LogFields;
  /** Applied to the logged error text of a 500. */
  readonly redact?: Redactor;
}

/** The response for any thrown value. */
export function errorResponse(err: unknown, requestId: string, logging: ErrorLogging): APIGatewayProxyResult {
  const { logger, fields: logFields = {} } = logging;
  const fault = clientFault(err);
  if (fault === undefined) {
    logger.error('request failed', { requestId, ...logFields, ...describeError(err, logging.redact) });
    return jsonResponse(500, {
      error: { code: 'internal_error', message: INTERNAL_ERROR_MESSAGE, requestId },
    });
  }
  logger.info('request refused', { requestId, ...logFields, status: fault.status, code: fault.code });
  const response = jsonResponse(fault.status, {
    error: { code: fault.code, message: fault.message, requestId },
  });
  if (err instanceof MethodNotAllowedError)
    response.headers = { ...response.headers, allow: err.allowed.join(', ') };
  if (fault.retryAfterSeconds !== undefined)
    response.headers = { ...response.headers, 'retry-after': String(fault.retryAfterSeconds) };
  return response;
}

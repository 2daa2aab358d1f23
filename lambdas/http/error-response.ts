/**
 * The ONE mapping from errors to HTTP responses. Every 4xx/5xx body is
 * `{ "error": { "code", "message", "requestId" } }`. A ClientError is the
 * caller's fault (4xx); a DependencyError, or an SDK error that stands for a
 * dependency that is down, throttling or slow, is a 503/504 with
 * `Retry-After`; anything else is our bug: a 500 that logs the detail and
 * returns a generic message (DESIGN invariants 8 and 12).
 */
import type { APIGatewayProxyResult } from 'aws-lambda';
import { ClientError, DependencyError } from '../error-families.js';
import { describeError, type LogFields, type Logger, type Redactor } from '../observability/logger.js';
import { type DependencyFault, dependencyFaultOf } from '../resilience/dependency-faults.js';
import { MethodNotAllowedError } from './errors.js';
import { jsonResponse } from './response.js';

interface Fault {
  readonly status: number;
  readonly code: string;
  readonly message: string;
  /** Sent as `Retry-After` (seconds). */
  readonly retryAfterSeconds?: number;
}

/** Seconds a client should wait after an unrecognised-but-transient dependency fault. */
export const DEPENDENCY_RETRY_AFTER_SECONDS = 2;

const DEPENDENCY_FAULTS: Readonly<Record<DependencyFault, Fault>> = {
  unavailable: {
    status: 503,
    code: 'dependency_unavailable',
    message: 'a service the platform depends on is unavailable; retry after Retry-After seconds',
    retryAfterSeconds: DEPENDENCY_RETRY_AFTER_SECONDS,
  },
  timeout: {
    status: 504,
    code: 'dependency_timeout',
    message: 'a service the platform depends on did not answer in time; retry after Retry-After seconds',
    retryAfterSeconds: DEPENDENCY_RETRY_AFTER_SECONDS,
  },
};

/** The HTTP meaning of an error; undefined for our own bugs (500). */
function faultOf(err: unknown): Fault | undefined {
  if (err instanceof ClientError || err instanceof DependencyError)
    return {
      status: err.status,
      code: err.code,
      message: err.message,
      ...(err.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: err.retryAfterSeconds }),
    };
  const dependencyFault = dependencyFaultOf(err);
  return dependencyFault === undefined ? undefined : DEPENDENCY_FAULTS[dependencyFault];
}

/** True when the error means "you may not" (a 403): such refusals are audited as access_denied. */
export function isAccessDenial(err: unknown): boolean {
  return faultOf(err)?.status === 403;
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
  const fault = faultOf(err);
  if (fault === undefined) {
    logger.error('request failed', { requestId, ...logFields, ...describeError(err, logging.redact) });
    return jsonResponse(500, {
      error: { code: 'internal_error', message: INTERNAL_ERROR_MESSAGE, requestId },
    });
  }
  const outcome = { requestId, ...logFields, status: fault.status, code: fault.code };
  if (fault.status >= 500)
    logger.error('dependency fault', { ...outcome, ...describeError(err, logging.redact) });
  else logger.info('request refused', outcome);
  const response = jsonResponse(fault.status, {
    error: { code: fault.code, message: fault.message, requestId },
  });
  if (err instanceof MethodNotAllowedError)
    response.headers = { ...response.headers, allow: err.allowed.join(', ') };
  if (fault.retryAfterSeconds !== undefined)
    response.headers = { ...response.headers, 'retry-after': String(fault.retryAfterSeconds) };
  return response;
}

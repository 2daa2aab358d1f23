/**
 * Recognises a dependency's fault in an error thrown by an SDK call, by the
 * error's shape (name, HTTP status, `$fault`, socket error code) — so the
 * domain stays free of SDK imports. Used by the model retry layer (what is
 * worth retrying) and by the error mapping (503/504 instead of 500).
 */
import { isRecord } from '../is-record.js';

/** `unavailable`: down, refusing, throttling or failing (503); `timeout`: too slow (504). */
export type DependencyFault = 'unavailable' | 'timeout';

const THROTTLING_OR_OUTAGE_NAMES = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'SlowDown',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalServerError',
  'InternalServerException',
  'InternalFailure',
  'InternalError',
  'ModelNotReadyException',
  // Bedrock's model-side failures (424, and a ConverseStream broken mid-answer): retrying may succeed.
  'ModelErrorException',
  'ModelStreamErrorException',
  'TransactionInProgressException',
  // Cognito answers these with HTTP 400, yet they pass with time: its request-rate quota was hit
  // (also the name other services give a limit), or the invitation e-mail could not be sent.
  'LimitExceededException',
  'CodeDeliveryFailureException',
]);

const TIMEOUT_NAMES = new Set([
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  // Bedrock's 408 when the model took too long.
  'ModelTimeoutException',
]);
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ESOCKETTIMEDOUT', 'ECONNABORTED']);
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
]);
const MAX_CAUSE_DEPTH = 3;

function stringField(value: Record<string, unknown>, key: string): string | undefined {
  const field = value[key];
  return typeof field === 'string' ? field : undefined;
}

function httpStatusOf(err: Record<string, unknown>): number | undefined {
  const metadata = err.$metadata;
  if (!isRecord(metadata)) return undefined;
  const status = metadata.httpStatusCode;
  return typeof status === 'number' ? status : undefined;
}

function ownFault(err: Record<string, unknown>): DependencyFault | undefined {
  const name = stringField(err, 'name') ?? '';
  const code = stringField(err, 'code') ?? '';
  if (TIMEOUT_NAMES.has(name) || TIMEOUT_CODES.has(code)) return 'timeout';
  if (THROTTLING_OR_OUTAGE_NAMES.has(name) || CONNECTION_CODES.has(code)) return 'unavailable';
  if (/socket hang up/i.test(stringField(err, 'message') ?? '')) return 'unavailable';
  const status = httpStatusOf(err);
  if (status === 429 || (status !== undefined && status >= 500)) return 'unavailable';
  if (err.$fault === 'server' && status === undefined) return 'unavailable';
  return undefined;
}

/** The dependency fault an error (or one of its causes) stands for; undefined for anything else. */
export function dependencyFaultOf(err: unknown): DependencyFault | undefined {
  let current: unknown = err;
  for (let depth = 0; depth <= MAX_CAUSE_DEPTH && isRecord(current); depth += 1) {
    const fault = ownFault(current);
    if (fault !== undefined) return fault;
    current = current.cause;
  }
  return undefined;
}

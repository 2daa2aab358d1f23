/**
 * Idempotent writes (DESIGN invariant 12), with Powertools Idempotency: a
 * POST/PUT/PATCH/DELETE that carries an `Idempotency-Key` runs once; a retry
 * with the same key gets the first answer back (`idempotent-replayed: true`)
 * and changes nothing. The record lives 24 h in the caller's own private
 * partition (`<tenant>#u#<user>#idempotency`, written through the tenant
 * session, so IAM scopes it to that user); the same key with another method,
 * path or body is a 422; a retry while the first is still running is a 409
 * with Retry-After. A request that fails leaves no record, so its retry runs.
 */
import {
  IdempotencyConfig,
  IdempotencyValidationError,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context as LambdaContext } from 'aws-lambda';
import * as z from 'zod';
import {
  IdempotencyInProgressError,
  IdempotencyKeyReusedError,
  InvalidIdempotencyKeyError,
} from './errors.js';
import { requestHeader } from './request-headers.js';
import { isEventStream, type RouteResult, serverSentEvent } from './route-result.js';

export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
export const IDEMPOTENCY_REPLAYED_HEADER = 'idempotent-replayed';
/** How long a key is remembered. */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;
/** The collection of the caller's private partition that holds the records. */
export const IDEMPOTENCY_COLLECTION = 'idempotency';

const IDEMPOTENT_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** Visible ASCII, 1–255 characters (a UUID, a ULID, any client's request id). */
const IdempotencyKeySchema = z.string().regex(/^[\x21-\x7e]{1,255}$/);
const StoredResponseSchema = z.object({
  statusCode: z.number().int(),
  headers: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  body: z.string(),
});

/** The request's idempotency key, or undefined when it has none or its method is not a write. */
export function idempotencyKeyOf(
  event: Pick<APIGatewayProxyEvent, 'headers' | 'httpMethod'>,
): string | undefined {
  if (!IDEMPOTENT_METHODS.has(event.httpMethod.toUpperCase())) return undefined;
  const key = requestHeader(event, IDEMPOTENCY_KEY_HEADER);
  if (key === undefined) return undefined;
  const parsed = IdempotencyKeySchema.safeParse(key);
  if (!parsed.success) throw new InvalidIdempotencyKeyError();
  return parsed.data;
}

interface IdempotentRequest {
  readonly key: string;
  readonly event: Pick<APIGatewayProxyEvent, 'httpMethod' | 'path' | 'body' | 'isBase64Encoded'>;
  /** The store for the caller's records (through the caller's tenant session). */
  readonly store: BasePersistenceLayer;
  remainingTimeMs(): number;
}

/** Runs `run` once per key; a replay answers the stored response. */
export async function runIdempotently(
  request: IdempotentRequest,
  run: () => Promise<RouteResult>,
): Promise<APIGatewayProxyResult> {
  const { event } = request;
  const config = new IdempotencyConfig({
    eventKeyJmesPath: 'key',
    payloadValidationJmesPath: 'request',
    expiresAfterSeconds: IDEMPOTENCY_TTL_SECONDS,
  });
  // The in-progress lock ends with the function's time, so a request cut off by a timeout can be retried.
  config.registerLambdaContext(remainingTimeContext(request.remainingTimeMs));
  let ranNow = false;
  const once = makeIdempotent(
    async (_payload: { key: string; request: Record<string, unknown> }) => {
      ranNow = true;
      return toJsonResponse(await run());
    },
    { persistenceStore: request.store, config, keyPrefix: 'http' },
  );
  let stored: unknown;
  try {
    stored = await once({
      key: request.key,
      request: {
        method: event.httpMethod.toUpperCase(),
        path: event.path,
        body: event.body ?? '',
        base64: event.isBase64Encoded,
      },
    });
  } catch (err) {
    if (err instanceof IdempotencyValidationError) throw new IdempotencyKeyReusedError({ cause: err });
    if (err instanceof Error && err.name === 'IdempotencyAlreadyInProgressError')
      throw new IdempotencyInProgressError({ cause: err });
    throw err;
  }
  const response = StoredResponseSchema.parse(stored);
  return ranNow
    ? response
    : { ...response, headers: { ...response.headers, [IDEMPOTENCY_REPLAYED_HEADER]: 'true' } };
}

/** A stream is kept whole, so its replay is the same events (sent at once). */
async function toJsonResponse(result: RouteResult): Promise<APIGatewayProxyResult> {
  if (!isEventStream(result)) return result;
  let body = '';
  for await (const { name, data } of result.events) body += serverSentEvent(name, data);
  return { statusCode: 200, headers: { ...result.headers }, body };
}

/** What Powertools reads of the Lambda context: the time left (the rest is not used). */
function remainingTimeContext(remainingTimeMs: () => number): LambdaContext {
  const unused = () => undefined;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'bulkhead',
    functionVersion: '$LATEST',
    invokedFunctionArn: '',
    memoryLimitInMB: '0',
    awsRequestId: '',
    logGroupName: '',
    logStreamName: '',
    getRemainingTimeInMillis: remainingTimeMs,
    done: unused,
    fail: unused,
    succeed: unused,
  };
}

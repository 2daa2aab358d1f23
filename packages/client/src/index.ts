/**
 * `@bulkhead/client`: a typed client of the bulkhead HTTPS API. Paths, parameters, bodies and
 * answers are typed from the API's OpenAPI document (schema.d.ts, generated from the endpoint
 * declarations); requests go through openapi-fetch with the caller's bearer token.
 */
import { EventSourceParserStream } from 'eventsource-parser/stream';
import createClient, { type Client, type Middleware } from 'openapi-fetch';
import type { components, operations, paths } from './schema.js';

export { CSV_HEADER, renderCsv } from './costs-csv.js';
export type { components, operations, paths };
/** The API's named schemas, e.g. `Schemas['ChatResponse']`. */
export type Schemas = components['schemas'];
/** One event of `POST /v1/chat/stream`: `{ event, data }`. */
export type ChatStreamEvent = Schemas['ChatStreamEvent'];
/** Every error answer: `{ error: { code, message, requestId } }`. */
export type ErrorBody = Schemas['Error'];
export type BulkheadClient = Client<paths>;

export interface BulkheadClientOptions {
  /** The API's URL, e.g. the stack output `ApiUrl` (`https://….execute-api.….amazonaws.com/prod/`). */
  readonly baseUrl: string;
  /** A bearer token (a JWT of the configured issuer); or give `getToken`. */
  readonly token?: string;
  /** Called before each request, e.g. to refresh an expiring token; or give `token`. */
  readonly getToken?: () => string | Promise<string>;
  /** @default globalThis.fetch */
  readonly fetch?: (request: Request) => Promise<Response>;
}

/** A failed call: the HTTP status and the API's error body (when it sent one). */
export class BulkheadApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ErrorBody | undefined,
  ) {
    super(body === undefined ? `HTTP ${status}` : `${status} ${body.error.code}: ${body.error.message}`);
    this.name = 'BulkheadApiError';
  }
}

/** The client: `client.GET('/v1/me')`, `client.PUT('/v1/memory', { body: { fact } })`, … */
export function createBulkheadClient(options: BulkheadClientOptions): BulkheadClient {
  const { token, getToken } = options;
  if ((token === undefined) === (getToken === undefined))
    throw new TypeError('createBulkheadClient needs exactly one of token and getToken');
  const tokenOf = getToken ?? (() => token ?? '');
  const bearer: Middleware = {
    async onRequest({ request }) {
      request.headers.set('authorization', `Bearer ${await tokenOf()}`);
      return request;
    },
  };
  const client = createClient<paths>({
    baseUrl: options.baseUrl,
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
  });
  client.use(bearer);
  return client;
}

/**
 * The chat stream broke off or sent what the API never sends: it ended without its closing
 * `done` or `error` event (the connection dropped, a proxy cut it), or an event was not of the
 * documented shape. The answer is incomplete; the request may be sent again.
 */
export class BulkheadStreamError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'BulkheadStreamError';
  }
}

/**
 * Sends a chat message to `POST /v1/chat/stream` and yields its events as they arrive, ending
 * with `done` (the `/v1/chat` payload) or `error`. Throws BulkheadApiError when the API refuses
 * the request before the stream starts, and BulkheadStreamError when the stream ends without
 * `done` or `error`, or sends an event that is not of the documented shape.
 */
export async function* streamChat(
  client: BulkheadClient,
  body: Schemas['ChatRequest'],
  init: { readonly signal?: AbortSignal; readonly idempotencyKey?: string } = {},
): AsyncGenerator<ChatStreamEvent> {
  const { data, error, response } = await client.POST('/v1/chat/stream', {
    body,
    parseAs: 'stream',
    ...(init.signal === undefined ? {} : { signal: init.signal }),
    ...(init.idempotencyKey === undefined
      ? {}
      : { params: { header: { 'idempotency-key': init.idempotencyKey } } }),
  });
  if (error !== undefined || data === undefined || data === null)
    throw new BulkheadApiError(response.status, isErrorBody(error) ? error : undefined);
  const messages = data.pipeThrough(new TextDecoderStream()).pipeThrough(new EventSourceParserStream());
  for await (const message of messages) {
    const event = { event: message.event, data: parseJson(message.data) };
    if (!isChatStreamEvent(event))
      throw new BulkheadStreamError(
        `the chat stream sent a malformed ${JSON.stringify(message.event ?? 'message')} event: ${message.data.slice(0, 200)}`,
      );
    yield event;
    if (event.event === 'done' || event.event === 'error') return;
  }
  throw new BulkheadStreamError('the chat stream ended without its done or error event');
}

/** JSON text's value, or undefined when it is not JSON (which no event of the API sends). */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An event of the documented kinds, with the fields that tell each kind apart. */
function isChatStreamEvent(value: { event: string | undefined; data: unknown }): value is ChatStreamEvent {
  const { event, data } = value;
  if (!isObject(data)) return false;
  switch (event) {
    case 'text':
      return typeof data.text === 'string';
    case 'tool':
      return typeof data.name === 'string' && typeof data.status === 'string';
    case 'approval':
      return isObject(data.approval) && typeof data.approval.id === 'string';
    case 'connection_required':
      return isObject(data.connection) && typeof data.connection.authorizeUrl === 'string';
    case 'done':
      return typeof data.sessionId === 'string' && typeof data.reply === 'string' && isObject(data.usage);
    case 'error':
      return isErrorBody(data);
    default:
      return false;
  }
}

/** `{ error: { code, message, requestId } }`: every error answer of the API. */
function isErrorBody(value: unknown): value is ErrorBody {
  return (
    isObject(value) &&
    isObject(value.error) &&
    typeof value.error.code === 'string' &&
    typeof value.error.message === 'string'
  );
}

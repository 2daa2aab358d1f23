/**
 * `@bulkhead/client`: a typed client of the bulkhead HTTPS API. Paths, parameters, bodies and
 * answers are typed from the API's OpenAPI document (schema.d.ts, generated from the endpoint
 * declarations); requests go through openapi-fetch with the caller's bearer token.
 */
import { EventSourceParserStream } from 'eventsource-parser/stream';
import createClient, { type Client, type Middleware } from 'openapi-fetch';
import type { components, operations, paths } from './schema.js';

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
 * Sends a chat message to `POST /v1/chat/stream` and yields its events as they arrive, ending
 * with `done` (the `/v1/chat` payload) or `error`. Throws BulkheadApiError when the API refuses
 * the request before the stream starts.
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
    // The schema documents every event the API sends; its data is JSON.
    yield { event: message.event, data: JSON.parse(message.data) } as ChatStreamEvent;
  }
}

function isErrorBody(value: unknown): value is ErrorBody {
  return typeof value === 'object' && value !== null && 'error' in value;
}

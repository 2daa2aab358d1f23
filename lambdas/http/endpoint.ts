/**
 * Endpoint declarations: method, path, request schemas and response schemas,
 * in zod. They are the single source for both request parsing (the router
 * parses body and query with them before a handler runs) and the OpenAPI
 * document (built from the same objects).
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import * as z from 'zod';
import type { Action } from '../authorization/action-table.js';
import { describeIssues, parseJsonBody } from './body.js';
import { BadRequestError } from './errors.js';
import type { HttpMethod } from './router.js';

export interface EndpointResponse {
  readonly description: string;
  /** The body; absent for responses without one (204). */
  readonly schema?: z.ZodType;
  /**
   * The body's media type. For `text/event-stream`, `schema` describes one event: its `event`
   * name and its JSON `data`. @default 'application/json'
   */
  readonly mediaType?: 'application/json' | 'text/event-stream';
}

/**
 * The access of an endpoint served without a token (the API's own description): the pipeline
 * resolves no request context for it, so nothing tenant-specific can be reached from it.
 */
export const PUBLIC = 'public';

/** Who may call an endpoint: an action of the one table, or PUBLIC. */
export type Access = Action | typeof PUBLIC;

export interface Endpoint<Body, Query, EndpointAccess extends Access = Access> {
  /** Unique across the API: the OpenAPI operationId (the declaration's name). */
  readonly operationId: string;
  readonly method: HttpMethod;
  /** Path template, e.g. `/v1/documents/{id}`. */
  readonly path: string;
  /**
   * The action it takes: the request pipeline authorizes it from the one table before reading the
   * body. PUBLIC: served without a token, before any request context exists.
   */
  readonly action: EndpointAccess;
  /** The area of the API it belongs to (one OpenAPI tag). */
  readonly tag: string;
  /** One line, as a title. */
  readonly summary: string;
  /** What it does and answers, beyond the summary (who may call it is added from the action table). */
  readonly description?: string;
  /** A schema for each `{name}` of the path (the router passes them as strings; the document states their form). */
  readonly pathParameters?: Readonly<Record<string, z.ZodType<string>>>;
  /** The JSON request body; NO_BODY when the endpoint takes none. */
  readonly body: z.ZodType<Body>;
  /** The query string parameters, as an object schema; NO_QUERY when the endpoint takes none. */
  readonly query: z.ZodType<Query>;
  /** Success responses by status code; errors are the shared error shape. */
  readonly responses: Readonly<Record<number, EndpointResponse>>;
  /** Error responses worth naming (beyond the default), by status code: their description. */
  readonly errors?: Readonly<Record<number, string>>;
}

/** Error statuses that come with a `Retry-After` header (seconds). */
export const RETRY_AFTER_STATUSES: readonly number[] = [409, 429, 503, 504];

/** What admission refuses on every tenant route (docs/admission.md). */
const ADMISSION_REFUSALS =
  'rate_limited: too many requests for this user or tenant; token_rate_limited: the user’s or tenant’s model tokens per minute are used up; too_many_in_flight: the tenant has as many requests in flight as it may';

/** Every tenant route counts against the admission limits. */
export const RATE_LIMITED_ERROR = {
  429: `${ADMISSION_REFUSALS}. Retry after Retry-After seconds`,
} as const;

/** Paginated listings: a cursor is only valid for the query and caller it was issued to. */
export const INVALID_CURSOR_ERROR = {
  400: 'invalid_cursor: the cursor was not issued for this query and caller (or bad_request for another malformed parameter)',
} as const;

/** Routes that call a model: refused over budget, unavailable when the model and its fallback fail. */
export const MODEL_CALL_ERRORS = {
  429: `${ADMISSION_REFUSALS}; or budget_held: the remaining budget is held by calls in progress. Retry after Retry-After seconds`,
  402: 'budget_exceeded: the tenant’s monthly model budget is spent (it cannot cover even a minimal call)',
  503: 'model_unavailable: the model and its fallback are throttled or failing; retry after Retry-After seconds',
} as const;

/** Any endpoint, whatever its body and query types (for listings and the OpenAPI document). */
export type AnyEndpoint = Endpoint<unknown, unknown>;

/** The body schema of endpoints without a request body. */
export const NO_BODY = z.undefined();
/** The query schema of endpoints without query parameters (unknown parameters are ignored). */
export const NO_QUERY = z.object({});

/** Declares an endpoint (keeps the body and query types for the handler). */
export function endpoint<Body, Query, EndpointAccess extends Access>(
  declaration: Endpoint<Body, Query, EndpointAccess>,
): Endpoint<Body, Query, EndpointAccess> {
  return declaration;
}

/** Every 4xx/5xx body. */
export const ErrorBodySchema = z
  .object({
    error: z
      .object({
        code: z.string().describe('What went wrong, as a stable snake_case name (e.g. `invalid_cursor`)'),
        message: z.string().describe('For people; never holds tenant data'),
        requestId: z.string().describe('Quote it when asking for help: it finds the request in the logs'),
      })
      .strict(),
  })
  .strict()
  .meta({ id: 'Error', description: 'Every 4xx and 5xx answer of the platform and of its gateway' });

/** Page size and cursor, shared by every paginated listing. */
export const PageQuerySchema = z
  .object({
    limit: z.coerce.number().int().min(1).max(100).optional(),
    cursor: z.string().min(1).max(2048).optional(),
  })
  .strict();

/** The parsed body; an endpoint without one accepts only an empty body. A mismatch is a 400. */
export function parseEndpointBody<Body>(
  schema: z.ZodType<Body>,
  event: Pick<APIGatewayProxyEvent, 'body' | 'isBase64Encoded' | 'headers'>,
): Body {
  if (event.body === null || event.body === '') {
    const absent = schema.safeParse(undefined);
    if (absent.success) return absent.data;
  }
  return parseJsonBody(event, schema);
}

/** The parsed query string; a mismatch is a 400. */
export function parseEndpointQuery<Query>(
  schema: z.ZodType<Query>,
  event: Pick<APIGatewayProxyEvent, 'queryStringParameters'>,
): Query {
  const result = schema.safeParse(event.queryStringParameters ?? {});
  if (!result.success) throw new BadRequestError(`invalid query: ${describeIssues(result.error)}`);
  return result.data;
}

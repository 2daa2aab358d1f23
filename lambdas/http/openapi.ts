/**
 * The OpenAPI 3.1 document, generated from the endpoint declarations: the
 * zod schemas that parse requests are the schemas the document publishes
 * (JSON Schema 2020-12, which OpenAPI 3.1 uses), so the two cannot drift.
 * Schemas named with `.meta({ id })` become `#/components/schemas/<id>`
 * (component-schemas.ts); who may call each operation comes from the one
 * authorization table.
 */
import { ACTION_TABLE } from '../authorization/action-table.js';
import { isRecord } from '../is-record.js';
import { OVERHEAD_HEADER } from '../observability/request-timing.js';
import { ComponentSchemas, type JsonSchema } from './component-schemas.js';
import { type AnyEndpoint, ErrorBodySchema, NO_BODY, PUBLIC, RETRY_AFTER_STATUSES } from './endpoint.js';
import {
  IDEMPOTENCY_KEY_HEADER,
  IDEMPOTENCY_REPLAYED_HEADER,
  IDEMPOTENCY_TTL_SECONDS,
} from './idempotency.js';

export type { JsonSchema } from './component-schemas.js';

/** Headers of the platform's responses, as components. */
const HEADERS = {
  OverheadMs: {
    description:
      'Milliseconds the platform spent on this request outside the model and tools (for an event stream: up to its first event)',
    schema: { type: 'integer', minimum: 0 },
  },
  RetryAfter: {
    description: 'Whole seconds to wait before retrying',
    schema: { type: 'integer', minimum: 1 },
  },
} as const;
const OVERHEAD_HEADERS = { [OVERHEAD_HEADER]: { $ref: '#/components/headers/OverheadMs' } };
const RETRY_AFTER_HEADERS = {
  ...OVERHEAD_HEADERS,
  'Retry-After': { $ref: '#/components/headers/RetryAfter' },
};

/** An error answer many operations share: a component response, referred to by name. */
interface SharedError {
  readonly status: number;
  readonly description: string;
}

const SHARED_ERRORS = {
  /** Every operation sits behind the API Gateway stage's throttle. */
  Throttled: {
    status: 429,
    description: 'The API stage’s request rate is exceeded (answered by API Gateway); retry with backoff',
  },
  Unauthorized: {
    status: 401,
    description: 'unauthorized: the bearer token is missing, malformed, invalid or expired',
  },
  Forbidden: {
    status: 403,
    description:
      'forbidden: the caller’s roles (or the platform tenant) do not allow this action, or the tenant is suspended',
  },
  DependencyUnavailable: {
    status: 503,
    description:
      'dependency_unavailable (or a named cause, e.g. tenant_moving: the tenant’s data is being moved between the pool and its silo): retry after Retry-After seconds',
  },
  DependencyTimeout: {
    status: 504,
    description:
      'dependency_timeout or deadline_exceeded: a dependency or the model did not answer in time; retry after Retry-After seconds',
  },
  /** The tenant API (not the control API): each serves the tenants of one placement. */
  WrongApi: {
    status: 421,
    description:
      'wrong_api: the tenant lives in its silo (call the silo API) or in the pool (call the pool API)',
  },
  BadRequest: {
    status: 400,
    description: 'bad_request: a path or query parameter, or the body, is malformed; the message names it',
  },
  PayloadTooLarge: {
    status: 413,
    description: 'The body exceeds API Gateway’s 10 MB payload limit (answered by the gateway)',
  },
  UnsupportedMediaType: {
    status: 415,
    description: 'unsupported_media_type: the body must be application/json',
  },
  /** Writes honour Idempotency-Key. */
  IdempotencyInProgress: {
    status: 409,
    description:
      'idempotency_in_progress: a request with this Idempotency-Key is still running; retry after Retry-After seconds',
  },
  IdempotencyKeyReused: {
    status: 422,
    description: 'idempotency_key_reused: this Idempotency-Key was used for a different request',
  },
  InternalError: {
    status: 500,
    description: 'internal_error: our fault; the detail is logged, the body is generic',
  },
} as const satisfies Record<string, SharedError>;
type SharedErrorName = keyof typeof SHARED_ERRORS;

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

const JSON_MEDIA_TYPE = 'application/json';
const SECURITY_SCHEME = 'bearer';

export interface OpenApiTag {
  readonly name: string;
  readonly description: string;
}

export interface OpenApiInfo {
  readonly title: string;
  readonly version: string;
  readonly description: string;
  readonly license: { readonly name: string; readonly identifier: string };
}

export interface OpenApiServer {
  readonly url: string;
  readonly description: string;
}

export interface OpenApiDocument {
  readonly openapi: '3.1.0';
  readonly info: OpenApiInfo;
  readonly servers: readonly OpenApiServer[];
  readonly tags: readonly OpenApiTag[];
  readonly paths: Record<string, Record<string, unknown>>;
  readonly components: {
    readonly schemas: Record<string, JsonSchema>;
    readonly responses: Record<string, unknown>;
    readonly headers: Record<string, unknown>;
    readonly securitySchemes: Record<string, unknown>;
  };
  readonly security: ReadonlyArray<Record<string, readonly string[]>>;
}

/** Who may call an operation, from the one authorization table. */
function accessOf(endpoint: AnyEndpoint): string {
  if (endpoint.action === PUBLIC) return 'Public: no token needed.';
  const rule = ACTION_TABLE[endpoint.action];
  const scope = rule.workspace ? 'in a tenant’s workspace (never the platform tenant)' : 'in any tenant';
  return `Action \`${endpoint.action}\`: roles ${rule.roles.join(', ')} ${scope}.`;
}

function pathParameterNames(path: string): string[] {
  return [...path.matchAll(/\{([A-Za-z][A-Za-z0-9]*)\}/g)].flatMap((match) => match[1] ?? []);
}

function parameters(endpoint: AnyEndpoint, schemas: ComponentSchemas): unknown[] {
  const pathParameters = pathParameterNames(endpoint.path).map((name) => {
    const schema = endpoint.pathParameters?.[name];
    if (schema === undefined)
      throw new Error(`${endpoint.method} ${endpoint.path} declares no schema for {${name}}`);
    return { name, in: 'path', required: true, schema: schemas.schemaOf(schema, 'input') };
  });
  const query = schemas.schemaOf(endpoint.query, 'input');
  const properties = isRecord(query.properties) ? query.properties : {};
  const required = new Set(Array.isArray(query.required) ? query.required : []);
  const queryParameters = Object.entries(properties).map(([name, schema]) => ({
    name,
    in: 'query',
    required: required.has(name),
    schema,
  }));
  const idempotencyKey = WRITE_METHODS.has(endpoint.method)
    ? [
        {
          name: IDEMPOTENCY_KEY_HEADER,
          in: 'header',
          required: false,
          description: `Makes the write run once: a retry with the same key within ${IDEMPOTENCY_TTL_SECONDS / 3600} h answers the first answer (with \`${IDEMPOTENCY_REPLAYED_HEADER}: true\`)`,
          schema: { type: 'string', pattern: '^[\\x21-\\x7e]{1,255}$' },
        },
      ]
    : [];
  return [...pathParameters, ...queryParameters, ...idempotencyKey];
}

/** The error statuses an operation can answer: a shared error's name, or what the status means for it. */
function errorsOf(
  endpoint: AnyEndpoint,
  hasParameters: boolean,
): Record<number, SharedErrorName | { description: string }> {
  const isPublic = endpoint.action === PUBLIC;
  const hasBody = endpoint.body !== NO_BODY;
  const shared: SharedErrorName[] = [
    'Throttled',
    ...(isPublic
      ? []
      : (['Unauthorized', 'Forbidden', 'DependencyUnavailable', 'DependencyTimeout'] as const)),
    ...(isPublic || endpoint.path.startsWith('/v1/admin/') ? [] : (['WrongApi'] as const)),
    ...(hasParameters || hasBody ? (['BadRequest'] as const) : []),
    ...(hasBody ? (['PayloadTooLarge', 'UnsupportedMediaType'] as const) : []),
    ...(WRITE_METHODS.has(endpoint.method)
      ? (['IdempotencyInProgress', 'IdempotencyKeyReused'] as const)
      : []),
  ];
  const own = Object.entries(endpoint.errors ?? {}).map(([status, description]) => [
    Number(status),
    { description },
  ]);
  return Object.fromEntries([...shared.map((name) => [SHARED_ERRORS[name].status, name]), ...own]);
}

function operation(endpoint: AnyEndpoint, schemas: ComponentSchemas): Record<string, unknown> {
  const responses: Record<string, unknown> = {};
  for (const [status, response] of Object.entries(endpoint.responses)) {
    responses[status] =
      response.schema === undefined
        ? { description: response.description, headers: OVERHEAD_HEADERS }
        : {
            description: response.description,
            headers: OVERHEAD_HEADERS,
            content: {
              [response.mediaType ?? JSON_MEDIA_TYPE]: {
                schema: schemas.schemaOf(response.schema, 'output'),
              },
            },
          };
  }
  const errorSchema = schemas.schemaOf(ErrorBodySchema, 'output');
  const params = parameters(endpoint, schemas);
  const hasParameters = params.some((parameter) => isRecord(parameter) && parameter.in !== 'header');
  for (const [status, error] of Object.entries(errorsOf(endpoint, hasParameters))) {
    responses[status] =
      typeof error === 'string'
        ? { $ref: `#/components/responses/${error}` }
        : {
            description: error.description,
            headers: RETRY_AFTER_STATUSES.includes(Number(status)) ? RETRY_AFTER_HEADERS : OVERHEAD_HEADERS,
            content: { [JSON_MEDIA_TYPE]: { schema: errorSchema } },
          };
  }
  responses.default = { $ref: '#/components/responses/InternalError' };
  return {
    operationId: endpoint.operationId,
    tags: [endpoint.tag],
    summary: endpoint.summary,
    description: [endpoint.description, accessOf(endpoint)].filter(Boolean).join('\n\n'),
    ...(endpoint.action === PUBLIC ? { security: [] } : {}),
    ...(params.length === 0 ? {} : { parameters: params }),
    ...(endpoint.body === NO_BODY
      ? {}
      : {
          requestBody: {
            // A body that may be left out (the endpoint's schema accepts none) is not required.
            required: !endpoint.body.safeParse(undefined).success,
            content: { [JSON_MEDIA_TYPE]: { schema: schemas.schemaOf(endpoint.body, 'input') } },
          },
        }),
    responses,
  };
}

/** The OpenAPI 3.1 document for a set of endpoints; throws on an endpoint the tags or schemas cannot place. */
export function buildOpenApiDocument(options: {
  readonly info: OpenApiInfo;
  readonly servers: readonly OpenApiServer[];
  readonly tags: readonly OpenApiTag[];
  readonly endpoints: readonly AnyEndpoint[];
  /** How callers get a bearer token. */
  readonly securityDescription: string;
}): OpenApiDocument {
  const schemas = new ComponentSchemas();
  const tagNames = new Set(options.tags.map((tag) => tag.name));
  const paths: Record<string, Record<string, unknown>> = {};
  // Answers first: a component's output form takes its plain name (component-schemas.ts).
  for (const endpoint of options.endpoints) {
    if (!tagNames.has(endpoint.tag))
      throw new Error(`${endpoint.method} ${endpoint.path} has the undeclared tag ${endpoint.tag}`);
    for (const response of Object.values(endpoint.responses))
      if (response.schema !== undefined) schemas.schemaOf(response.schema, 'output');
  }
  for (const endpoint of options.endpoints) {
    paths[endpoint.path] ??= {};
    const path = paths[endpoint.path] ?? {};
    path[endpoint.method.toLowerCase()] = operation(endpoint, schemas);
  }
  const usedTags = new Set(options.endpoints.map((endpoint) => endpoint.tag));
  return {
    openapi: '3.1.0',
    info: options.info,
    servers: options.servers,
    tags: options.tags.filter((tag) => usedTags.has(tag.name)),
    paths,
    components: {
      schemas: schemas.components(),
      responses: Object.fromEntries(
        Object.entries(SHARED_ERRORS).map(([name, { status, description }]) => [
          name,
          {
            description,
            headers: RETRY_AFTER_STATUSES.includes(status) ? RETRY_AFTER_HEADERS : OVERHEAD_HEADERS,
            content: { [JSON_MEDIA_TYPE]: { schema: schemas.schemaOf(ErrorBodySchema, 'output') } },
          },
        ]),
      ),
      headers: HEADERS,
      securitySchemes: {
        [SECURITY_SCHEME]: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: options.securityDescription,
        },
      },
    },
    security: [{ [SECURITY_SCHEME]: [] }],
  };
}

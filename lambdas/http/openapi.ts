/**
 * The OpenAPI 3.1 document, generated from the endpoint declarations: the
 * zod schemas that parse requests are the schemas the document publishes
 * (JSON Schema 2020-12, which OpenAPI 3.1 uses), so the two cannot drift.
 */
import * as z from 'zod';
import { isRecord } from '../is-record.js';
import { OVERHEAD_HEADER } from '../observability/request-timing.js';
import { type AnyEndpoint, ErrorBodySchema, NO_BODY, RETRY_AFTER_STATUSES } from './endpoint.js';
import {
  IDEMPOTENCY_KEY_HEADER,
  IDEMPOTENCY_REPLAYED_HEADER,
  IDEMPOTENCY_TTL_SECONDS,
} from './idempotency.js';

/** On every response of the platform's functions: the time the platform itself took. */
const OVERHEAD_HEADERS = {
  [OVERHEAD_HEADER]: {
    description:
      'Milliseconds the platform spent on this request outside the model and tools (for an event stream: up to its first event)',
    schema: { type: 'integer', minimum: 0 },
  },
} as const;

/** Errors every operation may answer: the caller's role, and a dependency's fault. */
const COMMON_ERRORS: Readonly<Record<number, string>> = {
  403: 'forbidden: the caller’s roles (or the platform tenant) do not allow this action',
  503: 'dependency_unavailable (or a named cause, e.g. tenant_moving: the tenant’s data is being moved between the pool and its silo): retry after Retry-After seconds',
  504: 'dependency_timeout or deadline_exceeded: a dependency or the model did not answer in time; retry after Retry-After seconds',
};
/** Errors of the tenant API (not the control API): each serves the tenants of one placement. */
const TENANT_API_ERRORS: Readonly<Record<number, string>> = {
  421: 'wrong_api: the tenant lives in its silo (call the silo API) or in the pool (call the pool API)',
};
/** Errors of operations that take a JSON body. */
const BODY_ERRORS: Readonly<Record<number, string>> = {
  415: 'unsupported_media_type: the body must be application/json',
};
/** Errors of writes, which honour Idempotency-Key. */
const WRITE_ERRORS: Readonly<Record<number, string>> = {
  409: 'idempotency_in_progress: a request with this Idempotency-Key is still running; retry after Retry-After seconds',
  422: 'idempotency_key_reused: this Idempotency-Key was used for a different request',
};
const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

const RETRY_AFTER_HEADER = {
  description: 'Whole seconds to wait before retrying',
  schema: { type: 'integer', minimum: 1 },
};

export type JsonSchema = Record<string, unknown>;

export interface OpenApiDocument {
  readonly openapi: '3.1.0';
  readonly info: { readonly title: string; readonly version: string };
  readonly paths: Record<string, Record<string, unknown>>;
  readonly components: {
    readonly schemas: Record<string, JsonSchema>;
    readonly securitySchemes: Record<string, unknown>;
  };
  readonly security: ReadonlyArray<Record<string, readonly string[]>>;
}

const JSON_MEDIA_TYPE = 'application/json';
const ERROR_REF = { $ref: '#/components/schemas/Error' };

/** A zod schema as a JSON Schema without its `$schema` dialect line (the document declares the dialect). */
export function jsonSchemaOf(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, target: 'draft-2020-12' });
  return rest;
}

/** `GET /v1/documents/{id}` → `getV1DocumentsId`. */
function operationId(endpoint: AnyEndpoint): string {
  const words = endpoint.path.split(/[^A-Za-z0-9]+/).filter((word) => word.length > 0);
  return endpoint.method.toLowerCase() + words.map((word) => word[0]?.toUpperCase() + word.slice(1)).join('');
}

function parameters(endpoint: AnyEndpoint): unknown[] {
  const pathParameters = [...endpoint.path.matchAll(/\{([A-Za-z][A-Za-z0-9]*)\}/g)].map((match) => ({
    name: match[1],
    in: 'path',
    required: true,
    schema: { type: 'string' },
  }));
  const query = jsonSchemaOf(endpoint.query, 'input');
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

function operation(endpoint: AnyEndpoint): Record<string, unknown> {
  const responses: Record<string, unknown> = {};
  for (const [status, response] of Object.entries(endpoint.responses)) {
    responses[status] =
      response.schema === undefined
        ? { description: response.description, headers: OVERHEAD_HEADERS }
        : {
            description: response.description,
            headers: OVERHEAD_HEADERS,
            content: { [JSON_MEDIA_TYPE]: { schema: jsonSchemaOf(response.schema, 'output') } },
          };
  }
  const errors = {
    ...COMMON_ERRORS,
    ...(endpoint.path.startsWith('/v1/admin/') ? {} : TENANT_API_ERRORS),
    ...(endpoint.body === NO_BODY ? {} : BODY_ERRORS),
    ...(WRITE_METHODS.has(endpoint.method) ? WRITE_ERRORS : {}),
    ...endpoint.errors,
  };
  for (const [status, description] of Object.entries(errors)) {
    responses[status] = {
      description,
      headers: RETRY_AFTER_STATUSES.includes(Number(status))
        ? { ...OVERHEAD_HEADERS, 'Retry-After': RETRY_AFTER_HEADER }
        : OVERHEAD_HEADERS,
      content: { [JSON_MEDIA_TYPE]: { schema: ERROR_REF } },
    };
  }
  responses.default = { description: 'Error', content: { [JSON_MEDIA_TYPE]: { schema: ERROR_REF } } };
  const params = parameters(endpoint);
  return {
    operationId: operationId(endpoint),
    summary: endpoint.summary,
    ...(params.length === 0 ? {} : { parameters: params }),
    ...(endpoint.body === NO_BODY
      ? {}
      : {
          requestBody: {
            required: true,
            content: { [JSON_MEDIA_TYPE]: { schema: jsonSchemaOf(endpoint.body, 'input') } },
          },
        }),
    responses,
  };
}

/** The OpenAPI 3.1 document for a set of endpoints. */
export function buildOpenApiDocument(options: {
  readonly title: string;
  readonly version: string;
  readonly endpoints: readonly AnyEndpoint[];
}): OpenApiDocument {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const endpoint of options.endpoints) {
    paths[endpoint.path] ??= {};
    const path = paths[endpoint.path] ?? {};
    path[endpoint.method.toLowerCase()] = operation(endpoint);
  }
  return {
    openapi: '3.1.0',
    info: { title: options.title, version: options.version },
    paths,
    components: {
      schemas: { Error: jsonSchemaOf(ErrorBodySchema, 'output') },
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
    },
    security: [{ bearer: [] }],
  };
}

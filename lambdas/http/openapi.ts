/**
 * The OpenAPI 3.1 document, generated from the endpoint declarations: the
 * zod schemas that parse requests are the schemas the document publishes
 * (JSON Schema 2020-12, which OpenAPI 3.1 uses), so the two cannot drift.
 */
import { z } from 'zod';
import { isRecord } from '../is-record.js';
import { type AnyEndpoint, ErrorBodySchema, NO_BODY, RETRY_AFTER_STATUSES } from './endpoint.js';

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
  return [...pathParameters, ...queryParameters];
}

function operation(endpoint: AnyEndpoint): Record<string, unknown> {
  const responses: Record<string, unknown> = {};
  for (const [status, response] of Object.entries(endpoint.responses)) {
    responses[status] =
      response.schema === undefined
        ? { description: response.description }
        : {
            description: response.description,
            content: { [JSON_MEDIA_TYPE]: { schema: jsonSchemaOf(response.schema, 'output') } },
          };
  }
  for (const [status, description] of Object.entries(endpoint.errors ?? {})) {
    responses[status] = {
      description,
      ...(RETRY_AFTER_STATUSES.includes(Number(status))
        ? { headers: { 'Retry-After': RETRY_AFTER_HEADER } }
        : {}),
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

/** Validates real response bodies against the generated OpenAPI document with ajv (JSON Schema 2020-12). */
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsPlugin from 'ajv-formats';
import type { OpenApiDocument } from '../../../lambdas/http/openapi.js';
import { apiDocument } from '../../../lambdas/routes/api-document.js';

// ajv-formats is CommonJS: under NodeNext its default import is the module object or the plugin itself.
const addFormats = 'default' in addFormatsPlugin ? addFormatsPlugin.default : addFormatsPlugin;

export function schemaCompiler(document: OpenApiDocument = apiDocument()) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema({ $id: 'openapi', components: document.components }, 'openapi');
  return { ajv, document };
}

/** The schema with its `#/components/...` references pointed at the components ajv holds as `openapi`. */
export function referringToCompiled(schema: unknown): object {
  return JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"openapi#/components/'));
}

/** The schema with every `#/components/schemas/<name>` reference replaced by that component. */
export function resolveComponents(document: OpenApiDocument, schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map((item) => resolveComponents(document, item));
  if (typeof schema !== 'object' || schema === null) return schema;
  const ref = Reflect.get(schema, '$ref');
  if (typeof ref === 'string' && ref.startsWith('#/components/schemas/'))
    return resolveComponents(
      document,
      document.components.schemas[ref.slice('#/components/schemas/'.length)],
    );
  return Object.fromEntries(
    Object.entries(schema).map(([key, value]) => [key, resolveComponents(document, value)]),
  );
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? Object.fromEntries(Object.entries(value)) : {};
}

/** The response schema the document declares for an operation and status (the error schema for 4xx/5xx). */
export function responseSchema(
  document: OpenApiDocument,
  method: string,
  path: string,
  status: number,
): unknown {
  const responses = record(record(document.paths[path])[method.toLowerCase()]).responses;
  const declared = record(responses)[String(status)] ?? record(responses).default;
  const ref = record(declared).$ref;
  const response =
    typeof ref === 'string' && ref.startsWith('#/components/responses/')
      ? document.components.responses[ref.slice('#/components/responses/'.length)]
      : declared;
  return record(record(record(response).content)['application/json']).schema;
}

/** Throws with ajv's errors when `body` does not match the documented response. */
export function assertDocumentedResponse(
  method: string,
  path: string,
  result: { statusCode: number; body: string },
) {
  const { ajv, document } = schemaCompiler();
  const schema = record(responseSchema(document, method, path, result.statusCode));
  if (Object.keys(schema).length === 0) {
    if (result.body !== '') throw new Error(`${method} ${path} ${result.statusCode} documents no body`);
    return;
  }
  const validate = ajv.compile(referringToCompiled(schema));
  if (!validate(JSON.parse(result.body))) {
    throw new Error(`${method} ${path} ${result.statusCode}: ${ajv.errorsText(validate.errors)}`);
  }
}

/** Validates real response bodies against the generated OpenAPI document with ajv (JSON Schema 2020-12). */
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsPlugin from 'ajv-formats';
import type { OpenApiDocument } from '../../../lambdas/http/openapi.js';
import { apiDocument } from '../../../lambdas/routes/api-routes.js';

// ajv-formats is CommonJS: under NodeNext its default import is the module object or the plugin itself.
const addFormats = 'default' in addFormatsPlugin ? addFormatsPlugin.default : addFormatsPlugin;

export function schemaCompiler(document: OpenApiDocument = apiDocument()) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema({ $id: 'openapi', components: document.components }, 'openapi');
  return { ajv, document };
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
  const response = record(responses)[String(status)] ?? record(responses).default;
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
  const resolved =
    schema.$ref === '#/components/schemas/Error' ? { $ref: 'openapi#/components/schemas/Error' } : schema;
  const validate = ajv.compile(resolved);
  if (!validate(JSON.parse(result.body))) {
    throw new Error(`${method} ${path} ${result.statusCode}: ${ajv.errorsText(validate.errors)}`);
  }
}

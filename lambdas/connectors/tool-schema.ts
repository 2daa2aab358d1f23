/**
 * A connector tool's input schema (JSON Schema, published by the connector
 * and pinned at registration), compiled with ajv and checked before every
 * call. Compiled validators are cached by schema text: the same connector's
 * tools compile once per execution environment.
 */
import type { ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsPlugin from 'ajv-formats';
import type { ParsedInput } from '../agent/tool.js';
import { isRecord } from '../is-record.js';
import { ToolSchemaError } from './errors.js';

// ajv-formats is CommonJS: under NodeNext its default import is the module object or the plugin itself.
const addFormats = 'default' in addFormatsPlugin ? addFormatsPlugin.default : addFormatsPlugin;

let ajv: Ajv2020 | undefined;

/**
 * JSON Schema 2020-12 (MCP's default dialect); `strict: false`: servers publish schemas with
 * keywords ajv does not know (`title`, `examples`, vendor ones). Built on first use, not at
 * cold start: most requests never meet a connector tool.
 */
function validator(): Ajv2020 {
  if (ajv === undefined) {
    ajv = new Ajv2020({ strict: false, allErrors: false });
    addFormats(ajv);
  }
  return ajv;
}

const MAX_CACHED = 500;
const cache = new Map<string, ValidateFunction>();

function compile(schema: Record<string, unknown>): ValidateFunction {
  const key = JSON.stringify(schema);
  const cached = cache.get(key);
  if (cached !== undefined) return cached;
  // A declared dialect (`$schema`, often draft-07) is read as 2020-12, whose keywords are a superset in practice.
  const { $schema: _dialect, ...body } = schema;
  let validate: ValidateFunction;
  try {
    validate = validator().compile(body);
  } catch (err) {
    throw new ToolSchemaError(err instanceof Error ? err.message : 'the schema does not compile');
  }
  if (cache.size >= MAX_CACHED) cache.clear();
  cache.set(key, validate);
  return validate;
}

/** Throws ToolSchemaError (422) unless the schema compiles: checked at registration. */
export function assertCompiles(schema: Record<string, unknown>): void {
  compile(schema);
}

/** The input parser of a tool with this schema: an object the schema accepts, or why not. */
export function compiledToolSchema(
  schema: Record<string, unknown>,
): (input: unknown) => ParsedInput<Record<string, unknown>> {
  const validate = compile(schema);
  return (input) => {
    if (!isRecord(input)) return { success: false, error: 'the input must be a JSON object' };
    if (validate(input)) return { success: true, data: input };
    return {
      success: false,
      error: validator().errorsText(validate.errors, { dataVar: 'input' }).slice(0, 500),
    };
  };
}

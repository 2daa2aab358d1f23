/**
 * Named component schemas for the OpenAPI document. A zod schema given an id with
 * `.meta({ id, description })` is converted once into `#/components/schemas/<id>` and referenced
 * wherever it appears; everything else stays inline. zod extracts named schemas into `$defs`
 * (JSON Schema 2020-12); this moves them into the components and rewrites the references.
 *
 * A schema can read differently as a request (input: defaults optional, unknown keys allowed
 * unless strict) and as a response (output). The output form takes the plain name; an input
 * form that differs is `<id>Input` — and so is every named schema that refers to one.
 */
import { isDeepStrictEqual } from 'node:util';
import * as z from 'zod';
import { isRecord } from '../is-record.js';

export type JsonSchema = Record<string, unknown>;
type Io = 'input' | 'output';

const DEFS_PREFIX = '#/$defs/';
const COMPONENTS_PREFIX = '#/components/schemas/';

/** Rewrites every `#/$defs/<id>` reference under `value` to the component `names(id)`. */
function withRefsIn(value: unknown, names: (id: string) => string): unknown {
  if (Array.isArray(value)) return value.map((item) => withRefsIn(item, names));
  return isRecord(value) ? withComponentRefs(value, names) : value;
}

/** A schema with every `#/$defs/<id>` reference rewritten to the component `names(id)`. */
function withComponentRefs(schema: JsonSchema, names: (id: string) => string): JsonSchema {
  return Object.fromEntries(
    Object.entries(schema).map(([key, child]) =>
      key === '$ref' && typeof child === 'string' && child.startsWith(DEFS_PREFIX)
        ? [key, `${COMPONENTS_PREFIX}${names(child.slice(DEFS_PREFIX.length))}`]
        : [key, withRefsIn(child, names)],
    ),
  );
}

/** The components of one document, filled as its operations' schemas are converted. */
export class ComponentSchemas {
  readonly #schemas = new Map<string, { readonly schema: JsonSchema; readonly io: Io }>();

  /** The JSON Schema of `schema` as a request (`input`) or response (`output`) body, referring to components. */
  schemaOf(schema: z.ZodType, io: Io): JsonSchema {
    const { $schema: _dialect, $defs, ...root } = z.toJSONSchema(schema, { io, target: 'draft-2020-12' });
    const defs: Record<string, JsonSchema> = isRecord($defs)
      ? Object.fromEntries(Object.entries($defs).flatMap(([id, def]) => (isRecord(def) ? [[id, def]] : [])))
      : {};
    const names = this.#namesFor(defs, io);
    for (const [id, def] of Object.entries(defs)) {
      const name = names(id);
      if (!this.#schemas.has(name)) this.#schemas.set(name, { schema: withComponentRefs(def, names), io });
    }
    return withComponentRefs(root, names);
  }

  /** The components so far, by name. */
  components(): Record<string, JsonSchema> {
    return Object.fromEntries([...this.#schemas].map(([name, { schema }]) => [name, schema]));
  }

  /**
   * The component name of each def of one conversion: its id, unless the component of that name
   * holds another form (then `<id>Input` for an input form; two different schemas with one id
   * are a declaration bug and throw). Repeated until stable, since a def that refers to a
   * renamed one differs in turn.
   */
  #namesFor(defs: Readonly<Record<string, JsonSchema>>, io: Io): (id: string) => string {
    const renamed = new Set<string>();
    const names = (id: string) => (renamed.has(id) ? `${id}Input` : id);
    for (let changed = true; changed; ) {
      changed = false;
      for (const [id, def] of Object.entries(defs)) {
        const existing = this.#schemas.get(names(id));
        if (existing === undefined || isDeepStrictEqual(existing.schema, withComponentRefs(def, names)))
          continue;
        if (io === 'output' || existing.io === 'input')
          throw new Error(`two different schemas are named ${id} (or its ${io} form changed)`);
        renamed.add(id);
        changed = true;
      }
    }
    return names;
  }
}

/**
 * A MOCK integration as API Gateway answers it (e.g. a CORS preflight): the integration
 * response's status and literal headers, then the headers its response mapping template
 * overrides (`$context.responseOverride.header.*`). The template language is Velocity; only the
 * part the bulkhead template uses is evaluated — `#set` of a variable from
 * `$input.params().header.get("Name")`, `#if` on `!$var` or `$var == "literal"` joined by `||`,
 * `#end`, and `#set($context.responseOverride.header.Name = $var)` — anything else throws by name.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { MockRouteSpec } from '../../lib/template/local-resolution.js';

export interface MockResponse {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
}

const SET_FROM_HEADER = /^#set\(\$(\w+) = \$input\.params\(\)\.header\.get\("([A-Za-z0-9-]+)"\)\)$/;
const SET_OVERRIDE = /^#set\(\$context\.responseOverride\.header\.([A-Za-z0-9-]+) = \$(\w+)\)$/;
const IF = /^#if\((.+)\)$/;
const NOT_SET = /^!\$(\w+)$/;
const EQUALS = /^\$(\w+) == "([^"]*)"$/;

/** The answer of a mock method to a request with `headers`. */
export function mockResponse(route: MockRouteSpec, headers: IncomingHttpHeaders): MockResponse {
  return {
    statusCode: route.statusCode,
    headers: { ...route.headers, ...headerOverrides(route.responseTemplate ?? '', headers) },
  };
}

function headerOverrides(template: string, headers: IncomingHttpHeaders): Record<string, string> {
  const variables = new Map<string, string>();
  const overrides: Record<string, string> = {};
  // One entry per open #if: whether its body runs (and every enclosing one does).
  const running: boolean[] = [];
  const active = () => running.every(Boolean);
  for (const raw of template.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    if (line === '#end') {
      if (running.pop() === undefined) throw new Error('mock template: #end without #if');
      continue;
    }
    const condition = IF.exec(line)?.[1];
    if (condition !== undefined) {
      running.push(active() && evaluate(condition, variables));
      continue;
    }
    const fromHeader = SET_FROM_HEADER.exec(line);
    if (fromHeader?.[1] !== undefined && fromHeader[2] !== undefined) {
      // Node gives header names in lower case; a header the request lacks leaves the variable as it was (Velocity's null).
      const value = headers[fromHeader[2].toLowerCase()];
      if (active() && typeof value === 'string') variables.set(fromHeader[1], value);
      continue;
    }
    const override = SET_OVERRIDE.exec(line);
    if (override?.[1] !== undefined && override[2] !== undefined) {
      const value = variables.get(override[2]);
      if (active() && value !== undefined) overrides[override[1]] = value;
      continue;
    }
    throw new Error(`mock template: the local gateway does not evaluate "${line}"`);
  }
  if (running.length > 0) throw new Error('mock template: #if without #end');
  return overrides;
}

function evaluate(condition: string, variables: ReadonlyMap<string, string>): boolean {
  return condition.split(' || ').some((term) => {
    const notSet = NOT_SET.exec(term)?.[1];
    if (notSet !== undefined) return !variables.get(notSet);
    const equals = EQUALS.exec(term);
    if (equals?.[1] !== undefined && equals[2] !== undefined) return variables.get(equals[1]) === equals[2];
    throw new Error(`mock template: the local gateway does not evaluate the condition "${term}"`);
  });
}

import type { JsonValue } from './converse-model.js';

/** A JSON copy of `value` (dropping undefined fields, as JSON.stringify does), checked rather than cast. */
export function toJsonValue(value: unknown): JsonValue {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (Array.isArray(value)) return value.map((item) => (item === undefined ? null : toJsonValue(item)));
  if (typeof value === 'object') {
    const entries = Object.entries(value).filter(
      ([, item]) => item !== undefined && typeof item !== 'function',
    );
    return Object.fromEntries(entries.map(([key, item]) => [key, toJsonValue(item)]));
  }
  throw new TypeError(`${typeof value} is not JSON`);
}

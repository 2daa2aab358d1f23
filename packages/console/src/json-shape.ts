/** Checks of JSON the console reads from outside its code (config.json, sessionStorage), instead of casts. */

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** `value` is an object whose `required` keys hold strings, and whose `optional` keys do when present. */
export function hasStrings<Required extends string, Optional extends string = never>(
  value: unknown,
  required: readonly Required[],
  optional: readonly Optional[] = [],
): value is Record<Required, string> & Partial<Record<Optional, string>> {
  return (
    isObject(value) &&
    required.every((key) => typeof value[key] === 'string') &&
    optional.every((key) => value[key] === undefined || typeof value[key] === 'string')
  );
}

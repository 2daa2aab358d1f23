/**
 * `npm start`'s command line, parsed in one place:
 *
 *   npm start                   in memory, one readable line per API request
 *   npm start -- --persist      keep data under .local-data/ (or BULKHEAD_PERSIST=1)
 *   npm start -- --json         the functions' raw JSON logs and metrics, and each request as JSON
 *                               (or BULKHEAD_JSON_LOGS=1)
 */
import { parseArgs } from 'node:util';

export interface StartOptions {
  readonly persist: boolean;
  readonly json: boolean;
}

export const START_USAGE = 'usage: npm start [-- --persist] [--json]';

/** The options from `argv` (without node and the script) and the environment; throws on an unknown flag. */
export function parseStartOptions(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): StartOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: { persist: { type: 'boolean' }, json: { type: 'boolean' } },
    strict: true,
    allowPositionals: false,
  });
  return {
    persist: values.persist === true || env.BULKHEAD_PERSIST === '1',
    json: values.json === true || env.BULKHEAD_JSON_LOGS === '1',
  };
}

/**
 * The report commands' one command-line reader: `node:util` parseArgs for the flags, zod for
 * their values, `--api`/`--token` falling back to BULKHEAD_API_URL / BULKHEAD_TOKEN. Every
 * problem becomes one UsageError (exit code 2) naming the flags.
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import * as z from 'zod';
import { UsageError } from './errors.js';

export type Environment = Readonly<Record<string, string | undefined>>;

/** The flags every report command takes: where the API is, and whose token to send. */
export const API_OPTIONS = {
  api: z.string({ error: '--api (or BULKHEAD_API_URL) is required' }).min(1, '--api must not be empty'),
  token: z.string({ error: '--token (or BULKHEAD_TOKEN) is required' }).min(1, '--token must not be empty'),
};

/** An empty environment variable counts as unset (as `VAR= npm run report` means). */
function setOrUndefined(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/**
 * Reads `argv` (without node and the script) with the command's `flags` (besides --api and
 * --token) into `schema`; `absent` gives the value a flag the caller left out stands for.
 */
export function parseCommandLine<Schema extends z.ZodType>(
  argv: readonly string[],
  env: Environment,
  flags: NonNullable<ParseArgsConfig['options']>,
  schema: Schema,
  absent: Readonly<Record<string, unknown>> = {},
): z.output<Schema> {
  let values: Record<string, unknown>;
  try {
    values = parseArgs({
      args: [...argv],
      options: { ...flags, api: { type: 'string' }, token: { type: 'string' } },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err), { cause: err });
  }
  const parsed = schema.safeParse({
    ...absent,
    ...values,
    api: values.api ?? setOrUndefined(env.BULKHEAD_API_URL),
    token: values.token ?? setOrUndefined(env.BULKHEAD_TOKEN),
  });
  if (!parsed.success) {
    throw new UsageError(
      parsed.error.issues
        .map((issue) => (issue.path[0] === 'month' ? `--month: ${issue.message}` : issue.message))
        .join('; '),
    );
  }
  return parsed.data;
}

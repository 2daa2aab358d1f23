/**
 * `npm run report -- --month 2026-11 --format json|csv|html [--out FILE]
 *  [--api URL] [--token JWT]`: the platform cost report, fetched from the
 * control API (`GET /v1/admin/costs`) with an operator's token.
 * `--api`/`--token` fall back to BULKHEAD_API_URL / BULKHEAD_TOKEN.
 *
 * Exit codes: 0 done; 2 bad arguments or the API refused the token
 * (401/403); 1 anything else (API unreachable or failing).
 */
import { writeFile } from 'node:fs/promises';
import { renderCsv } from '@bulkhead/client';
import * as z from 'zod';
import { MonthSchema } from '../../lambdas/metering/tenant-costs.js';
import { API_OPTIONS, type Environment, parseCommandLine } from './command-line.js';
import { apiBaseUrl, fetchPlatformCosts } from './costs-client.js';
import { ApiFailedError, ApiRefusedError, UsageError } from './errors.js';
import { renderHtml } from './html-report.js';

export const USAGE =
  'usage: npm run report -- [--month YYYY-MM] [--format json|csv|html] [--out FILE] ' +
  '[--api URL] [--token JWT]   (or BULKHEAD_API_URL, BULKHEAD_TOKEN)';

const FORMATS = ['json', 'csv', 'html'] as const;

const OptionsSchema = z.object({
  month: MonthSchema.optional(),
  format: z.enum(FORMATS, { error: `--format must be one of ${FORMATS.join(', ')}` }).default('json'),
  out: z.string().min(1, '--out needs a file name').optional(),
  ...API_OPTIONS,
});

export interface ReportIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

function parseOptions(argv: readonly string[], env: Environment) {
  const flags = { month: { type: 'string' }, format: { type: 'string' }, out: { type: 'string' } } as const;
  return parseCommandLine(argv, env, flags, OptionsSchema);
}

const RENDERERS = {
  json: (report: unknown) => `${JSON.stringify(report, null, 2)}\n`,
  csv: renderCsv,
  html: renderHtml,
} as const;

/** Runs the report; returns the process exit code (errors are written to stderr, never thrown). */
export async function runCostReport(
  argv: readonly string[],
  env: Environment,
  io: ReportIo,
): Promise<number> {
  try {
    const options = parseOptions(argv, env);
    const report = await fetchPlatformCosts({
      baseUrl: apiBaseUrl(options.api),
      token: options.token,
      ...(options.month === undefined ? {} : { month: options.month }),
    });
    const text = RENDERERS[options.format](report);
    if (options.out === undefined) io.stdout(text);
    else await writeFile(options.out, text, 'utf8');
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`cost-report: ${err.message}\n${USAGE}\n`);
      return err.exitCode;
    }
    if (err instanceof ApiRefusedError || err instanceof ApiFailedError) {
      io.stderr(`cost-report: ${err.message}\n`);
      return err.exitCode;
    }
    io.stderr(`cost-report: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

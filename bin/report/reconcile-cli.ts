/**
 * `npm run report -- reconcile --cur FILE [--cur FILE]... --month YYYY-MM [--tolerance PERCENT]
 *  [--cost unblended|public-on-demand] [--tag-key KEY] [--product-code CODE]... [--api URL] [--token JWT]`:
 * the month's Bedrock cost per tenant in a CUR 2.0 export (one file, or every part of a month
 * split over several) against the platform's metered cost.
 *
 * Exit codes: 0 every tenant within tolerance; 3 a mismatch beyond it; 2 bad arguments, an
 * unreadable export, or the API refused the token; 1 the API unreachable or failing.
 */
import * as z from 'zod';
import { MonthSchema } from '../../lambdas/metering/tenant-costs.js';
import type { ReportIo } from './cli.js';
import { API_OPTIONS, type Environment, parseCommandLine } from './command-line.js';
import {
  COST_BASES,
  DEFAULT_PRODUCT_CODES,
  DEFAULT_TAG_KEY,
  DEFAULT_TOLERANCE_PERCENT,
  reconcileCosts,
  renderReconciliation,
} from './cost-reconciliation.js';
import { apiBaseUrl } from './costs-client.js';
import { readCurExports } from './cur-export.js';
import { ApiFailedError, ApiRefusedError, CurExportError, UsageError } from './errors.js';
import { fetchMeteredCosts, type MeteredCostsFetcher } from './metered-costs.js';

export const RECONCILE_USAGE =
  'usage: npm run report -- reconcile --cur FILE [--cur FILE]... --month YYYY-MM [--tolerance PERCENT] ' +
  '[--cost unblended|public-on-demand] [--tag-key KEY] [--product-code CODE]... [--api URL] [--token JWT]';

/** Exit code of a reconciliation that found a difference beyond tolerance. */
export const MISMATCH_EXIT_CODE = 3;

const OptionsSchema = z.object({
  cur: z
    .array(z.string().min(1, '--cur must not be empty'), {
      error: '--cur FILE (the CUR 2.0 export) is required',
    })
    .min(1, '--cur FILE (the CUR 2.0 export) is required'),
  month: MonthSchema,
  tolerance: z.coerce
    .number({ error: '--tolerance must be a number (percent)' })
    .min(0, '--tolerance must not be negative')
    .default(DEFAULT_TOLERANCE_PERCENT),
  cost: z.enum(COST_BASES, { error: `--cost must be one of ${COST_BASES.join(', ')}` }).default('unblended'),
  'tag-key': z.string().min(1, '--tag-key must not be empty').default(DEFAULT_TAG_KEY),
  'product-code': z
    .array(z.string().min(1))
    .min(1)
    .default([...DEFAULT_PRODUCT_CODES]),
  ...API_OPTIONS,
});

const FLAGS = {
  // A month's export may arrive in several part files: each is read on its own (its own header).
  cur: { type: 'string', multiple: true },
  month: { type: 'string' },
  tolerance: { type: 'string' },
  cost: { type: 'string' },
  'tag-key': { type: 'string' },
  'product-code': { type: 'string', multiple: true },
} as const;

/** Runs the reconciliation; returns the exit code (errors go to stderr, never thrown). */
export async function runReconcile(
  argv: readonly string[],
  env: Environment,
  io: ReportIo,
  fetchMetered: MeteredCostsFetcher = fetchMeteredCosts,
): Promise<number> {
  try {
    // --month is required here: an absent one is reported as a bad month.
    const options = parseCommandLine(argv, env, FLAGS, OptionsSchema, { month: '' });
    const connection = { baseUrl: apiBaseUrl(options.api), token: options.token };
    const [lineItems, metered] = await Promise.all([
      readCurExports(options.cur, options.cost),
      fetchMetered(connection, options.month),
    ]);
    const reconciliation = reconcileCosts(lineItems, metered, {
      month: options.month,
      tagKey: options['tag-key'],
      tolerancePercent: options.tolerance,
      costBasis: options.cost,
      productCodes: options['product-code'],
    });
    io.stdout(renderReconciliation(reconciliation));
    return reconciliation.mismatches === 0 ? 0 : MISMATCH_EXIT_CODE;
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`cost-report reconcile: ${err.message}\n${RECONCILE_USAGE}\n`);
      return err.exitCode;
    }
    if (err instanceof CurExportError || err instanceof ApiRefusedError || err instanceof ApiFailedError) {
      io.stderr(`cost-report reconcile: ${err.message}\n`);
      return err.exitCode;
    }
    io.stderr(`cost-report reconcile: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

/**
 * The platform cost report, as an HTTPS client of the control API (see
 * bin/report/cli.ts for options and exit codes):
 *
 *   npm run report -- --month 2026-11 --format html --out costs.html \
 *     --api https://<api-id>.execute-api.<region>.amazonaws.com/prod --token <operator JWT>
 *
 * and its reconciliation with AWS's bill (bin/report/reconcile-cli.ts):
 *
 *   npm run report -- reconcile --cur export.parquet --month 2026-11 --api … --token …
 */
import { runCostReport } from './report/cli.js';
import { runReconcile } from './report/reconcile-cli.js';

const io = {
  stdout: (text: string) => process.stdout.write(text),
  stderr: (text: string) => process.stderr.write(text),
};
const [command, ...rest] = process.argv.slice(2);
process.exitCode =
  command === 'reconcile'
    ? await runReconcile(rest, process.env, io)
    : await runCostReport(process.argv.slice(2), process.env, io);

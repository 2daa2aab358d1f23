/**
 * The platform cost report, as an HTTPS client of the control API (see
 * bin/report/cli.ts for options and exit codes):
 *
 *   npm run report -- --month 2026-11 --format html --out costs.html \
 *     --api https://<api-id>.execute-api.<region>.amazonaws.com/prod --token <operator JWT>
 */
import { runCostReport } from './report/cli.js';

process.exitCode = await runCostReport(process.argv.slice(2), process.env, {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
});

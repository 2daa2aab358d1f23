/** Entry of `npm run capacity` (see cli.ts for flags and exit codes). */
import { runCapacityCli } from './cli.js';

process.exitCode = runCapacityCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
});

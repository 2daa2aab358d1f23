/**
 * Cold start per function: bundles every function as `cdk synth` does and times module init in
 * fresh Node.js 24 processes.
 *
 *   npx tsx bench/cold-start/main.ts [--runs N]
 *     → bench/results/cold-start.json, bench/results/cold-start.md
 */
import { parseArgs } from 'node:util';
import { measureColdStart } from './cold-start.js';
import { writeColdStartResults } from './report.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '7' } } });
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs must be a positive integer');

const report = measureColdStart({
  runs,
  onFunction: (fn) =>
    console.log(
      `${fn.logicalId.padEnd(40)} ${(fn.bundleBytes / 1000).toFixed(0).padStart(5)} KB  init ${fn.initMedianMs.toFixed(1)} ms median, ${fn.initP90Ms.toFixed(1)} ms p90, ${fn.initCpuMedianMs.toFixed(1)} ms CPU`,
    ),
});
writeColdStartResults(report);
console.log(
  `Node.js ${report.node.version}, load average ${report.loadAverage.toFixed(1)}: bench/results/cold-start.json, bench/results/cold-start.md`,
);

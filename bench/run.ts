/**
 * `npm run bench`: runs the benchmark steps below in order, then writes
 *
 *   bench/results/latest.json   every step's result under its name, with the commit and the machine
 *   bench/results/summary.md    the headline tables; per-route costs as baseline → this run
 *
 * (the capacity step also writes its own files: bench/results/capacity.{json,md},
 * docs/capacity.md's tables and docs/capacity-sts.svg; the cold-start step bench/results/cold-start.{json,md}). A step is a name and a function (STEPS);
 * steps that need a local cloud share one, started on first use and stopped at the end.
 *
 *   npm run bench -- --record-baseline   also makes this run bench/results/baseline.json (the "before")
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { repoPath } from '../lib/repo-root.js';
import {
  type Baseline,
  BaselineSchema,
  type BenchReport,
  baselineOf,
  type CapacityHeadline,
  capacityHeadlines,
  currentCommit,
  thisMachine,
} from './bench-report.js';
import { runCapacityCli } from './capacity/cli.js';
import type { CapacityReport } from './capacity/model.js';
import { measureColdStart } from './cold-start/cold-start.js';
import { writeColdStartResults } from './cold-start/report.js';
import { measureRoutes, type RouteMeasurement } from './end-to-end.js';
import { measureGuardRails } from './guardrail-benchmarks.js';
import { type MeteredCloud, startMeteredCloud } from './metered-cloud.js';
import { renderSummary } from './summary.js';

interface BenchContext {
  /** The run's local cloud, metered at its front door (started on first use). */
  localCloud(): Promise<MeteredCloud>;
}

type StepResults = BenchReport['steps'];
/** Each step by the name its result has in latest.json; they run in this order. */
type BenchSteps = {
  readonly [Name in keyof StepResults]: (
    bench: BenchContext,
  ) => StepResults[Name] | Promise<StepResults[Name]>;
};

const SAMPLES_PER_ROUTE = 30;
/** Fresh processes per function for module init (bench/cold-start). */
const COLD_START_RUNS = 7;
const RESULTS = repoPath('bench/results');

const STEPS: BenchSteps = {
  endToEnd: async (bench) => measureRoutes(await bench.localCloud(), SAMPLES_PER_ROUTE, logRoute),
  micro: async (bench) => measureGuardRails((await bench.localCloud()).cloud),
  capacity: () => capacityStep(),
  coldStart: () => {
    const report = measureColdStart({ runs: COLD_START_RUNS });
    writeColdStartResults(report);
    return report;
  },
};

function logRoute(route: RouteMeasurement): void {
  console.log(
    `${route.route.padEnd(48)} p50 ${String(route.latencyMs.p50).padStart(6)} ms  p99 ${String(route.latencyMs.p99).padStart(6)} ms  ` +
      `overhead p50 ${route.overheadMs?.p50 ?? '—'} ms  ${route.awsCalls} AWS calls  ${route.writeUnits} WCU  ${route.readUnits} RCU`,
  );
}

/** The capacity model through its CLI (which writes its own files); keeps the headline. */
function capacityStep(): CapacityHeadline[] {
  let report: CapacityReport | undefined;
  const args = [
    '--out',
    RESULTS,
    '--chart',
    repoPath('docs/capacity-sts.svg'),
    '--docs',
    repoPath('docs/capacity.md'),
  ];
  const exitCode = runCapacityCli(args, {
    stdout: () => undefined,
    stderr: (text) => process.stderr.write(text),
    report: (done) => {
      report = done;
    },
  });
  if (exitCode !== 0 || report === undefined)
    throw new Error(`the capacity model failed (exit code ${exitCode})`);
  return capacityHeadlines(report);
}

async function runSteps(): Promise<StepResults> {
  let starting: Promise<MeteredCloud> | undefined;
  const bench: BenchContext = {
    localCloud: () => {
      starting ??= startMeteredCloud();
      return starting;
    },
  };
  const results: Record<string, unknown> = {};
  try {
    for (const [name, run] of Object.entries(STEPS)) {
      const started = performance.now();
      results[name] = await run(bench);
      console.log(`step ${name}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
    }
    return results;
  } finally {
    if (starting !== undefined) await (await starting).cloud.stop();
  }
}

const { values: flags } = parseArgs({ options: { 'record-baseline': { type: 'boolean', default: false } } });
const report: BenchReport = {
  generatedAt: new Date().toISOString(),
  ...currentCommit(),
  machine: thisMachine(),
  steps: await runSteps(),
};
const baselineFile = `${RESULTS}/baseline.json`;
mkdirSync(RESULTS, { recursive: true });
if (flags['record-baseline']) writeFileSync(baselineFile, `${JSON.stringify(baselineOf(report), null, 2)}\n`);
const baseline: Baseline | undefined = existsSync(baselineFile)
  ? BaselineSchema.parse(JSON.parse(readFileSync(baselineFile, 'utf8')))
  : undefined;
writeFileSync(`${RESULTS}/latest.json`, `${JSON.stringify(report, null, 2)}\n`);
writeFileSync(`${RESULTS}/summary.md`, renderSummary(report, baseline));
console.log(
  `written: ${RESULTS}/latest.json, ${RESULTS}/summary.md${flags['record-baseline'] ? ', baseline.json' : ''}`,
);

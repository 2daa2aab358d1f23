/**
 * Cold start per function (issue 13): the size of the bundle `cdk synth` builds and the module
 * init time of that bundle in fresh Node.js processes, against the targets.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleFunctions, type FunctionBundle } from '../../lib/template/function-bundles.js';
import { percentile, roundTenth } from '../statistics.js';
import { type InitSample, sampleModuleInit } from './module-init.js';
import { lambdaNodeRuntime, type NodeRuntime } from './node-runtime.js';

/** Issue 13's targets: 500 KB (500,000 bytes) minified, 100 ms module init on Node.js 24. */
export const COLD_START_TARGETS = { bundleBytes: 500_000, initMs: 100 } as const;

export interface FunctionColdStart {
  readonly logicalId: string;
  readonly entry: string;
  readonly bundleBytes: number;
  readonly initMedianMs: number;
  readonly initP90Ms: number;
  readonly initSamplesMs: readonly number[];
  /** CPU time of init (user + system): less disturbed than wall time when the machine is busy. */
  readonly initCpuMedianMs: number;
  readonly meetsBundleTarget: boolean;
  readonly meetsInitTarget: boolean;
}

export interface ColdStartReport {
  readonly generatedAt: string;
  /** The machine's 1-minute load average when the run began: init times on a busy machine run long. */
  readonly loadAverage: number;
  readonly node: NodeRuntime;
  readonly runsPerFunction: number;
  readonly targets: typeof COLD_START_TARGETS;
  readonly functions: readonly FunctionColdStart[];
}

export interface ColdStartOptions {
  /**
   * Fresh processes per function.
   * @default 7
   */
  readonly runs?: number;
  /**
   * The Node.js to import the bundles with.
   * @default - Node.js 24 from the npm registry (lambdaNodeRuntime)
   */
  readonly node?: NodeRuntime;
  /** Called with each function's result once every run is done. */
  readonly onFunction?: (result: FunctionColdStart) => void;
}

/** The p-th percentile of `values` (bench/statistics.ts, nearest rank); a run always has samples. */
function quantile(values: readonly number[], p: number): number {
  const value = percentile(values, p);
  if (value === undefined) throw new Error('no samples');
  return value;
}

/** One function's samples against the targets; throws if init exported no handler or opened a connection. */
function summarize(bundle: FunctionBundle, samples: readonly InitSample[]): FunctionColdStart {
  const failed = samples.find((sample) => !sample.exportsHandler || sample.connections.length > 0);
  if (failed !== undefined)
    throw new Error(
      `${bundle.entry}: init must export a handler and open no connection, got ${JSON.stringify(failed)}`,
    );
  const initSamplesMs = samples.map((sample) => roundTenth(sample.initMs));
  const initMedianMs = quantile(initSamplesMs, 50);
  return {
    logicalId: bundle.logicalId,
    entry: bundle.entry,
    bundleBytes: bundle.bundleBytes,
    initMedianMs,
    initP90Ms: quantile(initSamplesMs, 90),
    initSamplesMs,
    initCpuMedianMs: quantile(
      samples.map((sample) => roundTenth(sample.initCpuMs)),
      50,
    ),
    meetsBundleTarget: bundle.bundleBytes <= COLD_START_TARGETS.bundleBytes,
    meetsInitTarget: initMedianMs <= COLD_START_TARGETS.initMs,
  };
}

/** Bundles every function as `cdk synth` does and times its module init `runs` times. */
export function measureColdStart(options: ColdStartOptions = {}): ColdStartReport {
  const runs = options.runs ?? 7;
  const node = options.node ?? lambdaNodeRuntime();
  const [loadAverage = 0] = loadavg();
  const outdir = mkdtempSync(join(tmpdir(), 'bulkhead-cold-start-'));
  try {
    const bundles = bundleFunctions(outdir);
    // Round-robin over the functions, so a busy spell on the machine spreads over all of them.
    const samples = bundles.map((): InitSample[] => []);
    for (let run = 0; run < runs; run += 1)
      for (const [index, bundle] of bundles.entries())
        samples[index]?.push(sampleModuleInit({ functionName: bundle.logicalId, ...bundle }, node.binary));
    const functions = bundles.map((bundle, index) => {
      const result = summarize(bundle, samples[index] ?? []);
      options.onFunction?.(result);
      return result;
    });
    return {
      generatedAt: new Date().toISOString(),
      loadAverage,
      node,
      runsPerFunction: runs,
      targets: COLD_START_TARGETS,
      functions,
    };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

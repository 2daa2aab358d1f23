/**
 * The shapes of the bench's outputs: `bench/results/latest.json` (one run: every step's result,
 * the commit and the machine it ran on) and `bench/results/baseline.json` (the per-route costs a
 * later run is compared with), with the capacity model's headline numbers.
 */

import { execFileSync } from 'node:child_process';
import { arch, cpus, loadavg, platform } from 'node:os';
import * as z from 'zod';
import type { CapacityReport } from './capacity/model.js';
import type { ColdStartReport } from './cold-start/cold-start.js';
import type { EndToEndResult } from './end-to-end.js';
import type { MicroBenchmark } from './guardrail-benchmarks.js';

export interface Machine {
  readonly node: string;
  readonly platform: string;
  readonly cpu: string;
  readonly cores: number;
  /** The 1-minute load average when the run started: latencies on a busy machine are not comparable. */
  readonly loadAverage: number;
}

/** The commit a run measured; `dirty` when the work tree had uncommitted changes. */
export interface MeasuredCommit {
  readonly commit: string;
  readonly dirty: boolean;
}

/** The capacity model at one load, in the numbers the summary shows. */
export interface CapacityHeadline {
  readonly rps: number;
  readonly sessionHitRate: number;
  readonly stsCallsPerSecond: number;
  readonly stsLimitUse: number;
  readonly costPer1000TurnsUsd: number;
  readonly modelShare: number;
  /** The busiest tenant's hottest partition: its name and its share of 1,000 WCU/s. */
  readonly hottestPartition: string;
  readonly hottestPartitionUse: number;
}

/** Results by step name (see bench/run.ts); the summary renders the steps it knows. */
export interface BenchReport extends MeasuredCommit {
  readonly generatedAt: string;
  readonly machine: Machine;
  readonly steps: {
    readonly micro?: readonly MicroBenchmark[];
    readonly endToEnd?: EndToEndResult;
    readonly capacity?: readonly CapacityHeadline[];
    readonly coldStart?: ColdStartReport;
    readonly [other: string]: unknown;
  };
}

/** Per-route costs of a recorded run: the "before" of before → after (`baseline.json`). */
export const BaselineSchema = z.object({
  commit: z.string(),
  dirty: z.boolean(),
  measuredAt: z.string(),
  routes: z.record(
    z.string(),
    z.object({ awsCalls: z.number(), writeUnits: z.number(), readUnits: z.number() }),
  ),
});
export type Baseline = z.infer<typeof BaselineSchema>;

export function thisMachine(): Machine {
  const processors = cpus();
  return {
    node: process.version,
    platform: `${platform()} ${arch()}`,
    cpu: processors[0]?.model.trim() ?? 'unknown',
    cores: processors.length,
    loadAverage: Math.round((loadavg()[0] ?? 0) * 10) / 10,
  };
}

export function currentCommit(): MeasuredCommit {
  const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8' }).trim();
  return {
    commit: git('rev-parse', 'HEAD'),
    dirty: git('status', '--porcelain', '--untracked-files=no') !== '',
  };
}

/** The capacity model's headline at each load it was run for. */
export function capacityHeadlines(report: CapacityReport): CapacityHeadline[] {
  return report.rows.map((row) => {
    const busiest = row.hotItems[0];
    return {
      rps: row.sessions.rps,
      // The sessions as they are made now: vended by the authorizer.
      sessionHitRate: row.sessions.vended.hitRate,
      stsCallsPerSecond: row.sessions.vended.stsCallsPerSecond,
      stsLimitUse: row.sessions.vended.stsLimitUse,
      costPer1000TurnsUsd: row.cost.usd.total,
      modelShare: row.cost.modelShare,
      hottestPartition:
        busiest === undefined ? 'none' : `${busiest.tier} #${busiest.tenantRank}: ${busiest.hottest.name}`,
      hottestPartitionUse: busiest?.hottestUse ?? 0,
    };
  });
}

/** The baseline a run makes: its per-route costs. */
export function baselineOf(report: BenchReport): Baseline {
  const routes = report.steps.endToEnd?.routes ?? [];
  return {
    commit: report.commit,
    dirty: report.dirty,
    measuredAt: report.generatedAt,
    routes: Object.fromEntries(
      routes.map(({ route, awsCalls, writeUnits, readUnits }) => [
        route,
        { awsCalls, writeUnits, readUnits },
      ]),
    ),
  };
}

/** The cold-start report as a markdown table (bench/results/cold-start.md, docs/cold-start.md). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { repoPath } from '../../lib/repo-root.js';
import type { ColdStartReport } from './cold-start.js';

const kb = (bytes: number) => (bytes / 1000).toFixed(0);
const mark = (met: boolean) => (met ? 'yes' : '**no**');

/** One row per function: bundle size, init median/p90, whether each target holds. */
export function coldStartMarkdown(report: ColdStartReport): string {
  const { targets, node } = report;
  const lines = [
    `Node.js ${node.version}${node.fallbackReason === undefined ? '' : ' (not Lambda’s Node.js 24: npx could not provide it)'}, ` +
      `${report.runsPerFunction} fresh processes per function, ${report.generatedAt.slice(0, 10)}, ` +
      `machine load average ${report.loadAverage.toFixed(1)}. ` +
      `Targets: bundle ≤ ${kb(targets.bundleBytes)} KB, module init ≤ ${targets.initMs} ms (median).`,
    '',
    '| function | entry | bundle KB | ≤ target | init median ms | init p90 ms | init CPU median ms | ≤ target |',
    '|---|---|---:|---|---:|---:|---:|---|',
    ...report.functions.map(
      (fn) =>
        `| ${fn.logicalId} | \`${fn.entry}\` | ${kb(fn.bundleBytes)} | ${mark(fn.meetsBundleTarget)} | ` +
        `${fn.initMedianMs.toFixed(1)} | ${fn.initP90Ms.toFixed(1)} | ${fn.initCpuMedianMs.toFixed(1)} | ` +
        `${mark(fn.meetsInitTarget)} |`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}

/** Writes `bench/results/cold-start.json` and `cold-start.md` for a run. */
export function writeColdStartResults(report: ColdStartReport): void {
  mkdirSync(repoPath('bench/results'), { recursive: true });
  writeFileSync(repoPath('bench/results/cold-start.json'), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(repoPath('bench/results/cold-start.md'), coldStartMarkdown(report));
}

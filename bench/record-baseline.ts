/**
 * Makes the latest bench run the baseline that later runs are compared with, and renders the
 * summary against it:
 *
 *   npx tsx bench/record-baseline.ts   bench/results/latest.json → baseline.json, summary.md
 *
 * Record it from a run of the commit that is the "before" (a clean work tree).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { repoPath } from '../lib/repo-root.js';
import { type BenchReport, baselineOf } from './bench-report.js';
import { renderSummary } from './summary.js';

const report: BenchReport = JSON.parse(readFileSync(repoPath('bench/results/latest.json'), 'utf8'));
const baseline = baselineOf(report);
writeFileSync(repoPath('bench/results/baseline.json'), `${JSON.stringify(baseline, null, 2)}\n`);
writeFileSync(repoPath('bench/results/summary.md'), renderSummary(report, baseline));
console.log(`baseline: ${Object.keys(baseline.routes).length} routes at commit ${baseline.commit}`);

/** `bench/results/summary.md`: the run's headline tables, rendered from latest.json and the baseline. */

import type { Baseline, BenchReport, CapacityHeadline } from './bench-report.js';
import { coldStartMarkdown } from './cold-start/report.js';
import type { EndToEndResult } from './end-to-end.js';
import type { MicroBenchmark } from './guardrail-benchmarks.js';
import { markdownTable } from './markdown.js';
import type { MeterReading } from './metered-cloud.js';

const KNOWN_STEPS = new Set(['micro', 'endToEnd', 'capacity', 'coldStart']);

const thousands = (value: number, decimals = 0) =>
  value.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
const percent = (share: number) => `${thousands(share * 100, 1)} %`;

/** "before → now" for a counted cost; "— → now" for a route the baseline does not have. */
function beforeAfter(before: number | undefined, now: number): string {
  return `${before ?? '—'} → ${now}`;
}

/** The summary as markdown. */
export function renderSummary(report: BenchReport, baseline: Baseline | undefined): string {
  const { machine } = report;
  const sections = [
    '# Bench summary',
    `Run ${report.generatedAt} at commit ${report.commit.slice(0, 7)}${report.dirty ? ' (with uncommitted changes)' : ''} ` +
      `on ${machine.platform}, ${machine.cores} × ${machine.cpu}, Node ${machine.node}, load average ${machine.loadAverage} at the start. ` +
      'Latencies are this machine’s, on the local cloud (DynamoDB Local and emulators on loopback): ' +
      'compare them between runs on one machine, never with AWS. AWS calls and capacity units are counts ' +
      'and repeat from run to run. Everything is in `latest.json`.',
  ];
  const { endToEnd, micro, capacity, coldStart } = report.steps;
  if (endToEnd !== undefined) sections.push(endToEndSection(endToEnd, baseline));
  if (micro !== undefined) sections.push(microSection(micro));
  if (capacity !== undefined) sections.push(capacitySection(capacity));
  if (coldStart !== undefined)
    sections.push(`## Cold start, per function\n\n${coldStartMarkdown(coldStart)}`);
  const others = Object.keys(report.steps).filter((name) => !KNOWN_STEPS.has(name));
  if (others.length > 0) sections.push(`## Other steps\n\nIn \`latest.json\`: ${others.join(', ')}.`);
  return `${sections.join('\n\n')}\n`;
}

function endToEndSection(result: EndToEndResult, baseline: Baseline | undefined): string {
  const cost = (route: string, key: keyof MeterReading, now: number) =>
    beforeAfter(baseline?.routes[route]?.[key], now);
  const rows = result.routes.map((route) => [
    route.route,
    route.latencyMs.p50,
    route.latencyMs.p99,
    route.overheadMs?.p50 ?? '—',
    route.overheadMs?.p99 ?? '—',
    cost(route.route, 'awsCalls', route.awsCalls),
    cost(route.route, 'writeUnits', route.writeUnits),
    cost(route.route, 'readUnits', route.readUnits),
  ]);
  const against =
    baseline === undefined
      ? 'No baseline: `bench/results/baseline.json` is missing.'
      : `Costs are baseline → this run; the baseline was measured at commit ${baseline.commit.slice(0, 7)} (\`baseline.json\`).`;
  return [
    '## End to end, per route',
    `${result.samplesPerRoute} timed requests per route, one at a time, after one warm-up request; milliseconds. ` +
      'Overhead is the `x-bulkhead-overhead-ms` header (time outside the model and tools). AWS calls are counted ' +
      'at the front door (median per request); write and read units are DynamoDB capacity units, the median of ' +
      `${result.costSamplesPerRoute} further requests measured at the front door. ` +
      `p99 is the nearest-rank 99th percentile: with fewer than 100 samples, the slowest request. ${against}`,
    markdownTable(
      ['route', 'p50', 'p99', 'overhead p50', 'overhead p99', 'AWS calls', 'write units', 'read units'],
      rows,
    ),
  ].join('\n\n');
}

function microSection(results: readonly MicroBenchmark[]): string {
  return [
    '## Micro benchmarks (guard rails on the local cloud)',
    markdownTable(
      ['benchmark', 'operations', 'ops/s'],
      results.map((result) => [
        result.name,
        thousands(result.operations),
        thousands(result.operationsPerSecond),
      ]),
    ),
  ].join('\n\n');
}

function capacitySection(headlines: readonly CapacityHeadline[]): string {
  return [
    '## Capacity model (full tables: `capacity.md`, `docs/capacity.md`)',
    markdownTable(
      [
        'req/s',
        'session hit rate',
        'STS AssumeRole/s',
        'of STS limit',
        'USD per 1,000 turns',
        'model share',
        'busiest tenant’s hottest partition',
        'of 1,000 WCU/s',
      ],
      headlines.map((headline) => [
        thousands(headline.rps),
        percent(headline.sessionHitRate),
        thousands(headline.stsCallsPerSecond, 1),
        percent(headline.stsLimitUse),
        `$${headline.costPer1000TurnsUsd.toFixed(4)}`,
        percent(headline.modelShare),
        headline.hottestPartition,
        percent(headline.hottestPartitionUse),
      ]),
    ),
  ].join('\n\n');
}

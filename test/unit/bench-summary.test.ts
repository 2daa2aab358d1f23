/** The bench's percentile math and its markdown summary (bench/statistics.ts, bench/summary.ts). */
import { describe, expect, it } from 'vitest';
import type { Baseline, BenchReport } from '../../bench/bench-report.js';
import { percentile, spreadOf } from '../../bench/statistics.js';
import { renderSummary } from '../../bench/summary.js';

const ONE_TO_HUNDRED = Array.from({ length: 100 }, (_, index) => 100 - index);

describe('percentile', () => {
  it('answers the nearest-rank value, whatever the order of the samples', () => {
    expect(percentile(ONE_TO_HUNDRED, 50)).toBe(50);
    expect(percentile(ONE_TO_HUNDRED, 99)).toBe(99);
    expect(percentile(ONE_TO_HUNDRED, 100)).toBe(100);
    expect(percentile([7, 1, 3], 50)).toBe(3);
    expect(percentile([7, 1, 3, 5], 50)).toBe(3);
  });

  it('gives the only sample for every percentile, and nothing for no samples', () => {
    expect(percentile([4], 1)).toBe(4);
    expect(percentile([4], 99)).toBe(4);
    expect(percentile([], 50)).toBeUndefined();
  });

  it('refuses a percentile outside (0, 100]', () => {
    expect(() => percentile([1], 0)).toThrow(RangeError);
    expect(() => percentile([1], 101)).toThrow(/\(0, 100\]/);
  });

  it('rounds the spread to tenths and has none without samples', () => {
    expect(spreadOf([1.04, 2.06, 30.449])).toEqual({ p50: 2.1, p99: 30.4 });
    expect(spreadOf([])).toBeUndefined();
  });
});

const REPORT: BenchReport = {
  generatedAt: '2026-12-01T12:00:00.000Z',
  commit: 'abcdef0123456789',
  dirty: true,
  machine: { node: 'v20.20.2', platform: 'linux x64', cpu: 'Test CPU', cores: 2, loadAverage: 1.5 },
  steps: {
    endToEnd: {
      samplesPerRoute: 30,
      costSamplesPerRoute: 3,
      callsByService: { dynamodb: 10 },
      routes: [
        {
          route: 'POST /v1/chat (no tool)',
          awsCalls: 9,
          writeUnits: 14,
          readUnits: 2.5,
          latencyMs: { p50: 66.4, p99: 126.9 },
          overheadMs: { p50: 57, p99: 93 },
        },
        { route: 'GET /v1/new', awsCalls: 3, writeUnits: 0, readUnits: 1, latencyMs: { p50: 5, p99: 6 } },
      ],
    },
    capacity: [
      {
        rps: 10_000,
        sessionHitRate: 0.155,
        stsCallsPerSecond: 8445,
        stsLimitUse: 14.075,
        costPer1000TurnsUsd: 0.14803,
        modelShare: 0.73,
        hottestPartition: 'enterprise #1: rate-limit counter',
        hottestPartitionUse: 1.583,
      },
    ],
    laterStep: { functions: [] },
  },
};

const BASELINE: Baseline = {
  commit: '1234567890abcdef',
  dirty: false,
  measuredAt: '2026-12-01T11:00:00.000Z',
  routes: { 'POST /v1/chat (no tool)': { awsCalls: 11, writeUnits: 26, readUnits: 2 } },
};

describe('the bench summary', () => {
  it('shows each route’s costs as baseline → this run, and a dash where the baseline has no route', () => {
    const summary = renderSummary(REPORT, BASELINE);

    expect(summary).toContain(
      '| POST /v1/chat (no tool) | 66.4 | 126.9 | 57 | 93 | 11 → 9 | 26 → 14 | 2 → 2.5 |',
    );
    expect(summary).toContain('| GET /v1/new | 5 | 6 | — | — | — → 3 | — → 0 | — → 1 |');
    expect(summary).toContain('measured at commit 1234567');
  });

  it('names the commit, the machine and Node, and says latencies are this machine’s', () => {
    const summary = renderSummary(REPORT, BASELINE);

    expect(summary).toContain(
      'at commit abcdef0 (with uncommitted changes) on linux x64, 2 × Test CPU, Node v20.20.2, load average 1.5 at the start',
    );
    expect(summary).toMatch(/Latencies are this machine’s/);
  });

  it('says when there is no baseline instead of inventing one', () => {
    const summary = renderSummary(REPORT, undefined);

    expect(summary).toContain('No baseline');
    expect(summary).toContain('| — → 9 | — → 14 | — → 2.5 |');
  });

  it('formats the capacity headline and lists the steps it has no table for', () => {
    const summary = renderSummary(REPORT, BASELINE);

    expect(summary).toContain(
      '| 10,000 | 15.5 % | 8,445.0 | 1,407.5 % | $0.1480 | 73.0 % | enterprise #1: rate-limit counter | 158.3 % |',
    );
    expect(summary).toContain('In `latest.json`: laterStep.');
    expect(summary).not.toContain('## Micro benchmarks');
  });
});

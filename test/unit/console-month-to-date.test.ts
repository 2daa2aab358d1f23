import { describe, expect, it } from 'vitest';
import { monthToDate } from '../../packages/console/src/month-to-date.js';

const day = (date: string, costUsd: number) => ({ date, costUsd, inputTokens: 0, outputTokens: 0, calls: 0 });

describe('the Costs view’s month to date', () => {
  it('sums the days so far, carrying the sum over days without usage, up to today in the current month', () => {
    const costs = { month: '2026-12', byDay: [day('2026-12-02', 0.5), day('2026-12-04', 0.25)] };

    expect(monthToDate(costs, '2026-12-05T10:00:00.000Z')).toEqual([
      { label: '1', value: 0 },
      { label: '2', value: 0.5 },
      { label: '3', value: 0.5 },
      { label: '4', value: 0.75 },
      { label: '5', value: 0.75 },
    ]);
  });

  it('covers every day of a past month, leap days included', () => {
    const costs = { month: '2024-02', byDay: [day('2024-02-29', 1)] };

    const bars = monthToDate(costs, '2026-12-05T10:00:00.000Z');

    expect(bars).toHaveLength(29);
    expect(bars.at(-1)).toEqual({ label: '29', value: 1 });
    expect(bars.at(-2)).toEqual({ label: '28', value: 0 });
  });
});

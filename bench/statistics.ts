/** Percentiles of measured samples, by the nearest-rank method (each answer is a value that occurred). */

/** The p-th percentile (0 < p ≤ 100) of `values`; undefined when there are none. */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (!(p > 0 && p <= 100)) throw new RangeError(`a percentile is in (0, 100], got ${p}`);
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.ceil((p / 100) * sorted.length) - 1];
}

/** The median and the 99th percentile of a route's samples. */
export interface Spread {
  readonly p50: number;
  readonly p99: number;
}

/** p50 and p99 of `values`, rounded to 0.1; undefined when there are none. */
export function spreadOf(values: readonly number[]): Spread | undefined {
  const p50 = percentile(values, 50);
  const p99 = percentile(values, 99);
  return p50 === undefined || p99 === undefined ? undefined : { p50: roundTenth(p50), p99: roundTenth(p99) };
}

/** Rounds to one decimal (units like 0.5 RCU stay exact; float noise goes). */
export function roundTenth(value: number): number {
  return Math.round(value * 10) / 10;
}

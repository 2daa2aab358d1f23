/**
 * Seeded randomness for the capacity model: the same seed gives the same numbers on every machine,
 * so a change in the report is a change in the model or its inputs, never noise.
 */

/** A uniform number in [0, 1). */
export type Uniform = () => number;

/** mulberry32: a small, fast 32-bit generator; good enough for a simulation, not for secrets. */
export function seededUniform(seed: number): Uniform {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** An exponential draw with the given rate (events per unit of time): a Poisson process's gaps. */
export function exponential(uniform: Uniform, rate: number): number {
  return -Math.log(1 - uniform()) / rate;
}

/** Zipf weights 1/k^s for ranks 1..n, normalised to sum to 1. */
export function zipfWeights(n: number, s: number): Float64Array {
  const weights = new Float64Array(n);
  let sum = 0;
  for (let k = 0; k < n; k += 1) {
    const w = 1 / (k + 1) ** s;
    weights[k] = w;
    sum += w;
  }
  for (let k = 0; k < n; k += 1) weights[k] = (weights[k] ?? 0) / sum;
  return weights;
}

/** Running sums of weights (the last is 1), for drawing by binary search. */
export function cumulative(weights: Float64Array): Float64Array {
  const sums = new Float64Array(weights.length);
  let sum = 0;
  for (let k = 0; k < weights.length; k += 1) {
    sum += weights[k] ?? 0;
    sums[k] = sum;
  }
  return sums;
}

/** The first index in `sums[from, to)` whose running sum exceeds `target` (the drawn rank). */
export function searchCumulative(sums: Float64Array, target: number, from = 0, to = sums.length): number {
  let low = from;
  let high = to - 1;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((sums[middle] ?? 0) > target) high = middle;
    else low = middle + 1;
  }
  return low;
}

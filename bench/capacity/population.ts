/**
 * Who sends the requests: tenants whose sizes follow a Zipf law, each with users whose
 * popularity within the tenant follows another. A tenant's share of requests is its Zipf
 * weight; its users are that share's Zipf split. Users are spread over tenants in proportion
 * to the tenants' weights (every tenant has at least one).
 */
import { cumulative, searchCumulative, type Uniform, zipfWeights } from './random.js';

export interface PopulationInputs {
  readonly tenants: number;
  readonly users: number;
  /** Zipf exponent of tenants' sizes (share of requests by rank). */
  readonly tenantZipf: number;
  /** Zipf exponent of users' popularity within their tenant. */
  readonly userZipf: number;
}

export interface Population {
  readonly tenants: number;
  readonly users: number;
  /** Share of all requests by tenant rank (0 = the biggest tenant). */
  readonly tenantWeights: Float64Array;
  readonly tenantSums: Float64Array;
  /** First global user index of each tenant. */
  readonly userOffsets: Int32Array;
  readonly userCounts: Int32Array;
  /** Running sums of users' shares within their tenant (each tenant's run ends at 1). */
  readonly userSums: Float64Array;
  /** Share of the tenant's requests its top user sends, per tenant. */
  readonly topUserShares: Float64Array;
}

/** Users per tenant: at least one each, the rest in proportion to weight (largest remainders first). */
export function usersPerTenant(weights: Float64Array, users: number): Int32Array {
  const counts = new Int32Array(weights.length).fill(1);
  const spare = users - weights.length;
  if (spare <= 0) return counts;
  const remainders: Array<{ tenant: number; remainder: number }> = [];
  let given = 0;
  for (let tenant = 0; tenant < weights.length; tenant += 1) {
    const exact = spare * (weights[tenant] ?? 0);
    const whole = Math.floor(exact);
    counts[tenant] = 1 + whole;
    given += whole;
    remainders.push({ tenant, remainder: exact - whole });
  }
  remainders.sort((a, b) => b.remainder - a.remainder || a.tenant - b.tenant);
  for (let i = 0; i < spare - given; i += 1) {
    const tenant = remainders[i]?.tenant ?? 0;
    counts[tenant] = (counts[tenant] ?? 1) + 1;
  }
  return counts;
}

/** Builds the population (deterministic: no randomness involved). */
export function buildPopulation(inputs: PopulationInputs): Population {
  const tenantWeights = zipfWeights(inputs.tenants, inputs.tenantZipf);
  const userCounts = usersPerTenant(tenantWeights, inputs.users);
  const userOffsets = new Int32Array(inputs.tenants);
  let users = 0;
  for (let tenant = 0; tenant < inputs.tenants; tenant += 1) {
    userOffsets[tenant] = users;
    users += userCounts[tenant] ?? 0;
  }
  const userSums = new Float64Array(users);
  const topUserShares = new Float64Array(inputs.tenants);
  // Tenants of equal size share one Zipf table.
  const tables = new Map<number, Float64Array>();
  for (let tenant = 0; tenant < inputs.tenants; tenant += 1) {
    const count = userCounts[tenant] ?? 1;
    let weights = tables.get(count);
    if (weights === undefined) {
      weights = zipfWeights(count, inputs.userZipf);
      tables.set(count, weights);
    }
    userSums.set(cumulative(weights), userOffsets[tenant] ?? 0);
    topUserShares[tenant] = weights[0] ?? 1;
  }
  return {
    tenants: inputs.tenants,
    users,
    tenantWeights,
    tenantSums: cumulative(tenantWeights),
    userOffsets,
    userCounts,
    userSums,
    topUserShares,
  };
}

/** Draws one request's (tenant, user): returns the user's global index (the session cache key). */
export function drawUser(population: Population, uniform: Uniform): number {
  const tenant = searchCumulative(population.tenantSums, uniform());
  const offset = population.userOffsets[tenant] ?? 0;
  const count = population.userCounts[tenant] ?? 1;
  return searchCumulative(population.userSums, uniform(), offset, offset + count);
}

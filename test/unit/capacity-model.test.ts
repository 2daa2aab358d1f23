/**
 * The capacity model (bench/capacity): determinism, the session-cache simulation against cases
 * worked by hand, the hot-partition arithmetic and the cost of 1,000 turns against a hand-computed row.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NO_TOOL_CHAT_TURN, tenantHotPartitions, turnTotals } from '../../bench/capacity/chat-turn.js';
import { costPer1000Turns, loadPriceTable } from '../../bench/capacity/cost.js';
import {
  DEFAULT_CAPACITY_OPTIONS,
  hotItemsAtLoad,
  partitionCeilings,
  runCapacityModel,
} from '../../bench/capacity/model.js';
import { buildPopulation, drawUser, usersPerTenant } from '../../bench/capacity/population.js';
import { exponential, seededUniform, zipfWeights } from '../../bench/capacity/random.js';
import {
  environmentsFor,
  type SessionCacheInputs,
  simulateSessionCache,
} from '../../bench/capacity/session-cache.js';
import { missesPerToken, simulateVendedSessions } from '../../bench/capacity/vended-sessions.js';

const ROOT = join(import.meta.dirname, '..', '..');
const FOREVER = 1e9;

function cacheInputs(overrides: Partial<SessionCacheInputs> & Pick<SessionCacheInputs, 'population'>) {
  return {
    rps: 10,
    environments: 10,
    sampledEnvironments: 10,
    cacheSize: 500,
    sessionSeconds: FOREVER,
    refreshBeforeExpirySeconds: 300,
    environmentLifetimeSeconds: { min: FOREVER, max: FOREVER },
    warmupSeconds: 0,
    measureSeconds: 1_000,
    seed: 1,
    ...overrides,
  } satisfies SessionCacheInputs;
}

const SMALL = {
  ...DEFAULT_CAPACITY_OPTIONS,
  tenants: 50,
  users: 2_000,
  rps: [20, 200],
  chartRps: [20, 100, 200],
  warmupSeconds: 600,
  measureSeconds: 600,
  sampledEnvironments: 8,
};

describe('session cache simulation', () => {
  it('gives the same result for the same seed and a different one for another seed', () => {
    const population = buildPopulation({ tenants: 20, users: 5_000, tenantZipf: 1.1, userZipf: 1.1 });
    const inputs = cacheInputs({ population, cacheSize: 50, measureSeconds: 2_000 });

    const first = simulateSessionCache(inputs);
    const again = simulateSessionCache(inputs);
    const other = simulateSessionCache({ ...inputs, seed: 2 });

    expect(again).toEqual(first);
    expect(other.hits).not.toBe(first.hits);
  });

  it('misses once per environment when there is one user (hit rate → 1)', () => {
    const population = buildPopulation({ tenants: 1, users: 1, tenantZipf: 1.1, userZipf: 1.1 });

    const result = simulateSessionCache(cacheInputs({ population, environments: 4, sampledEnvironments: 4 }));

    expect(result.misses).toBe(4);
    expect(result.hitRate).toBeGreaterThan(0.99);
  });

  it('assumes a new session each time one comes within the refresh window of expiry', () => {
    // One user, one environment, 1 req/s for 7,200 s; sessions last 3,600 s, renewed 300 s early:
    // misses at t≈0, ≈3,300 and ≈6,600.
    const population = buildPopulation({ tenants: 1, users: 1, tenantZipf: 1, userZipf: 1 });

    const result = simulateSessionCache(
      cacheInputs({
        population,
        rps: 1,
        environments: 1,
        sampledEnvironments: 1,
        sessionSeconds: 3_600,
        measureSeconds: 7_200,
      }),
    );

    expect(result.misses).toBe(3);
  });

  it('matches the expected hit rate of N uniform users with no eviction', () => {
    // Each environment gets a Poisson number of requests with mean m = λT = 200 over N = 100 users;
    // each user is missed once if asked at all: E[misses] = N(1 − e^(−m/N)), hit rate 1 − that/m.
    const users = 100;
    const perEnvironment = 200;
    const population = buildPopulation({ tenants: 1, users, tenantZipf: 1, userZipf: 0 });
    const expected = 1 - (users * (1 - Math.exp(-perEnvironment / users))) / perEnvironment;

    const result = simulateSessionCache(
      cacheInputs({
        population,
        rps: 20,
        environments: 200,
        sampledEnvironments: 200,
        measureSeconds: perEnvironment / 0.1,
      }),
    );

    expect(expected).toBeCloseTo(0.5677, 4);
    expect(Math.abs(result.hitRate - expected)).toBeLessThan(0.01);
  });

  it('evicts the least recently used session when the cache is full', () => {
    // Two equally likely users, room for one session: a hit only when the same user asks twice in a row.
    const population = buildPopulation({ tenants: 1, users: 2, tenantZipf: 1, userZipf: 0 });

    const result = simulateSessionCache(cacheInputs({ population, cacheSize: 1, measureSeconds: 5_000 }));

    expect(Math.abs(result.hitRate - 0.5)).toBeLessThan(0.02);
  });

  it('starts cold in each recycled environment', () => {
    const population = buildPopulation({ tenants: 1, users: 1, tenantZipf: 1, userZipf: 1 });

    const result = simulateSessionCache(
      cacheInputs({
        population,
        rps: 1,
        environments: 1,
        sampledEnvironments: 1,
        environmentLifetimeSeconds: { min: 100, max: 100 },
      }),
    );

    expect(result.misses).toBe(10);
  });

  it('keeps the environments of the peak concurrency over the idle window', () => {
    // 100 req/s × 1 s = 100 in flight on average; 600 looks: 100 + √(2 ln 600 · 100) ≈ 135.8.
    expect(environmentsFor(100, 1, 600)).toBe(136);
    expect(environmentsFor(0.001, 1, 600)).toBe(1);
  });
});

describe('population', () => {
  it('gives every tenant at least one user and hands out exactly the users asked for', () => {
    const counts = usersPerTenant(zipfWeights(50, 1.1), 2_000);

    expect(counts.reduce((sum, count) => sum + count, 0)).toBe(2_000);
    expect(Math.min(...counts)).toBeGreaterThanOrEqual(1);
    expect(counts[0]).toBeGreaterThan(counts[49] ?? 0);
  });
});

describe('a chat turn and its hot partitions', () => {
  it('counts the calls and write units the bench measures for a no-tool chat: 14 write units', () => {
    const measured = JSON.parse(readFileSync(join(ROOT, 'bench/results/latest.json'), 'utf8')) as {
      steps: { endToEnd: { routes: Array<{ route: string; awsCalls: number; writeUnits: number }> } };
    };
    const chat = measured.steps.endToEnd.routes.find((result) => result.route === 'POST /v1/chat (no tool)');

    const totals = turnTotals(NO_TOOL_CHAT_TURN);

    expect(totals.awsCalls).toBe(chat?.awsCalls);
    expect(totals.writeUnits).toBe(chat?.writeUnits);
    // Admission 2 + reserve (1 UpdateItem) + metering with settlement (3 items × 2) + tokens 2 + session 1 + messages 2.
    expect(totals.writeUnits).toBe(14);
    // The agent settings and the connectors.
    expect(totals.readUnits).toBe(2);
  });

  it('puts 3 write units a turn on a basic tenant’s one budget shard, 2 spread over its admission shards, 2 over its usage cells', () => {
    const basic = tenantHotPartitions('basic');
    const enterprise = tenantHotPartitions('enterprise');

    expect(basic.find((p) => p.name.startsWith('budget'))?.unitsPerTurn).toBe(3);
    expect(enterprise.find((p) => p.name.startsWith('budget'))?.unitsPerTurn).toBe(3 / 16);
    expect(enterprise.find((p) => p.name.startsWith('usage cells'))?.unitsPerTurn).toBe(2 / 8);
    expect(basic.find((p) => p.name.startsWith('admission'))?.unitsPerTurn).toBe(2 / 4);
    expect(enterprise.find((p) => p.name.startsWith('admission'))?.unitsPerTurn).toBe(2 / 16);
  });

  it('lets one premium or enterprise tenant reach 2,000 turns/s before any of its partitions reaches 1,000 WCU; a basic one its budget shard caps at 333', () => {
    const below = partitionCeilings().filter(({ maxTurnsPerSecond }) => maxTurnsPerSecond < 2_000);

    expect(below.map(({ tier, partition }) => [tier, partition.name])).toEqual([
      ['basic', 'budget shard (1 per tenant-month)'],
    ]);
  });

  it('shows every tier’s admission shards allowing one tenant at least 2,000 turns/s', () => {
    const admission = partitionCeilings().filter(({ partition }) => partition.name.startsWith('admission'));

    expect(admission.map(({ tier, maxTurnsPerSecond }) => [tier, maxTurnsPerSecond])).toEqual([
      ['enterprise', 8_000],
      ['premium', 4_000],
      ['basic', 2_000],
    ]);
  });

  it('reports the busiest tenant of each tier and the turns its hottest partition allows', () => {
    const population = buildPopulation(SMALL);

    const items = hotItemsAtLoad(population, SMALL, 1_000);

    expect(items.map((item) => item.tier)).toEqual(['enterprise', 'premium', 'basic']);
    const [enterprise] = items;
    expect(enterprise?.tenantRps).toBeCloseTo(1_000 * (population.tenantWeights[0] ?? 0), 9);
    expect(enterprise?.hottest.name).toBe('usage cells (8 shards by user)');
    expect(enterprise?.maxTurnsPerSecond).toBe(4_000);
    expect(items[2]?.hottest.name).toBe('budget shard (1 per tenant-month)');
    expect(items[2]?.maxTurnsPerSecond).toBeCloseTo(1_000 / 3, 9);
  });
});

describe('cost per 1,000 turns', () => {
  it('matches a row computed by hand', () => {
    const prices = loadPriceTable();

    const cost = costPer1000Turns({
      prices,
      turn: { modelId: 'amazon.nova-lite-v1:0', inputTokens: 1_000, outputTokens: 200 },
      lambda: {
        functionMemoryMb: 1_024,
        functionSeconds: 1.5,
        authorizerMemoryMb: 512,
        authorizerSeconds: 0.02,
        authorizerInvocationsPerTurn: 1,
      },
      calls: turnTotals(NO_TOOL_CHAT_TURN),
      stsCallsPerTurn: 0.25,
    });

    // model: 1,000 × (1,000 × 0.06 + 200 × 0.24) / 1e6
    expect(cost.usd.model).toBeCloseTo(0.108, 12);
    // Lambda: 1,000 × (1 GB × 1.5 s + 0.5 GB × 0.02 s) = 1,510 GB-s × 0.0000133334 + 2,000 requests × $0.20/M
    expect(cost.usage.lambdaGbSeconds).toBeCloseTo(1_510, 9);
    expect(cost.usd.lambda).toBeCloseTo(0.020133434 + 0.0004, 12);
    // DynamoDB: 14,000 WRU × $0.625/M + 2,000 RRU × $0.125/M
    expect(cost.usd.dynamodb).toBeCloseTo(0.009, 12);
    expect(cost.usd.apiGateway).toBeCloseTo(0.0035, 12);
    expect([cost.usd.s3, cost.usd.s3vectors, cost.usd.sts]).toEqual([0, 0, 0]);
    expect(cost.usage.stsCalls).toBe(250);
    expect(cost.usd.total).toBeCloseTo(0.141033434, 12);
    expect(cost.modelShare).toBeCloseTo(0.108 / 0.141033434, 12);
  });

  it('refuses a model the price table does not know', () => {
    expect(() =>
      costPer1000Turns({
        prices: loadPriceTable(),
        turn: { modelId: 'no-such-model', inputTokens: 1, outputTokens: 1 },
        lambda: {
          functionMemoryMb: 1_024,
          functionSeconds: 1,
          authorizerMemoryMb: 512,
          authorizerSeconds: 0,
          authorizerInvocationsPerTurn: 0,
        },
        calls: turnTotals(NO_TOOL_CHAT_TURN),
        stsCallsPerTurn: 0,
      }),
    ).toThrow(/no price for no-such-model/);
  });
});

describe('the whole model', () => {
  it('gives the same report twice for one seed', () => {
    const prices = loadPriceTable();

    const first = runCapacityModel(SMALL, prices);
    const again = runCapacityModel(SMALL, prices);

    expect(again).toEqual(first);
    expect(first.rows.map((row) => row.sessions.rps)).toEqual([20, 200]);
    expect(first.chart.map((point) => point.rps)).toEqual([20, 100, 200]);
    for (const { sessions } of first.rows) {
      for (const design of [sessions.perEnvironment, sessions.vended])
        expect(design.stsCallsPerSecond).toBeCloseTo(sessions.rps * (1 - design.hitRate), 9);
      expect(sessions.vended.hitRate).toBeGreaterThan(sessions.perEnvironment.hitRate);
    }
  });
});

describe('sessions vended by the authorizer', () => {
  it('miss once per token for a rare user, twice for a constant one when the cache is shorter than the token', () => {
    expect(missesPerToken(1e-6, 3_600, 3_000) / (1e-6 * 3_600)).toBeCloseTo(1, 2);
    expect(missesPerToken(100, 3_600, 3_000)).toBeCloseTo(2, 9);
    expect(missesPerToken(100, 3_600, 3_600)).toBeCloseTo(1, 9);
  });

  it('agree with a request-by-request simulation of a per-token cache', () => {
    const population = buildPopulation({ tenants: 3, users: 40, tenantZipf: 1.1, userZipf: 1.1 });
    const [rps, token, ttl, hours] = [0.05, 3_600, 3_000, 2_000];
    const uniform = seededUniform(7);
    const phase = Array.from({ length: population.users }, () => uniform() * token);
    const cache = new Map<string, number>();
    let [requests, misses] = [0, 0];
    for (let now = exponential(uniform, rps); now < hours * 3_600; now += exponential(uniform, rps)) {
      const user = drawUser(population, uniform);
      const key = `${user}#${Math.floor((now + (phase[user] ?? 0)) / token)}`;
      const expiresAt = cache.get(key);
      requests += 1;
      if (expiresAt === undefined || expiresAt <= now) {
        misses += 1;
        cache.set(key, now + ttl);
      }
    }

    const modelled = simulateVendedSessions({ population, rps, tokenSeconds: token, cacheSeconds: ttl });

    expect(modelled.hitRate).toBeCloseTo(1 - misses / requests, 2);
    expect(modelled.stsCallsPerSecond).toBeCloseTo((misses / requests) * rps, 3);
  });

  it('make every request a call with no cache, and refuse a cache shorter than half a token', () => {
    const population = buildPopulation({ tenants: 2, users: 4, tenantZipf: 1, userZipf: 1 });

    expect(simulateVendedSessions({ population, rps: 7, tokenSeconds: 3_600, cacheSeconds: 0 })).toEqual({
      hitRate: 0,
      stsCallsPerSecond: 7,
    });
    expect(() =>
      simulateVendedSessions({ population, rps: 7, tokenSeconds: 3_600, cacheSeconds: 1_000 }),
    ).toThrow(RangeError);
  });
});

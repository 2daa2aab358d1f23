/**
 * Request admission (lambdas/admission/request-admission.ts) on the in-memory guard-rail table:
 * sliding windows with no 2× burst at a window's edge, tenant shards, tokens per minute,
 * in-flight leases (released, or expired), and refusals that cost one write and leave no count.
 */
import { describe, expect, it } from 'vitest';
import { ConnectorCallLimiter } from '../../../lambdas/admission/connector-call-limiter.js';
import {
  InFlightLimitedError,
  RateLimitedError,
  TokenRateLimitedError,
} from '../../../lambdas/admission/errors.js';
import { RequestAdmission } from '../../../lambdas/admission/request-admission.js';
import {
  MAX_RATE_SHARDS,
  type RateLimits,
  rateLimitsFor,
  rateShardsFor,
  shardAllowance,
  TIER_RATE_LIMITS,
} from '../../../lambdas/admission/tier-limits.js';
import { MemoryGuardrailTable } from './support/memory-guardrail-table.js';

/** 10:00:05 UTC: 5 s into a 10-s bucket and a minute. */
const START = Date.parse('2026-11-22T10:00:05Z');
/** A request's longest life in the API function (29 s). */
const LEASE_MS = 29_000;

/** Limits nothing in a test reaches but the one it sets (one tenant shard). */
const ROOMY: RateLimits = {
  tenantPerMinute: 1_000,
  userPerMinute: 1_000,
  tenantTokensPerMinute: 1_000_000,
  userTokensPerMinute: 1_000_000,
  tenantInFlight: 10_000,
};

function limitsWith(overrides: Partial<RateLimits>): RateLimits {
  return { ...ROOMY, ...overrides };
}

/** Seeded uniform numbers in [0, 1) (mulberry32), so shard picks are reproducible. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function setup(options: { users?: readonly string[]; random?: () => number } = {}) {
  const clock = { now: START };
  const items = new MemoryGuardrailTable({ tenantId: 'acme', userId: 'nobody' }).items;
  const tables = new Map<string, MemoryGuardrailTable>();
  const admission = (userId: string) => {
    const table = new MemoryGuardrailTable({ tenantId: 'acme', userId }, items);
    tables.set(userId, table);
    return new RequestAdmission(table, { now: () => clock.now, random: options.random ?? (() => 0) });
  };
  const writes = () => [...tables.values()].reduce((sum, table) => sum + table.guardedUpdates, 0);
  return { clock, admission, writes };
}

/** Whether an admission was admitted (true) or refused (false). */
function wasAdmitted(attempt: Promise<unknown>): Promise<boolean> {
  return attempt.then(
    () => true,
    () => false,
  );
}

async function refusal(attempt: Promise<unknown>): Promise<unknown> {
  return attempt.then(
    () => {
      throw new Error('expected a refusal');
    },
    (reason: unknown) => reason,
  );
}

describe('request admission: requests per minute', () => {
  it('admits up to the user’s limit, then refuses with 429 rate_limited until its oldest request leaves the window', async () => {
    const { admission, clock } = setup();
    const alice = admission('alice');
    const limits = limitsWith({ userPerMinute: 3 });
    for (const at of ['10:00:05', '10:00:15', '10:00:25']) {
      clock.now = Date.parse(`2026-11-22T${at}Z`);
      await alice.admit(limits, LEASE_MS);
    }

    clock.now = Date.parse('2026-11-22T10:00:30Z');
    const err = await refusal(alice.admit(limits, LEASE_MS));
    clock.now = Date.parse('2026-11-22T10:01:00Z');
    await alice.admit(limits, LEASE_MS);

    expect(err).toBeInstanceOf(RateLimitedError);
    // The request of 10:00:05 leaves the window at 10:01:00.
    expect(err).toMatchObject({ scope: 'user', retryAfterSeconds: 30, status: 429, code: 'rate_limited' });
  });

  it('admits no burst across a window edge: a full minute at 10:00:59.9 keeps 10:01:00.1 refused', async () => {
    const { admission, clock } = setup();
    const alice = admission('alice');
    const limits = limitsWith({ userPerMinute: 10 });
    clock.now = Date.parse('2026-11-22T10:00:59.900Z');
    for (let i = 0; i < 10; i += 1) await alice.admit(limits, LEASE_MS);

    clock.now = Date.parse('2026-11-22T10:01:00.100Z');
    const acrossTheEdge = await refusal(alice.admit(limits, LEASE_MS));
    clock.now = Date.parse('2026-11-22T10:01:49.900Z');
    const stillInTheWindow = await refusal(alice.admit(limits, LEASE_MS));
    clock.now = Date.parse('2026-11-22T10:01:50.000Z');
    await alice.admit(limits, LEASE_MS);

    expect(acrossTheEdge).toBeInstanceOf(RateLimitedError);
    expect(stillInTheWindow).toBeInstanceOf(RateLimitedError);
  });

  it('admits at most the limit in any 50 s of a 5-minute flood, and close to the limit per minute', async () => {
    const { admission, clock } = setup();
    const alice = admission('alice');
    const limit = 30;
    const admitted: number[] = [];
    for (let t = START; t < START + 300_000; t += 250) {
      clock.now = t;
      const outcome = await wasAdmitted(alice.admit(limitsWith({ userPerMinute: limit }), LEASE_MS));
      if (outcome) admitted.push(t);
    }

    const mostIn50s = Math.max(
      ...admitted.map((t) => admitted.filter((u) => u > t - 50_000 && u <= t).length),
    );
    expect(mostIn50s).toBeLessThanOrEqual(limit);
    // A fixed window would admit 2 × 30 around each minute's edge; the sliding one keeps the rate.
    expect(admitted.length).toBeGreaterThanOrEqual(5 * limit - limit / 6);
    expect(admitted.length).toBeLessThanOrEqual(5 * limit + limit);
  });

  /** Bursts at the limit; with `idleEvery`, now and then an idle gap of up to 5 minutes. */
  async function againstExactWindow(idleEvery: number) {
    const { admission, clock } = setup();
    const alice = admission('alice');
    const limit = 8;
    const random = seeded(13);
    const admitted: number[] = [];
    const exact: number[] = [];
    let looser = 0;
    let t = START;
    for (let i = 0; i < 2_000; i += 1) {
      t += random() < idleEvery ? Math.floor(random() * 300_000) : Math.floor(random() * 3_000);
      clock.now = t;
      const bucket = Math.floor(t / 10_000);
      const inWindow = (times: readonly number[]) =>
        times.filter((u) => Math.floor(u / 10_000) > bucket - 6).length;
      if (inWindow(exact) < limit) exact.push(t);
      const fullBefore = inWindow(admitted) >= limit;
      if (await wasAdmitted(alice.admit(limitsWith({ userPerMinute: limit }), LEASE_MS))) {
        if (fullBefore) looser += 1;
        admitted.push(t);
      }
    }
    return { admitted, exact, looser };
  }

  it('admits exactly what an exact sliding window of six 10-s buckets admits', async () => {
    const { admitted, exact } = await againstExactWindow(0);

    expect(admitted).toEqual(exact);
  });

  it('is never looser than an exact sliding window after idle gaps that wrap its ring of slots', async () => {
    const { admitted, exact, looser } = await againstExactWindow(0.03);

    expect(looser).toBe(0);
    // A slot left from before a long gap only ever holds counts: stricter for a while, never looser.
    expect(admitted.length).toBeGreaterThanOrEqual(Math.floor(exact.length * 0.9));
  });

  it('does not charge the tenant for a request the user’s limit refused', async () => {
    const { admission } = setup();
    const alice = admission('alice');
    const bob = admission('bob');
    const limits = limitsWith({ userPerMinute: 3, tenantPerMinute: 5 });
    for (let i = 0; i < 3; i += 1) await alice.admit(limits, LEASE_MS);
    for (let i = 0; i < 5; i += 1) await refusal(alice.admit(limits, LEASE_MS));

    await bob.admit(limits, LEASE_MS);
    await bob.admit(limits, LEASE_MS);
    const tenantFull = await refusal(bob.admit(limits, LEASE_MS));

    expect(tenantFull).toMatchObject({ scope: 'tenant' });
  });

  it('charges the user for a request the tenant’s limit refused, as a sequential check would', async () => {
    const { admission, clock } = setup();
    const limits = limitsWith({ userPerMinute: 2, tenantPerMinute: 1 });
    await admission('alice').admit(limits, LEASE_MS);
    await refusal(admission('bob').admit(limits, LEASE_MS));

    // The tenant limit rises (from the next 10-s bucket): bob has one request left of two.
    clock.now = START + 10_000;
    const roomy = limitsWith({ userPerMinute: 2, tenantPerMinute: 100 });
    await admission('bob').admit(roomy, LEASE_MS);
    const bobFull = await refusal(admission('bob').admit(roomy, LEASE_MS));

    expect(bobFull).toMatchObject({ scope: 'user' });
  });

  it('never admits more than the limit under concurrent requests', async () => {
    const { admission } = setup();
    const alice = admission('alice');

    const results = await Promise.allSettled(
      Array.from({ length: 30 }, () => alice.admit(limitsWith({ userPerMinute: 7 }), LEASE_MS)),
    );

    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(7);
  });

  it('costs one write per scope to admit or refuse, and one more only to take back what the user’s limit refused', async () => {
    const writesFor = async (limits: RateLimits, earlier: number) => {
      const { admission, writes } = setup();
      const alice = admission('alice');
      for (let i = 0; i < earlier; i += 1) await alice.admit(limits, LEASE_MS);
      const before = writes();
      await alice.admit(limits, LEASE_MS).catch(() => undefined);
      return writes() - before;
    };

    const admitted = await writesFor(limitsWith({ userPerMinute: 2, tenantPerMinute: 2 }), 1);
    const refusedByBoth = await writesFor(limitsWith({ userPerMinute: 1, tenantPerMinute: 1 }), 1);
    const refusedByTheTenant = await writesFor(limitsWith({ userPerMinute: 100, tenantPerMinute: 1 }), 1);
    const refusedByTheUser = await writesFor(limitsWith({ userPerMinute: 1, tenantPerMinute: 100 }), 1);

    expect([admitted, refusedByBoth, refusedByTheTenant, refusedByTheUser]).toEqual([2, 2, 2, 3]);
  });
});

describe('request admission: tenant shards', () => {
  it('splits every tenant limit over its shards exactly', () => {
    for (const [limit, shards] of [
      [3_000, 4],
      [7, 3],
      [1, 16],
      [30_001, 16],
    ] as const) {
      const shares = Array.from({ length: shards }, (_, shard) => shardAllowance(limit, shards, shard));
      expect(shares.reduce((sum, share) => sum + share, 0)).toBe(limit);
      expect(Math.max(...shares) - Math.min(...shares)).toBeLessThanOrEqual(1);
    }
  });

  it('spreads each tier over enough shards for 2,000 requests/s at 1,000 writes/s per item, and small limits over one', () => {
    expect(rateShardsFor(TIER_RATE_LIMITS.basic)).toBe(4);
    expect(rateShardsFor(TIER_RATE_LIMITS.premium)).toBe(8);
    expect(rateShardsFor(TIER_RATE_LIMITS.enterprise)).toBe(MAX_RATE_SHARDS);
    expect(rateShardsFor({ tenantPerMinute: 3, tenantTokensPerMinute: 1e6, tenantInFlight: 5 })).toBe(1);
    for (const tier of ['basic', 'premium', 'enterprise'] as const)
      expect(rateShardsFor(TIER_RATE_LIMITS[tier]) * 1_000).toBeGreaterThanOrEqual(2_000);
  });

  it('keeps a tenant whose token limit is below a shard’s worth on one shard, so its first request is admitted', async () => {
    const limits = { ...TIER_RATE_LIMITS.basic, tenantTokensPerMinute: 3 };
    const lastShard = setup({ random: () => 0.99 });

    expect(rateShardsFor(limits)).toBe(1);
    await expect(lastShard.admission('alice').admit(limits, LEASE_MS)).resolves.toBeDefined();
  });

  it('holds each shard to its share, and the tenant to its limit across shards', async () => {
    const pinned = setup({ random: () => 0 });
    const limits = limitsWith({ tenantPerMinute: 3_000, userPerMinute: 10_000, tenantInFlight: 10_000 });
    let onShardZero = 0;
    for (let i = 0; i < 800; i += 1)
      if (await wasAdmitted(pinned.admission(`u${i % 50}`).admit(limits, LEASE_MS))) onShardZero += 1;
    const spread = setup({ random: seeded(7) });
    let acrossShards = 0;
    for (let i = 0; i < 3_500; i += 1)
      if (await wasAdmitted(spread.admission(`u${i % 50}`).admit(limits, LEASE_MS))) acrossShards += 1;

    expect(onShardZero).toBe(750);
    expect(acrossShards).toBeLessThanOrEqual(3_000);
    // Uneven picks strand a little allowance on the shards drawn least: the approximation's error.
    expect(acrossShards).toBeGreaterThanOrEqual(2_900);
  });
});

describe('request admission: tokens per minute', () => {
  it('counts each call’s tokens and refuses once the user’s window is used up, with 429 token_rate_limited', async () => {
    const { admission, clock } = setup();
    const alice = admission('alice');
    const limits = limitsWith({ userTokensPerMinute: 1_000 });
    const first = await alice.admit(limits, LEASE_MS);
    await first.countTokens(600, { last: false });
    const second = await alice.admit(limits, LEASE_MS);
    await second.countTokens(500, { last: true });

    const err = await refusal(alice.admit(limits, LEASE_MS));
    clock.now = START + 60_000;
    await alice.admit(limits, LEASE_MS);

    expect(err).toBeInstanceOf(TokenRateLimitedError);
    expect(err).toMatchObject({
      scope: 'user',
      status: 429,
      code: 'token_rate_limited',
      retryAfterSeconds: 55,
    });
  });

  it('refuses every user of a tenant whose window’s tokens are used up; another tenant is unaffected', async () => {
    const { admission } = setup();
    const limits = limitsWith({ tenantTokensPerMinute: 1_000 });
    const ticket = await admission('alice').admit(limits, LEASE_MS);
    await ticket.countTokens(1_200, { last: true });
    const other = new RequestAdmission(new MemoryGuardrailTable({ tenantId: 'globex', userId: 'bob' }));

    const err = await refusal(admission('bob').admit(limits, LEASE_MS));
    await other.admit(limits, LEASE_MS);

    expect(err).toMatchObject({ scope: 'tenant', code: 'token_rate_limited' });
  });
});

describe('request admission: requests in flight', () => {
  it('refuses past the tenant’s in-flight cap with 429 too_many_in_flight until a request releases its slot', async () => {
    const { admission } = setup();
    const limits = limitsWith({ tenantInFlight: 2 });
    const first = await admission('alice').admit(limits, LEASE_MS);
    await admission('bob').admit(limits, LEASE_MS);

    const err = await refusal(admission('carol').admit(limits, LEASE_MS));
    await first.release();
    await admission('carol').admit(limits, LEASE_MS);

    expect(err).toBeInstanceOf(InFlightLimitedError);
    expect(err).toMatchObject({ status: 429, code: 'too_many_in_flight', retryAfterSeconds: 1 });
  });

  it('takes back the tenant’s count and slot when the user’s write fails, and answers with that failure', async () => {
    const items = new Map();
    const throttled = Object.assign(new Error('Throughput exceeds the current capacity'), {
      name: 'ThrottlingException',
    });
    const alice = new MemoryGuardrailTable({ tenantId: 'acme', userId: 'alice' }, items);
    const bob = new MemoryGuardrailTable({ tenantId: 'acme', userId: 'bob' }, items);
    alice.failGuardedUpdates('private', 1, throttled);
    const limits = limitsWith({ tenantInFlight: 1, tenantPerMinute: 1 });
    const admit = (table: MemoryGuardrailTable) =>
      new RequestAdmission(table, { now: () => START, random: () => 0 }).admit(limits, LEASE_MS);

    await expect(admit(alice)).rejects.toBe(throttled);
    // Neither the tenant's one request a minute nor its one slot was spent on the failed request.
    await expect(admit(bob)).resolves.toBeDefined();
    await expect(admit(bob)).rejects.toBeInstanceOf(RateLimitedError);
  });

  it('frees the slot with the last model call’s token count, so releasing afterwards writes nothing', async () => {
    const { admission, writes } = setup();
    const limits = limitsWith({ tenantInFlight: 1 });
    const ticket = await admission('alice').admit(limits, LEASE_MS);
    await ticket.countTokens(100, { last: false });
    await refusal(admission('bob').admit(limits, LEASE_MS));

    await ticket.countTokens(100, { last: true });
    const before = writes();
    await ticket.release();

    expect(writes()).toBe(before);
    await admission('bob').admit(limits, LEASE_MS);
  });

  it('lets a slot that was never released expire once its request must have ended', async () => {
    const { admission, clock, writes } = setup();
    const limits = limitsWith({ tenantInFlight: 1 });
    const crashed = await admission('alice').admit(limits, LEASE_MS);

    clock.now = START + 59_000;
    const stillHeld = await refusal(admission('bob').admit(limits, LEASE_MS));
    clock.now = START + 2 * 60_000;
    await admission('bob').admit(limits, LEASE_MS);
    const before = writes();
    await crashed.release();

    expect(stillHeld).toBeInstanceOf(InFlightLimitedError);
    // The lease ran out: there is nothing left to release.
    expect(writes()).toBe(before);
  });

  it('holds a streamed request’s slot for its 5-minute lease', async () => {
    const { admission, clock } = setup();
    const limits = limitsWith({ tenantInFlight: 1 });
    await admission('alice').admit(limits, 300_000);

    clock.now = START + 5 * 60_000;
    const stillHeld = await refusal(admission('bob').admit(limits, LEASE_MS));
    clock.now = START + 6 * 60_000;
    await admission('bob').admit(limits, LEASE_MS);

    expect(stillHeld).toBeInstanceOf(InFlightLimitedError);
  });
});

describe('connector calls', () => {
  it('counts a tenant’s connector calls in their own sliding window, apart from requests', async () => {
    const { admission, clock } = setup();
    const table = new MemoryGuardrailTable({ tenantId: 'acme', userId: 'alice' });
    const calls = new ConnectorCallLimiter(table, { now: () => clock.now });
    await calls.admit(2);
    await calls.admit(2);

    const err = await refusal(calls.admit(2));

    expect(err).toMatchObject({ scope: 'tenant', retryAfterSeconds: 55, code: 'rate_limited' });
    // Requests have their own counters: a tenant out of connector calls may still ask things.
    await admission('alice').admit(limitsWith({ tenantPerMinute: 10 }), LEASE_MS);
  });
});

describe('tier limits', () => {
  it('gives every tier tenant limits above its user limits', () => {
    for (const tier of ['basic', 'premium', 'enterprise'] as const) {
      const limits = rateLimitsFor({ tier });
      expect(limits.tenantPerMinute).toBeGreaterThan(limits.userPerMinute);
      expect(limits.tenantTokensPerMinute).toBeGreaterThan(limits.userTokensPerMinute);
    }
  });

  it('takes each of a tenant record’s overrides over its tier’s default, one by one', () => {
    const limits = rateLimitsFor({
      tier: 'basic',
      rateLimits: { tokensPerUserPerMinute: 7, inFlightPerTenant: 3 },
    });

    expect(limits).toEqual({ ...TIER_RATE_LIMITS.basic, userTokensPerMinute: 7, tenantInFlight: 3 });
  });
});

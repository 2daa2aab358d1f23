import { describe, expect, it } from 'vitest';
import { RateLimitedError } from '../../../lambdas/admission/errors.js';
import { RateLimiter, rateCounterAddress } from '../../../lambdas/admission/rate-limiter.js';
import { rateLimitsFor } from '../../../lambdas/admission/tier-limits.js';
import { MemoryGuardrailTable } from './support/memory-guardrail-table.js';

/** 10:00:15 UTC: 15 s into a one-minute window. */
const START = Date.parse('2026-11-22T10:00:15Z');
const WINDOW_START = START / 1000 - 15;

function limiterFor(userId: string, items?: MemoryGuardrailTable['items'], clock = { now: START }) {
  const table = new MemoryGuardrailTable({ tenantId: 'acme', userId }, items);
  return { table, clock, limiter: new RateLimiter(table, { now: () => clock.now }) };
}

async function refusal(attempt: Promise<void>): Promise<RateLimitedError> {
  const err = await attempt.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!(err instanceof RateLimitedError)) throw new Error('expected a RateLimitedError');
  return err;
}

describe('RateLimiter', () => {
  it('admits up to the per-user limit, then refuses with the seconds left in the window', async () => {
    const { limiter, table } = limiterFor('alice');
    const limits = { tenantPerMinute: 100, userPerMinute: 2 };
    await limiter.admit(limits);
    await limiter.admit(limits);

    const err = await refusal(limiter.admit(limits));

    expect(err.scope).toBe('user');
    expect(err.retryAfterSeconds).toBe(45);
    expect(table.itemAt(rateCounterAddress('user', WINDOW_START))).toMatchObject({
      pk: 'acme#u#alice#rate',
      count: 2,
      expiresAt: WINDOW_START + 60 + 3600,
    });
  });

  it('does not charge the tenant for a request the user limit refused', async () => {
    const { limiter, table } = limiterFor('alice');
    const limits = { tenantPerMinute: 100, userPerMinute: 1 };
    await limiter.admit(limits);

    await refusal(limiter.admit(limits));

    expect(table.itemAt(rateCounterAddress('tenant', WINDOW_START))).toMatchObject({
      pk: 'acme#t#rate',
      count: 1,
    });
  });

  it('limits the tenant across its users while each user is within their own limit', async () => {
    const alice = limiterFor('alice');
    const bob = limiterFor('bob', alice.table.items);
    const limits = { tenantPerMinute: 3, userPerMinute: 2 };
    await alice.limiter.admit(limits);
    await alice.limiter.admit(limits);
    await bob.limiter.admit(limits);

    const err = await refusal(bob.limiter.admit(limits));

    expect(err.scope).toBe('tenant');
  });

  it('admits again once the window has passed', async () => {
    const { limiter, clock } = limiterFor('alice');
    const limits = { tenantPerMinute: 100, userPerMinute: 1 };
    await limiter.admit(limits);
    await refusal(limiter.admit(limits));

    clock.now = START + 45_000;

    await expect(limiter.admit(limits)).resolves.toBeUndefined();
  });

  it('never admits more than the limit under concurrent requests', async () => {
    const { limiter } = limiterFor('alice');
    const limits = { tenantPerMinute: 1_000, userPerMinute: 7 };

    const results = await Promise.allSettled(Array.from({ length: 30 }, () => limiter.admit(limits)));

    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(7);
  });

  it('counts connector calls per tenant in their own window, apart from requests', async () => {
    const alice = limiterFor('alice');
    const bob = limiterFor('bob', alice.table.items);
    await alice.limiter.admitConnectorCall(2);
    await bob.limiter.admitConnectorCall(2);

    const err = await refusal(alice.limiter.admitConnectorCall(2));

    expect([err.scope, err.retryAfterSeconds]).toEqual(['tenant', 45]);
    expect(alice.table.itemAt(rateCounterAddress('tenant', WINDOW_START, 'connector-w'))).toMatchObject({
      pk: 'acme#t#rate',
      sk: `connector-w#${WINDOW_START}`,
      count: 2,
    });
    // Requests have their own counters: a tenant out of connector calls may still ask things.
    await expect(alice.limiter.admit({ tenantPerMinute: 10, userPerMinute: 10 })).resolves.toBeUndefined();
  });

  it('gives every tier a tenant limit above its user limit', () => {
    for (const tier of ['basic', 'premium', 'enterprise'] as const) {
      expect(rateLimitsFor({ tier }).tenantPerMinute).toBeGreaterThan(rateLimitsFor({ tier }).userPerMinute);
    }
  });
});

/**
 * The domain pieces behind the console's API routes (issue 15), without a network: the budget
 * status (what remains never goes below 0, even when held reservations took the counters past the
 * limit), the tenant's users (members and assignments merged by id) and paging by key. The
 * connector test has its own file (connector-check.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { budgetStatus } from '../../lambdas/admission/budget-status.js';
import { consoleCallbackUrls } from '../../lambdas/connections/callback-url.js';
import { usdToNano } from '../../lambdas/metering/price-table.js';
import { tenantUsers } from '../../lambdas/registry/tenant-users.js';
import { pageAfterKey } from '../../lambdas/routes/paging.js';

const limits = { monthlyUsd: 10, monthlyTokens: 1_000, shards: 1 };

describe('budgetStatus', () => {
  it('reports the limits, what is used and what remains', () => {
    expect(budgetStatus(limits, { usedNanoUsd: usdToNano(2.5), usedTokens: 400 })).toEqual({
      monthlyBudgetUsd: 10,
      monthlyTokenBudget: 1_000,
      usedUsd: 2.5,
      usedTokens: 400,
      remainingUsd: 7.5,
      remainingTokens: 600,
    });
  });

  it('never reports less than 0 remaining, nor less than 0 used', () => {
    expect(budgetStatus(limits, { usedNanoUsd: usdToNano(12), usedTokens: 1_500 })).toMatchObject({
      usedUsd: 12,
      remainingUsd: 0,
      remainingTokens: 0,
    });
    expect(budgetStatus(limits, { usedNanoUsd: -5, usedTokens: -1 })).toMatchObject({
      usedUsd: 0,
      usedTokens: 0,
      remainingUsd: 10,
    });
  });
});

describe('tenantUsers and pageAfterKey', () => {
  const users = tenantUsers(
    ['zoe', 'bob', 'Ada'],
    [
      { userId: 'bob', roles: ['admin'] },
      { userId: 'carol', roles: ['reader'] },
    ],
  );

  it('merges members and assignments, one entry per user, in code-unit order', () => {
    expect(users).toEqual([
      { userId: 'Ada', seen: true },
      { userId: 'bob', roles: ['admin'], seen: true },
      { userId: 'carol', roles: ['reader'], seen: false },
      { userId: 'zoe', seen: true },
    ]);
  });

  it('pages after a key, naming the last key only while more follow', () => {
    const keyOf = (user: { userId: string }) => user.userId;
    const first = pageAfterKey(users, keyOf, { limit: 3 });
    expect(first).toEqual({ items: users.slice(0, 3), cursor: 'carol' });
    expect(pageAfterKey(users, keyOf, { after: first.cursor, limit: 3 })).toEqual({ items: users.slice(3) });
    expect(pageAfterKey(users, keyOf, { limit: 4 })).toEqual({ items: users });
  });
});

describe('consoleCallbackUrls', () => {
  it('is the console page on each browser origin', () => {
    expect(consoleCallbackUrls(['https://app.example.com', 'http://localhost:5173'])).toEqual([
      'https://app.example.com/console/oauth/callback',
      'http://localhost:5173/console/oauth/callback',
    ]);
    expect(consoleCallbackUrls([])).toEqual([]);
  });
});

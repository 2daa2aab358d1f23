/**
 * The budget in `GET /v1/costs` (issue 15): a tenant admin reads the monthly budget used and
 * remaining as admission counts it — the limits the model call guard enforces and the shard
 * counters its reservations add to. A chat's cost shows as used; an operator's change of the budget
 * shows in the next reads (within the registry cache's 15 s); a spent budget shows 0 remaining and
 * the chat is refused. Only the admin, and only of their own tenant, reads it.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { TIER_BUDGETS } from '../../lambdas/admission/tier-limits.js';
import { type Caller, callAs, OPERATOR, onboard } from './support/api-client.js';
import { uniqueSuffix } from './support/local-cloud.js';

const suffix = uniqueSuffix();
const tenantId = `zq-budget-${suffix}`;
const otherTenantId = `zq-budget-o-${suffix}`;
const brokeTenantId = `zq-budget-b-${suffix}`;
const admin: Caller = { sub: 'ada', tenantId, groups: ['admin'] };
const secondAdmin: Caller = { sub: 'abe', tenantId, groups: ['admin'] };
const analyst: Caller = { sub: 'ana', tenantId, groups: ['analyst'] };
const otherAdmin: Caller = { sub: 'ada', tenantId: otherTenantId, groups: ['admin'] };
const brokeAdmin: Caller = { sub: 'bea', tenantId: brokeTenantId, groups: ['admin'] };

interface Budget {
  monthlyBudgetUsd: number;
  monthlyTokenBudget: number;
  usedUsd: number;
  usedTokens: number;
  remainingUsd: number;
  remainingTokens: number;
}
interface CostReport {
  totals: { costUsd: number; inputTokens: number; outputTokens: number };
  budget: Budget;
}

const report = async (caller: Caller, query = ''): Promise<CostReport> => {
  const answer = await callAs(caller, 'GET', `/v1/costs${query}`);
  expect(answer.status).toBe(200);
  return answer.body as CostReport;
};

beforeAll(async () => {
  await Promise.all([
    onboard(tenantId, 'basic', { monthlyBudgetUsd: 10, monthlyTokenBudget: 1_000_000 }),
    onboard(otherTenantId, 'premium'),
    onboard(brokeTenantId, 'basic', { monthlyBudgetUsd: 0 }),
  ]);
});

describe('the budget in GET /v1/costs', () => {
  it('starts with the tenant’s own limits, nothing used and everything remaining', async () => {
    expect((await report(admin)).budget).toEqual({
      monthlyBudgetUsd: 10,
      monthlyTokenBudget: 1_000_000,
      usedUsd: 0,
      usedTokens: 0,
      remainingUsd: 10,
      remainingTokens: 1_000_000,
    });
  });

  it('counts a chat’s model call as used, as the budget settled it', async () => {
    expect((await callAs(analyst, 'POST', '/v1/chat', { message: 'spend a little' })).status).toBe(200);

    const { totals, budget } = await report(admin);
    expect(totals.costUsd).toBeGreaterThan(0);
    // No call is in flight: what the budget holds is exactly what metering recorded.
    expect(budget.usedUsd).toBeCloseTo(totals.costUsd, 9);
    expect(budget.usedTokens).toBe(totals.inputTokens + totals.outputTokens);
    expect(budget.remainingUsd).toBeCloseTo(10 - totals.costUsd, 9);
    expect(budget.remainingTokens).toBe(1_000_000 - budget.usedTokens);
    // Every admin of the tenant reads the same tenant-wide budget.
    expect((await report(secondAdmin)).budget).toEqual(budget);
  });

  it('shows an operator’s new budget in the next reads (within the registry cache’s 15 s)', async () => {
    const patched = await callAs(OPERATOR, 'PATCH', `/v1/admin/tenants/${tenantId}`, {
      monthlyBudgetUsd: 25,
      monthlyTokenBudget: 2_000_000,
    });
    expect(patched.status).toBe(200);

    const deadline = Date.now() + 20_000;
    let budget = (await report(admin)).budget;
    while (budget.monthlyBudgetUsd !== 25 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      budget = (await report(admin)).budget;
    }
    expect(budget).toMatchObject({ monthlyBudgetUsd: 25, monthlyTokenBudget: 2_000_000 });
    expect(budget.remainingUsd).toBeCloseTo(25 - budget.usedUsd, 9);
    expect(budget.remainingTokens).toBe(2_000_000 - budget.usedTokens);
  });

  it('reads a past month’s counters against today’s limits', async () => {
    expect((await report(admin, '?month=2020-01')).budget).toMatchObject({
      usedUsd: 0,
      usedTokens: 0,
      remainingUsd: 25,
    });
  });

  it('shows a spent budget as 0 remaining, and the platform refuses the chat', async () => {
    expect((await report(brokeAdmin)).budget).toMatchObject({ monthlyBudgetUsd: 0, remainingUsd: 0 });
    const refused = await callAs(
      { sub: 'bo', tenantId: brokeTenantId, groups: ['analyst'] },
      'POST',
      '/v1/chat',
      { message: 'no budget' },
    );
    expect(refused).toMatchObject({ status: 402, body: { error: { code: 'budget_exceeded' } } });
  });

  it('gives another tenant’s admin their own tenant’s budget (their tier’s default), never this one', async () => {
    const { budget } = await report(otherAdmin);
    expect(budget).toEqual({
      monthlyBudgetUsd: TIER_BUDGETS.premium.monthlyUsd,
      monthlyTokenBudget: TIER_BUDGETS.premium.monthlyTokens,
      usedUsd: 0,
      usedTokens: 0,
      remainingUsd: TIER_BUDGETS.premium.monthlyUsd,
      remainingTokens: TIER_BUDGETS.premium.monthlyTokens,
    });
  });

  it('refuses a non-admin of the tenant and an operator (who reads /v1/admin/costs)', async () => {
    const [byAnalyst, byOperator] = await Promise.all([
      callAs(analyst, 'GET', '/v1/costs'),
      callAs(OPERATOR, 'GET', '/v1/costs'),
    ]);
    expect(byAnalyst).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
    expect(byOperator).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
  });
});

/**
 * The cost routes through the production handler compositions over the
 * memory-backed SDK fakes: a tenant admin's `GET /v1/costs` and the
 * operator's `GET /v1/admin/costs`, which reads every tenant through a
 * session for THAT tenant.
 */
import { describe, expect, it } from 'vitest';
import { TIER_BUDGETS } from '../../lambdas/admission/tier-limits.js';
import { monthOf } from '../../lambdas/metering/usage-keys.js';
import type { TenantRecord } from '../../lambdas/registry/tenant-record.js';
import { apiDocument } from '../../lambdas/routes/api-document.js';
import { createControlHandler } from '../../lambdas/routes/control-routes.js';
import {
  ACME,
  ADA_ADMIN,
  ALICE_ANALYST,
  apiHarness,
  BOB_READER,
  type Caller,
} from './support/api-harness.js';
import { proxyEvent } from './support/events.js';
import { memoryRegistry, memoryRuntime, sessionTags } from './support/fake-runtime.js';
import type { MemoryTable } from './support/memory-cloud.js';
import { assertDocumentedResponse } from './support/openapi-validator.js';

const GLOBEX: TenantRecord = { ...ACME, tenantId: 'globex', name: 'Globex', tier: 'premium' };
const OPERATOR = { tenantId: 'platform', userId: 'ops-1', roles: 'operator' };
const MONTH = monthOf(new Date());

interface Sums {
  inputTokens: number;
  outputTokens: number;
  calls: number;
  costUsd: number;
}

/** Sums of the per-call usage records (every user's private partition), grouped by `keyOf`. */
function recordSums(
  table: MemoryTable,
  tenantId: string,
  keyOf: (record: Record<string, unknown>) => string,
): Map<string, Sums> {
  const sums = new Map<string, Sums & { nano: number }>();
  const recordPartition = new RegExp(`^${tenantId}#u#[^#]+#usage-records$`);
  for (const record of table.items.values()) {
    if (!recordPartition.test(String(record.pk))) continue;
    const key = keyOf(record);
    const sum = sums.get(key) ?? { inputTokens: 0, outputTokens: 0, calls: 0, costUsd: 0, nano: 0 };
    sum.inputTokens += Number(record.inputTokens);
    sum.outputTokens += Number(record.outputTokens);
    sum.calls += 1;
    sum.nano += Number(record.costNanoUsd);
    sum.costUsd = sum.nano / 1e9;
    sums.set(key, sum);
  }
  return new Map([...sums].map(([key, { nano: _nano, ...sum }]) => [key, sum]));
}

const userOfRecord = (record: Record<string, unknown>) => String(record.pk).split('#')[2] ?? '';

async function someUsage(api: ReturnType<typeof apiHarness>, tenantId = 'acme') {
  const as = (caller: Caller): Caller => ({ ...caller, tenantId });
  // Two model calls (a tool turn), one call, and an embedding: two models, three users.
  await api.call(as(ALICE_ANALYST), 'POST', '/v1/chat', { message: 'use tool recall {}' });
  await api.call(as(ADA_ADMIN), 'POST', '/v1/chat', { message: 'hello' });
  await api.call(as(BOB_READER), 'POST', '/v1/documents', {
    title: 'Notes',
    content: 'Holidays are thirty days.',
    visibility: 'private',
  });
}

describe('GET /v1/costs', () => {
  it('gives a tenant admin totals and breakdowns that equal the per-call records', async () => {
    const api = apiHarness();
    await someUsage(api);

    const result = await api.call(ADA_ADMIN, 'GET', '/v1/costs', undefined, { month: MONTH });

    expect(result.statusCode).toBe(200);
    assertDocumentedResponse('GET', '/v1/costs', result);
    const costs = result.json;
    const [totals] = recordSums(api.table, 'acme', () => 'all').values();
    expect(costs.month).toBe(MONTH);
    expect(costs.priceVersion).toBe('2026-11');
    expect(costs.totals).toEqual(totals);
    expect(totals?.calls).toBe(4);
    const byUser = recordSums(api.table, 'acme', userOfRecord);
    expect(costs.byUser).toEqual(
      [...byUser]
        .sort(([a, x], [b, y]) => y.costUsd - x.costUsd || a.localeCompare(b))
        .map(([userId, sums]) => ({ userId, ...sums })),
    );
    const byModel = recordSums(api.table, 'acme', (record) => String(record.modelId));
    expect(costs.byModel).toEqual(
      [...byModel]
        .sort(([a, x], [b, y]) => y.costUsd - x.costUsd || a.localeCompare(b))
        .map(([modelId, sums]) => ({ modelId, ...sums })),
    );
    const byDay = recordSums(api.table, 'acme', (record) => String(record.at).slice(0, 10));
    expect(costs.byDay).toEqual([...byDay].sort().map(([date, sums]) => ({ date, ...sums })));
  });

  it('counts a replayed request once in every breakdown', async () => {
    const api = apiHarness();
    const event = proxyEvent({
      method: 'POST',
      path: '/v1/chat',
      body: JSON.stringify({ message: 'hello' }),
      authorizer: { tenantId: 'acme', userId: 'alice', roles: 'analyst' },
      requestId: 'replayed-request',
    });

    await api.handler(event);
    await api.handler(event);
    const costs = (await api.call(ADA_ADMIN, 'GET', '/v1/costs')).json;

    expect(costs.totals.calls).toBe(1);
    expect(costs.byUser.map((row: { calls: number }) => row.calls)).toEqual([1]);
    expect(costs.byModel.map((row: { calls: number }) => row.calls)).toEqual([1]);
    expect(costs.byDay.map((row: { calls: number }) => row.calls)).toEqual([1]);
  });

  it('defaults to the current month and answers zeros for a month without usage', async () => {
    const api = apiHarness();
    await api.call(ALICE_ANALYST, 'POST', '/v1/chat', { message: 'hello' });

    const current = await api.call(ADA_ADMIN, 'GET', '/v1/costs');
    const past = await api.call(ADA_ADMIN, 'GET', '/v1/costs', undefined, { month: '2020-01' });

    expect(current.json).toMatchObject({ month: MONTH, totals: { calls: 1 } });
    expect(past.json).toEqual({
      month: '2020-01',
      priceVersion: '2026-11',
      totals: { costUsd: 0, inputTokens: 0, outputTokens: 0, calls: 0 },
      byModel: [],
      byUser: [],
      byDay: [],
      // The month's budget counters are empty; the limits are today's (the tier's, for acme).
      budget: {
        monthlyBudgetUsd: TIER_BUDGETS[ACME.tier].monthlyUsd,
        monthlyTokenBudget: TIER_BUDGETS[ACME.tier].monthlyTokens,
        usedUsd: 0,
        usedTokens: 0,
        remainingUsd: TIER_BUDGETS[ACME.tier].monthlyUsd,
        remainingTokens: TIER_BUDGETS[ACME.tier].monthlyTokens,
      },
    });
    // The current month's budget counts the chat's call, as its metering did.
    const { totals, budget } = current.json as {
      totals: { costUsd: number; inputTokens: number; outputTokens: number };
      budget: { usedUsd: number; usedTokens: number };
    };
    expect(budget.usedUsd).toBeCloseTo(totals.costUsd, 9);
    expect(budget.usedTokens).toBe(totals.inputTokens + totals.outputTokens);
  });

  it('refuses a reader and an analyst with 403, and a malformed month with 400', async () => {
    const api = apiHarness();

    const reader = await api.call(BOB_READER, 'GET', '/v1/costs');
    const analyst = await api.call(ALICE_ANALYST, 'GET', '/v1/costs');
    const badMonths = await Promise.all(
      ['2026-13', '2026-1', 'november', '2026-11-01'].map((month) =>
        api.call(ADA_ADMIN, 'GET', '/v1/costs', undefined, { month }),
      ),
    );

    expect([reader.statusCode, analyst.statusCode]).toEqual([403, 403]);
    assertDocumentedResponse('GET', '/v1/costs', reader);
    expect(badMonths.map((result) => result.statusCode)).toEqual([400, 400, 400, 400]);
    assertDocumentedResponse('GET', '/v1/costs', badMonths[0] ?? reader);
  });
});

/** Two tenants using the API, and the control function over the same registry and tenant table. */
async function platformWithUsage() {
  const registry = memoryRegistry([ACME, { ...GLOBEX, name: 'Globex <Corp>' }]);
  const api = apiHarness({ registry });
  await someUsage(api, 'acme');
  await api.call({ ...ALICE_ANALYST, tenantId: 'globex' }, 'POST', '/v1/chat', { message: 'hello' });
  const control = memoryRuntime({ tenants: [], registry, table: api.table });
  const handler = createControlHandler(control.runtime);
  const costs = (authorizer: Record<string, string>, month?: string) =>
    handler({
      ...proxyEvent({ path: '/v1/admin/costs', authorizer }),
      queryStringParameters: month === undefined ? null : { month },
    });
  return { api, control, costs };
}

describe('GET /v1/admin/costs', () => {
  it('reports every tenant, reading each through a session for that tenant with the operator as user', async () => {
    const { api, control, costs } = await platformWithUsage();

    const result = await costs(OPERATOR, MONTH);

    expect(result.statusCode).toBe(200);
    assertDocumentedResponse('GET', '/v1/admin/costs', result);
    const report = JSON.parse(result.body);
    expect(report.month).toBe(MONTH);
    const [acmeTotals] = recordSums(api.table, 'acme', () => 'all').values();
    const [globexTotals] = recordSums(api.table, 'globex', () => 'all').values();
    expect(report.tenants).toEqual([
      expect.objectContaining({ tenantId: 'acme', name: 'Acme', tier: 'basic', totals: acmeTotals }),
      expect.objectContaining({
        tenantId: 'globex',
        name: 'Globex <Corp>',
        tier: 'premium',
        totals: globexTotals,
      }),
    ]);
    expect(report.tenants[0].topUsers.map((user: { userId: string }) => user.userId).sort()).toEqual([
      'ada',
      'alice',
      'bob',
    ]);
    expect(report.tenants[1].byModel).toEqual([
      expect.objectContaining({ modelId: 'amazon.nova-lite-v1:0' }),
    ]);
    expect(sessionTags(control.sts)).toEqual(
      expect.arrayContaining([
        { TenantId: 'acme', UserId: 'ops-1', Placement: 'pool' },
        { TenantId: 'globex', UserId: 'ops-1', Placement: 'pool' },
      ]),
    );
    expect(sessionTags(control.sts).every((tags) => tags.UserId === 'ops-1')).toBe(true);
    // The function's own credentials touched only the registry, never tenant data.
    const tablesNamed = control.control.map((command) =>
      'TableName' in command.input ? command.input.TableName : 'unnamed',
    );
    expect(new Set(tablesNamed)).toEqual(new Set(['control']));
  });

  it('names at most five top users per tenant, most expensive first', async () => {
    const registry = memoryRegistry([ACME]);
    const api = apiHarness({ registry });
    for (const [index, userId] of ['u1', 'u2', 'u3', 'u4', 'u5', 'u6'].entries()) {
      const caller = { userId, roles: 'analyst' };
      for (let turn = 0; turn <= index; turn += 1)
        await api.call(caller, 'POST', '/v1/chat', { message: 'hi' });
    }
    const control = memoryRuntime({ tenants: [], registry, table: api.table });

    const result = await createControlHandler(control.runtime)(
      proxyEvent({ path: '/v1/admin/costs', authorizer: OPERATOR }),
    );

    const [acme] = JSON.parse(result.body).tenants;
    expect(acme.topUsers.map((user: { userId: string }) => user.userId)).toEqual([
      'u6',
      'u5',
      'u4',
      'u3',
      'u2',
    ]);
  });

  it('refuses a tenant admin and a platform admin with 403, reading no tenant data', async () => {
    const { control, costs } = await platformWithUsage();

    const tenantAdmin = await costs({ tenantId: 'acme', userId: 'ada', roles: 'admin' });
    const platformAdmin = await costs({ tenantId: 'platform', userId: 'adm', roles: 'admin' });

    expect([tenantAdmin.statusCode, platformAdmin.statusCode]).toEqual([403, 403]);
    assertDocumentedResponse('GET', '/v1/admin/costs', tenantAdmin);
    expect(control.control.map((command) => command.name)).not.toContain('ScanCommand');
    expect(
      control.tenantData.filter((command) => ['QueryCommand', 'BatchGetItemCommand'].includes(command.name)),
    ).toEqual([]);
  });

  it('answers 400 for a malformed month', async () => {
    const { costs } = await platformWithUsage();

    const result = await costs(OPERATOR, '26-11');

    expect(result.statusCode).toBe(400);
  });
});

describe('the OpenAPI document', () => {
  it('describes the cost routes and the settings route with their errors', () => {
    const { paths } = apiDocument();
    const documented = (status: number) => ({ [status]: expect.anything() });

    expect(paths['/v1/costs']?.get).toMatchObject({
      parameters: [expect.objectContaining({ name: 'month', in: 'query', required: false })],
      responses: { ...documented(200), ...documented(400), ...documented(403), ...documented(429) },
    });
    expect(paths['/v1/admin/costs']?.get).toMatchObject({
      responses: { ...documented(200), ...documented(400), ...documented(403) },
    });
    expect(paths['/v1/admin/tenants/{tenantId}']?.patch).toMatchObject({
      requestBody: {
        content: {
          'application/json': {
            schema: { properties: { rateLimits: expect.anything(), monthlyBudgetUsd: expect.anything() } },
          },
        },
      },
      responses: { ...documented(200), ...documented(400), ...documented(403), ...documented(404) },
    });
    expect(paths['/v1/admin/tenants']?.post).toMatchObject({
      requestBody: {
        content: { 'application/json': { schema: { properties: { rateLimits: expect.anything() } } } },
      },
    });
  });
});

/**
 * Tenant settings set by the operator (onboarding body and PATCH), and their
 * effect on the tenant API's admission: the api function reads the record
 * through its own registry cache, so each check uses a fresh api runtime
 * over the shared control table (as a new execution environment would).
 */

import { describe, expect, it } from 'vitest';
import { shardAllowance, TIER_BUDGETS } from '../../lambdas/admission/tier-limits.js';
import { usdToNano } from '../../lambdas/metering/price-table.js';
import { SETTINGS_LIMITS } from '../../lambdas/registry/tenant-record.js';
import { createControlHandler } from '../../lambdas/routes/control-routes.js';
import { actorTagFor } from '../../lambdas/tenancy/request-context.js';
import { ACME, ADA_ADMIN, ALICE_ANALYST, apiHarness, BOB_READER } from './support/api-harness.js';
import { proxyEvent } from './support/events.js';
import { memoryRegistry, memoryRuntime, TAG_KEY } from './support/fake-runtime.js';
import { auditItemsOf } from './support/memory-cloud.js';
import { assertDocumentedResponse } from './support/openapi-validator.js';

const OPERATOR = { tenantId: 'platform', userId: 'ops-1', roles: 'operator' };

function platform() {
  const registry = memoryRegistry([ACME]);
  const control = memoryRuntime({ tenants: [], registry });
  const handler = createControlHandler(control.runtime);
  const patch = (body: unknown, authorizer = OPERATOR, tenantId = 'acme') =>
    handler(
      proxyEvent({
        method: 'PATCH',
        path: `/v1/admin/tenants/${tenantId}`,
        body: JSON.stringify(body),
        authorizer,
      }),
    );
  const stored = () => registry.items.get(JSON.stringify(['tenant#acme', 'profile']));
  return { registry, control, handler, patch, stored };
}

describe('PATCH /v1/admin/tenants/{tenantId}', () => {
  it('sets budgets, rate limits and model, answers the updated record and audits the change', async () => {
    const { patch, stored, control } = platform();

    const result = await patch({
      monthlyBudgetUsd: 12.5,
      monthlyTokenBudget: 1000,
      rateLimits: { perUserPerMinute: 7 },
      modelId: 'amazon.nova-micro-v1:0',
    });

    expect(result.statusCode).toBe(200);
    assertDocumentedResponse('PATCH', '/v1/admin/tenants/{tenantId}', result);
    const expected = {
      ...ACME,
      monthlyBudgetUsd: 12.5,
      monthlyTokenBudget: 1000,
      rateLimits: { perUserPerMinute: 7 },
      modelId: 'amazon.nova-micro-v1:0',
    };
    expect(JSON.parse(result.body)).toEqual(expected);
    expect(stored()).toMatchObject(expected);
    const audit = auditItemsOf(control.table, 'acme');
    expect(audit.map((item) => [item.action, item.actor, item.outcome])).toEqual([
      ['admin.update_settings', actorTagFor('acme', 'ops-1', TAG_KEY), 'attempted'],
      ['admin.update_settings', actorTagFor('acme', 'ops-1', TAG_KEY), 'succeeded'],
    ]);
  });

  it('replaces only the given fields', async () => {
    const { patch } = platform();
    await patch({ monthlyBudgetUsd: 5, rateLimits: { perTenantPerMinute: 50 } });

    const result = await patch({ rateLimits: { perUserPerMinute: 3 } });

    expect(JSON.parse(result.body)).toMatchObject({
      monthlyBudgetUsd: 5,
      rateLimits: { perUserPerMinute: 3 },
    });
    expect(JSON.parse(result.body).rateLimits).not.toHaveProperty('perTenantPerMinute');
  });

  it.each([
    ['an empty body', {}],
    ['a negative budget', { monthlyBudgetUsd: -1 }],
    ['a fractional token budget', { monthlyTokenBudget: 1.5 }],
    ['a zero rate limit', { rateLimits: { perUserPerMinute: 0 } }],
    ['an unknown rate limit', { rateLimits: { perHour: 5 } }],
    ['an unknown field', { colour: 'teal' }],
    ['an unknown tier', { tier: 'gold' }],
    ['a null setting', { monthlyBudgetUsd: null }],
  ])('answers 400 for %s and writes nothing', async (_label, body) => {
    const { patch, stored, registry } = platform();
    const before = structuredClone(stored());

    const result = await patch(body);

    expect(result.statusCode).toBe(400);
    assertDocumentedResponse('PATCH', '/v1/admin/tenants/{tenantId}', result);
    expect(stored()).toEqual(before);
    expect(registry.items.size).toBe(1);
  });

  it.each([
    ['a model the catalogue does not have', 'anthropic.unknown-v1'],
    ['the embedding model (priced, but not a chat model)', 'amazon.titan-embed-text-v2:0'],
  ])('answers 422 model_not_allowed for %s and writes nothing', async (_label, modelId) => {
    const { patch, stored } = platform();
    const before = structuredClone(stored());

    const result = await patch({ modelId });

    expect([result.statusCode, JSON.parse(result.body).error.code]).toEqual([422, 'model_not_allowed']);
    assertDocumentedResponse('PATCH', '/v1/admin/tenants/{tenantId}', result);
    expect(stored()).toEqual(before);
  });

  it('changes the tier in place when the new tier lives where the tenant is (no move)', async () => {
    const { patch, stored } = platform();

    const result = await patch({ tier: 'premium' });

    expect(result.statusCode).toBe(200);
    assertDocumentedResponse('PATCH', '/v1/admin/tenants/{tenantId}', result);
    expect(stored()).toMatchObject({ tier: 'premium' });
    expect(stored()?.move).toBeUndefined();
  });

  it('changes the tier and the settings of one PATCH in one registry write: both land, or neither', async () => {
    const { patch, stored, control } = platform();
    const profileWrites = () =>
      control.control.filter(
        (command) =>
          command.name === 'UpdateItemCommand' && JSON.stringify(command.input).includes('"profile"'),
      ).length;

    const result = await patch({ tier: 'premium', monthlyBudgetUsd: 80 });
    const toSilo = await patch({ tier: 'enterprise', monthlyBudgetUsd: 90 });
    const whileMoving = await patch({ tier: 'basic', monthlyBudgetUsd: 1 });

    expect([result.statusCode, toSilo.statusCode, whileMoving.statusCode]).toEqual([200, 200, 409]);
    expect(profileWrites()).toBe(3);
    // The change refused while the move runs set neither its tier nor its budget.
    expect(stored()).toMatchObject({ tier: 'enterprise', monthlyBudgetUsd: 90, move: { to: 'silo' } });
  });

  it('starts a move to a silo for a tier that lives in silos, and refuses another change while it runs (409)', async () => {
    const { patch, stored, handler } = platform();

    const moved = await patch({ tier: 'enterprise' });
    const again = await patch({ tier: 'basic' });
    const offboard = await handler(
      proxyEvent({
        method: 'POST',
        path: '/v1/admin/tenants/acme/offboard',
        body: '{}',
        authorizer: OPERATOR,
      }),
    );

    expect(moved.statusCode).toBe(200);
    expect(JSON.parse(moved.body)).toMatchObject({
      tier: 'enterprise',
      move: { to: 'silo', phase: 'provisioning' },
    });
    expect(again.statusCode).toBe(409);
    expect(JSON.parse(again.body).error.code).toBe('move_in_progress');
    assertDocumentedResponse('PATCH', '/v1/admin/tenants/{tenantId}', again);
    expect(stored()).toMatchObject({ tier: 'enterprise', move: { to: 'silo' } });
    expect(offboard.statusCode).toBe(409);
  });

  it('sets token and in-flight limits like the rate limits, and refuses them from a tenant admin or another tenant’s operator-less caller', async () => {
    const { patch, stored } = platform();
    const limits = { tokensPerUserPerMinute: 5_000, tokensPerTenantPerMinute: 50_000, inFlightPerTenant: 4 };
    const before = structuredClone(stored());

    const byAdmin = await patch({ rateLimits: limits }, { tenantId: 'acme', userId: 'ada', roles: 'admin' });
    const byOtherTenant = await patch(
      { rateLimits: limits },
      { tenantId: 'globex', userId: 'gus', roles: 'admin' },
    );
    const afterRefusals = structuredClone(stored());
    const byOperator = await patch({ rateLimits: limits });

    expect([byAdmin.statusCode, byOtherTenant.statusCode]).toEqual([403, 403]);
    expect(afterRefusals).toEqual(before);
    assertDocumentedResponse('PATCH', '/v1/admin/tenants/{tenantId}', byAdmin);
    expect(byOperator.statusCode).toBe(200);
    assertDocumentedResponse('PATCH', '/v1/admin/tenants/{tenantId}', byOperator);
    expect(stored()).toMatchObject({ rateLimits: limits });
  });

  it('answers 404 for an unknown tenant and 403 for a non-operator', async () => {
    const { patch, stored } = platform();
    const before = structuredClone(stored());

    const unknown = await patch({ monthlyBudgetUsd: 1 }, OPERATOR, 'nobody');
    const admin = await patch(
      { monthlyBudgetUsd: 1000 },
      { tenantId: 'acme', userId: 'ada', roles: 'admin' },
    );

    expect([unknown.statusCode, admin.statusCode]).toEqual([404, 403]);
    assertDocumentedResponse('PATCH', '/v1/admin/tenants/{tenantId}', unknown);
    expect(stored()).toEqual(before);
  });
});

describe('settings in admission', () => {
  it('refuses a user sooner with 429 after a per-user rate limit override', async () => {
    const { registry, patch } = platform();
    const before = apiHarness({ registry });
    const untouched = [];
    for (let index = 0; index < 3; index += 1)
      untouched.push((await before.call(ALICE_ANALYST, 'GET', '/v1/me')).statusCode);

    await patch({ rateLimits: { perUserPerMinute: 2 } });
    const after = apiHarness({ registry });
    const limited = [];
    for (let index = 0; index < 3; index += 1)
      limited.push((await after.call(ALICE_ANALYST, 'GET', '/v1/me')).statusCode);
    const otherUser = await after.call(BOB_READER, 'GET', '/v1/me');

    expect(untouched).toEqual([200, 200, 200]);
    expect(limited).toEqual([200, 200, 429]);
    expect(otherUser.statusCode).toBe(200);
  });

  it('refuses the tenant with 429 after a per-tenant rate limit override', async () => {
    const { registry, patch } = platform();
    await patch({ rateLimits: { perTenantPerMinute: 2 } });
    const api = apiHarness({ registry });

    const statuses = [
      (await api.call(ALICE_ANALYST, 'GET', '/v1/me')).statusCode,
      (await api.call(BOB_READER, 'GET', '/v1/me')).statusCode,
      (await api.call(ADA_ADMIN, 'GET', '/v1/me')).statusCode,
    ];

    expect(statuses).toEqual([200, 200, 429]);
  });

  it('refuses a user with 429 token_rate_limited once a per-user token override is used up; a teammate is served', async () => {
    const { registry, patch } = platform();
    await patch({ rateLimits: { tokensPerUserPerMinute: 10 } });
    const api = apiHarness({ registry });

    const chat = await api.call(ALICE_ANALYST, 'POST', '/v1/chat', { message: 'hi' });
    const next = await api.call(ALICE_ANALYST, 'GET', '/v1/me');
    const teammate = await api.call(BOB_READER, 'GET', '/v1/me');

    expect(chat.statusCode).toBe(200);
    expect([next.statusCode, next.json.error.code]).toEqual([429, 'token_rate_limited']);
    assertDocumentedResponse('GET', '/v1/me', next);
    expect(Number(next.headers?.['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(teammate.statusCode).toBe(200);
  });

  it('refuses a chat with 402 after a zero budget override, and admits it before', async () => {
    const { registry, patch } = platform();
    const before = await apiHarness({ registry }).call(ALICE_ANALYST, 'POST', '/v1/chat', { message: 'hi' });

    await patch({ monthlyBudgetUsd: 0 });
    const after = await apiHarness({ registry }).call(ALICE_ANALYST, 'POST', '/v1/chat', { message: 'hi' });

    expect(before.statusCode).toBe(200);
    expect(after.statusCode).toBe(402);
    expect(after.json.error.code).toBe('budget_exceeded');
  });

  it('onboards a tenant with its settings in the POST body', async () => {
    const { handler, registry } = platform();

    const created = await handler(
      proxyEvent({
        method: 'POST',
        path: '/v1/admin/tenants',
        body: JSON.stringify({
          tenantId: 'globex',
          name: 'Globex',
          tier: 'premium',
          monthlyBudgetUsd: 0,
          rateLimits: { perUserPerMinute: 1 },
        }),
        authorizer: OPERATOR,
      }),
    );
    const api = apiHarness({ registry });
    const globexUser = { ...ALICE_ANALYST, tenantId: 'globex' };
    const chat = await api.call(globexUser, 'POST', '/v1/chat', { message: 'hi' });
    const second = await api.call(globexUser, 'GET', '/v1/me');

    expect(created.statusCode).toBe(201);
    expect(JSON.parse(created.body)).toMatchObject({
      monthlyBudgetUsd: 0,
      rateLimits: { perUserPerMinute: 1 },
    });
    expect(chat.statusCode).toBe(402);
    expect(second.statusCode).toBe(429);
  });
});

describe('setting ranges', () => {
  const OUT_OF_RANGE: ReadonlyArray<readonly [string, Record<string, unknown>]> = [
    ['a 1e16 budget', { monthlyBudgetUsd: 1e16 }],
    ['a $10 M budget', { monthlyBudgetUsd: 10_000_000 }],
    ['a budget just over the ceiling', { monthlyBudgetUsd: SETTINGS_LIMITS.monthlyBudgetUsd + 0.01 }],
    ['a negative budget', { monthlyBudgetUsd: -0.01 }],
    ['a string budget', { monthlyBudgetUsd: '5' }],
    ['a huge token budget', { monthlyTokenBudget: 2 ** 53 }],
    ['a fractional token budget', { monthlyTokenBudget: 1.5 }],
    ['a negative token budget', { monthlyTokenBudget: -1 }],
    ['a zero rate limit', { rateLimits: { perUserPerMinute: 0 } }],
    ['a huge rate limit', { rateLimits: { perTenantPerMinute: 1e12 } }],
    ['a fractional rate limit', { rateLimits: { perTenantPerMinute: 2.5 } }],
    ['a zero token limit', { rateLimits: { tokensPerUserPerMinute: 0 } }],
    ['a huge token limit', { rateLimits: { tokensPerTenantPerMinute: 1e12 } }],
    ['a fractional token limit', { rateLimits: { tokensPerTenantPerMinute: 10.5 } }],
    ['a zero in-flight limit', { rateLimits: { inFlightPerTenant: 0 } }],
    ['a huge in-flight limit', { rateLimits: { inFlightPerTenant: 1e9 } }],
    ['a string in-flight limit', { rateLimits: { inFlightPerTenant: '3' } }],
  ];

  it.each(OUT_OF_RANGE)('PATCH answers 400 for %s and changes nothing', async (_label, body) => {
    const { patch, stored } = platform();
    const before = structuredClone(stored());

    const result = await patch(body);

    expect([result.statusCode, JSON.parse(result.body).error.code]).toEqual([400, 'bad_request']);
    expect(stored()).toEqual(before);
  });

  it.each(OUT_OF_RANGE)('onboarding answers 400 for %s and creates nothing', async (_label, settings) => {
    const { handler, registry } = platform();

    const result = await handler(
      proxyEvent({
        method: 'POST',
        path: '/v1/admin/tenants',
        body: JSON.stringify({ tenantId: 'globex', name: 'Globex', tier: 'basic', ...settings }),
        authorizer: OPERATOR,
      }),
    );

    expect(result.statusCode).toBe(400);
    expect(registry.items.size).toBe(1);
  });

  it.each(Object.entries(TIER_BUDGETS))(
    'keeps budget arithmetic exact at the largest accepted budget for the %s tier',
    (_tier, { shards }) => {
      const budgetNano = usdToNano(SETTINGS_LIMITS.monthlyBudgetUsd);
      const parts = Array.from({ length: shards }, (_, shard) => shardAllowance(budgetNano, shards, shard));

      expect(Number.isSafeInteger(budgetNano)).toBe(true);
      expect(parts.every(Number.isSafeInteger)).toBe(true);
      expect(parts.reduce((sum, part) => sum + part, 0)).toBe(budgetNano);
      // Room for a month of holds and settlements on top of the whole budget, still exact.
      expect(Number.isSafeInteger(budgetNano * 4)).toBe(true);
    },
  );

  it('admits a chat for a basic tenant with the largest accepted budget', async () => {
    const { patch, registry } = platform();
    await patch({
      monthlyBudgetUsd: SETTINGS_LIMITS.monthlyBudgetUsd,
      monthlyTokenBudget: SETTINGS_LIMITS.monthlyTokenBudget,
    });
    const api = apiHarness({ registry });

    const chat = await api.call(ALICE_ANALYST, 'POST', '/v1/chat', { message: 'hi' });

    expect(chat.statusCode).toBe(200);
  });
});

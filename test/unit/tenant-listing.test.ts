/**
 * GET /v1/admin/tenants: every tenant once, by id, page by page (a cursor sealed for this query
 * and caller), filtered by tier and status, with each tenant's placement and move — the
 * operator's only; a tenant admin, another tenant's admin and a reader are refused.
 */
import { describe, expect, it } from 'vitest';
import type { TenantRecord } from '../../lambdas/registry/tenant-record.js';
import { createControlHandler } from '../../lambdas/routes/control-routes.js';
import { ACME } from './support/api-harness.js';
import { proxyEvent } from './support/events.js';
import { memoryRegistry, memoryRuntime } from './support/fake-runtime.js';
import { assertDocumentedResponse } from './support/openapi-validator.js';

const OPERATOR = { tenantId: 'platform', userId: 'ops-1', roles: 'operator' };
const tenant = (
  tenantId: string,
  tier: TenantRecord['tier'],
  extra: Partial<TenantRecord> = {},
): TenantRecord => ({
  ...ACME,
  tenantId,
  name: tenantId,
  tier,
  ...extra,
});
const TENANTS = [
  tenant('delta', 'basic'),
  tenant('alpha', 'enterprise', { placement: 'silo' }),
  tenant('echo', 'basic', { status: 'suspended' }),
  tenant('charlie', 'premium', { move: { to: 'silo', phase: 'holding', requestedAt: ACME.createdAt } }),
  tenant('bravo', 'basic'),
];

function listing() {
  const control = memoryRuntime({ tenants: [], registry: memoryRegistry(TENANTS) });
  const handler = createControlHandler(control.runtime);
  return async (query: Record<string, string>, authorizer = OPERATOR) => {
    const result = await handler({
      ...proxyEvent({ method: 'GET', path: '/v1/admin/tenants', authorizer }),
      queryStringParameters: query,
    });
    assertDocumentedResponse('GET', '/v1/admin/tenants', result);
    return { status: result.statusCode, body: JSON.parse(result.body) };
  };
}

const ids = (body: { tenants: TenantRecord[] }) => body.tenants.map((record) => record.tenantId);

describe('GET /v1/admin/tenants', () => {
  it('pages through every tenant once, in id order, with placement and moves', async () => {
    const list = listing();

    const first = await list({ limit: '2' });
    const second = await list({ limit: '2', cursor: first.body.cursor });
    const last = await list({ limit: '2', cursor: second.body.cursor });

    expect([ids(first.body), ids(second.body), ids(last.body)]).toEqual([
      ['alpha', 'bravo'],
      ['charlie', 'delta'],
      ['echo'],
    ]);
    expect(last.body.cursor).toBeUndefined();
    expect(first.body.tenants[0]).toMatchObject({ tenantId: 'alpha', placement: 'silo' });
    expect(second.body.tenants[0]).toMatchObject({ move: { to: 'silo', phase: 'holding' } });
  });

  it('filters by tier and status, and a cursor opens only for the query it was issued for', async () => {
    const list = listing();

    const basic = await list({ tier: 'basic', limit: '1' });
    const active = await list({ tier: 'basic', status: 'active' });
    const crossed = await list({ tier: 'premium', limit: '1', cursor: basic.body.cursor });

    expect(ids(basic.body)).toEqual(['bravo']);
    expect(ids(active.body)).toEqual(['bravo', 'delta']);
    expect(crossed.status).toBe(400);
    expect(crossed.body.error.code).toBe('invalid_cursor');
  });

  it('answers 400 for an unknown tier or filter', async () => {
    const list = listing();

    expect((await list({ tier: 'gold' })).status).toBe(400);
    expect((await list({ colour: 'teal' })).status).toBe(400);
  });

  it.each([
    ['a tenant admin', { tenantId: 'alpha', userId: 'ada', roles: 'admin' }],
    ['a reader', { tenantId: 'bravo', userId: 'bob', roles: 'reader' }],
    ['an operator role outside the platform tenant', { tenantId: 'bravo', userId: 'eve', roles: 'operator' }],
  ])('refuses %s (403)', async (_label, caller) => {
    expect((await listing()({}, caller)).status).toBe(403);
  });
});

import { describe, expect, it } from 'vitest';
import { ForbiddenError, UnauthenticatedError } from '../../lambdas/http/errors.js';
import { resolveRequestContext } from '../../lambdas/http/request-context-middleware.js';
import { TenantDirectory } from '../../lambdas/registry/tenant-directory.js';
import type { TenantRecord } from '../../lambdas/registry/tenant-record.js';
import { type Role, tenantTagFor } from '../../lambdas/tenancy/request-context.js';
import { proxyEvent } from './support/events.js';

const ACME: TenantRecord = {
  tenantId: 'acme',
  name: 'Acme',
  tier: 'premium',
  status: 'active',
  createdAt: '2024-01-01T00:00:00.000Z',
};

function fakeRegistry(tenants: TenantRecord[], roles: Record<string, Role[]> = {}) {
  const calls = { getTenant: 0 };
  return {
    calls,
    async getTenant(tenantId: string) {
      calls.getTenant += 1;
      return tenants.find((tenant) => tenant.tenantId === tenantId);
    },
    async getUserRoles(tenantId: string, userId: string) {
      return roles[`${tenantId}/${userId}`];
    },
  };
}

function sources(registry: ReturnType<typeof fakeRegistry>) {
  return { directory: new TenantDirectory(registry), tenantTag: async (id: string) => tenantTagFor(id, 'k') };
}

describe('request context middleware', () => {
  it('builds a frozen context from the authorizer context, the registry and the request id', async () => {
    const context = await resolveRequestContext(
      proxyEvent({ requestId: 'req-9' }),
      sources(fakeRegistry([ACME])),
    );

    expect(context).toEqual({
      tenantId: 'acme',
      userId: 'alice',
      roles: ['reader'],
      tier: 'premium',
      requestId: 'req-9',
      tenantTag: tenantTagFor('acme', 'k'),
    });
    expect(Object.isFrozen(context)).toBe(true);
  });

  it("refuses a token past its expiry, which API Gateway's authorizer cache may still hand over", async () => {
    const registry = fakeRegistry([ACME]);
    const now = Date.UTC(2026, 11, 1, 12);
    const event = (expiresAtMs: number) =>
      proxyEvent({
        authorizer: {
          tenantId: 'acme',
          userId: 'alice',
          roles: 'reader',
          tokenExpiresAt: String(expiresAtMs / 1000),
        },
      });

    await expect(
      resolveRequestContext(event(now - 1000), { ...sources(registry), now: () => now }),
    ).rejects.toBeInstanceOf(UnauthenticatedError);
    await expect(resolveRequestContext(event(now), { ...sources(registry), now: () => now })).rejects.toThrow(
      /token has expired/,
    );
    await expect(
      resolveRequestContext(event(now + 1000), { ...sources(registry), now: () => now }),
    ).resolves.toMatchObject({ tenantId: 'acme', userId: 'alice' });
    expect(registry.calls.getTenant).toBe(1);
  });

  it('prefers the registry role assignment over the token groups', async () => {
    const registry = fakeRegistry([ACME], { 'acme/alice': ['admin'] });

    const context = await resolveRequestContext(proxyEvent({}), sources(registry));

    expect(context.roles).toEqual(['admin']);
  });

  it.each([
    ['missing', null],
    ['empty', {}],
    ['without a user', { tenantId: 'acme', roles: 'reader' }],
    ['with a malformed tenant', { tenantId: 'ACME#', userId: 'alice', roles: 'reader' }],
    ['with an unknown role', { tenantId: 'acme', userId: 'alice', roles: 'reader,root' }],
    [
      'without the token expiry',
      { tenantId: 'acme', userId: 'alice', roles: 'reader', tokenExpiresAt: undefined },
    ],
    [
      'with a malformed token expiry',
      { tenantId: 'acme', userId: 'alice', roles: 'reader', tokenExpiresAt: 'later' },
    ],
  ])('rejects an authorizer context that is %s', async (_label, authorizer) => {
    const registry = fakeRegistry([ACME]);

    await expect(resolveRequestContext(proxyEvent({ authorizer }), sources(registry))).rejects.toBeInstanceOf(
      UnauthenticatedError,
    );
    expect(registry.calls.getTenant).toBe(0);
  });

  it('refuses an unknown tenant and a suspended tenant', async () => {
    const registry = fakeRegistry([{ ...ACME, tenantId: 'beta', status: 'suspended' }]);
    const suspended = proxyEvent({ authorizer: { tenantId: 'beta', userId: 'bob', roles: 'admin' } });

    await expect(resolveRequestContext(proxyEvent({}), sources(registry))).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    await expect(resolveRequestContext(suspended, sources(registry))).rejects.toBeInstanceOf(ForbiddenError);
  });
});

describe('the platform tenant', () => {
  it('honours operator only in the built-in platform tenant, which needs no registry record', async () => {
    const registry = fakeRegistry([ACME]);
    const platformEvent = proxyEvent({
      authorizer: { tenantId: 'platform', userId: 'ops', roles: 'operator' },
    });
    const acmeEvent = proxyEvent({
      authorizer: { tenantId: 'acme', userId: 'eve', roles: 'operator,reader' },
    });

    const platform = await resolveRequestContext(platformEvent, sources(registry));
    const acme = await resolveRequestContext(acmeEvent, sources(registry));

    expect(platform).toMatchObject({ tenantId: 'platform', roles: ['operator'], tier: 'enterprise' });
    expect(acme.roles).toEqual(['reader']);
    expect(registry.calls.getTenant).toBe(1);
  });

  it('drops operator from a registry role assignment outside the platform tenant', async () => {
    const registry = fakeRegistry([ACME], { 'acme/eve': ['operator', 'admin'] });

    const context = await resolveRequestContext(
      proxyEvent({ authorizer: { tenantId: 'acme', userId: 'eve', roles: 'reader' } }),
      sources(registry),
    );

    expect(context.roles).toEqual(['admin']);
  });
});

describe('TenantDirectory', () => {
  it('caches a tenant record for at most its TTL', async () => {
    const clock = { now: 0 };
    const registry = fakeRegistry([ACME]);
    const directory = new TenantDirectory(registry, { ttlMs: 15_000, now: () => clock.now });

    await directory.tenant('acme');
    clock.now = 14_999;
    await directory.tenant('acme');
    const cachedCalls = registry.calls.getTenant;
    clock.now = 15_000;
    await directory.tenant('acme');

    expect(cachedCalls).toBe(1);
    expect(registry.calls.getTenant).toBe(2);
  });

  it('does not remember an unknown tenant, so one onboarded a moment later is found at once', async () => {
    const clock = { now: 0 };
    const tenants: TenantRecord[] = [];
    const registry = fakeRegistry(tenants);
    const directory = new TenantDirectory(registry, { ttlMs: 15_000, now: () => clock.now });

    const before = await directory.tenant('acme');
    tenants.push(ACME);
    clock.now = 1;
    const after = await directory.tenant('acme');

    expect(before).toBeUndefined();
    expect(after).toEqual(ACME);
  });
});

/**
 * A tenant-isolated function's environment serves one tenant: the tenant Lambda names
 * (`context.tenantId`), or else the first verified tenant it serves; any other tenant's request
 * is refused before any handler work, with a 503 the caller is not blamed for.
 */
import { describe, expect, it, vi } from 'vitest';
import {
  EnvironmentBinding,
  environmentBindingFrom,
  PER_TENANT,
  TENANT_ISOLATION_VARIABLE,
} from '../../lambdas/http/environment-binding.js';
import type { Logger } from '../../lambdas/observability/logger.js';
import type { TenantRecord } from '../../lambdas/registry/tenant-record.js';
import { createApiHandler } from '../../lambdas/routes/api-routes.js';
import { proxyEvent } from './support/events.js';
import { fakeRuntime } from './support/fake-runtime.js';

const tenant = (tenantId: string): TenantRecord => ({
  tenantId,
  name: tenantId,
  tier: 'enterprise',
  status: 'active',
  createdAt: '2024-01-01T00:00:00.000Z',
  // The silo API's isolated functions serve silo tenants only.
  placement: 'silo',
});
const meOf = (tenantId: string) =>
  proxyEvent({ path: '/v1/me', authorizer: { tenantId, userId: 'u1', roles: 'analyst' } });
const lambdaContext = (tenantId?: string) => ({
  getRemainingTimeInMillis: () => 10_000,
  ...(tenantId === undefined ? {} : { tenantId }),
});

function isolatedApi() {
  const fake = fakeRuntime({ tenants: [tenant('acme'), tenant('globex')] });
  const logger = { info: vi.fn<Logger['info']>(), error: vi.fn<Logger['error']>() };
  const environmentBinding = new EnvironmentBinding();
  const handler = createApiHandler(fake.runtime, { environmentBinding, logger });
  return { fake, logger, environmentBinding, handler };
}

describe('the environment binding of a tenant-isolated function', () => {
  it('serves the tenant Lambda bound the environment to', async () => {
    const { handler, environmentBinding } = isolatedApi();

    const result = await handler(meOf('acme'), lambdaContext('acme'));

    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body)).toMatchObject({ tenantId: 'acme' });
    expect(environmentBinding.tenantId).toBe('acme');
  });

  it('refuses another verified tenant with 503 environment_mismatch before any work, and logs no tenant id', async () => {
    const { fake, handler, logger } = isolatedApi();
    await handler(meOf('acme'), lambdaContext('acme'));
    const callsBefore = fake.control.length + fake.sts.length + fake.tenantData.length;

    const result = await handler(meOf('globex'), lambdaContext('acme'));

    expect(result.statusCode).toBe(503);
    expect(result.headers?.['retry-after']).toBe('1');
    expect(JSON.parse(result.body)).toMatchObject({ error: { code: 'environment_mismatch' } });
    expect(fake.control.length + fake.sts.length + fake.tenantData.length).toBe(callsBefore);
    const logged = JSON.stringify([logger.info.mock.calls, logger.error.mock.calls]);
    expect(logged).toContain('environment_mismatch');
    expect(logged).not.toMatch(/acme|globex/);
  });

  it('binds to the first verified tenant when Lambda names none, and refuses the next tenant', async () => {
    const { handler, environmentBinding } = isolatedApi();

    const first = await handler(meOf('globex'), lambdaContext());
    const second = await handler(meOf('acme'), lambdaContext());
    const again = await handler(meOf('globex'), lambdaContext());

    expect([first.statusCode, second.statusCode, again.statusCode]).toEqual([200, 503, 200]);
    expect(environmentBinding.tenantId).toBe('globex');
  });

  it('refuses a request Lambda delivers for another tenant than the environment’s', () => {
    const binding = new EnvironmentBinding();
    binding.admit('acme', 'acme');

    expect(() => binding.admit('globex', 'globex')).toThrow(/another tenant/);
    expect(binding.tenantId).toBe('acme');
  });
});

describe('environmentBindingFrom', () => {
  it('binds only functions that run in tenant isolation mode, and rejects an unknown mode', () => {
    expect(environmentBindingFrom({})).toBeUndefined();
    expect(environmentBindingFrom({ [TENANT_ISOLATION_VARIABLE]: PER_TENANT })).toBeInstanceOf(
      EnvironmentBinding,
    );
    expect(() => environmentBindingFrom({ [TENANT_ISOLATION_VARIABLE]: 'per-tenant' })).toThrow(
      /TENANT_ISOLATION must be PER_TENANT/,
    );
  });
});

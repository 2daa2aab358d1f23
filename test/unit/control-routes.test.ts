import { AccessDeniedException } from '@aws-sdk/client-s3vectors';
import { describe, expect, it, vi } from 'vitest';
import { createHttpHandler } from '../../lambdas/http/http-handler.js';
import type { Logger } from '../../lambdas/observability/logger.js';
import type { TenantRecord } from '../../lambdas/registry/tenant-record.js';
import { controlRouter } from '../../lambdas/routes/control-routes.js';
import { proxyEvent } from './support/events.js';
import {
  assumedSessions,
  type FakeRuntimeOptions,
  fakeRuntime,
  memoryRegistry,
} from './support/fake-runtime.js';
import { metadata } from './support/fake-sdk.js';

const ACME: TenantRecord = {
  tenantId: 'acme',
  name: 'Acme',
  tier: 'basic',
  status: 'active',
  createdAt: '2024-01-01T00:00:00.000Z',
};
const OPERATOR = { tenantId: 'platform', userId: 'ops-1', roles: 'operator' };
const NEW_TENANT = JSON.stringify({ tenantId: 'globex', name: 'Globex', tier: 'premium' });

function controlHandler(options: Partial<FakeRuntimeOptions> = {}) {
  const logger: Logger = { info: vi.fn(), error: vi.fn() };
  // The platform tenant is built in: operators need no registry record of it.
  const fake = fakeRuntime({ tenants: [ACME], ...options });
  const handler = createHttpHandler({
    router: controlRouter(fake.runtime),
    resolveContext: (event) => fake.runtime.resolveContext(event),
    logger,
  });
  return { ...fake, handler, logger };
}

const onboard = (authorizer = OPERATOR, body = NEW_TENANT) =>
  proxyEvent({ method: 'POST', path: '/v1/admin/tenants', body, authorizer });

describe('control API routes', () => {
  it('onboards a tenant: stores the record and creates its index through the new tenant’s session', async () => {
    const { handler, control, sts, vectors } = controlHandler();

    const result = await handler(onboard());

    expect(result.statusCode).toBe(201);
    expect(JSON.parse(result.body)).toMatchObject({
      tenantId: 'globex',
      name: 'Globex',
      tier: 'premium',
      status: 'active',
    });
    const created = control.find((command) => command.name === 'TransactWriteItemsCommand');
    expect(created?.input).toMatchObject({
      TransactItems: [
        {
          ConditionCheck: {
            Key: { pk: { S: 'tenant#globex' }, sk: { S: 'erasure-receipt' } },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        {
          Put: {
            ConditionExpression: 'attribute_not_exists(pk)',
            Item: { pk: { S: 'tenant#globex' }, sk: { S: 'profile' } },
          },
        },
      ],
    });
    // One tenant session for the data, one audit writer session for the trail, both for the caller.
    expect(assumedSessions(sts)).toEqual(
      expect.arrayContaining([
        { role: 'TenantAccess', TenantId: 'globex', UserId: 'ops-1', Placement: 'pool' },
        { role: 'AuditWriter', TenantId: 'globex', UserId: 'ops-1', Placement: 'pool' },
      ]),
    );
    expect(assumedSessions(sts)).toHaveLength(2);
    expect(vectors.map((command) => command.name)).toEqual(['CreateIndexCommand']);
    expect(vectors[0]?.input).toMatchObject({
      vectorBucketName: 'vectors',
      indexName: 'globex',
      dimension: 1024,
    });
  });

  it('answers 409 for an existing tenant and creates no index', async () => {
    const registry = memoryRegistry([{ ...ACME, tenantId: 'globex', name: 'Globex' }]);
    const { handler, vectors } = controlHandler({ registry });

    const result = await handler(onboard());

    expect(result.statusCode).toBe(409);
    expect(JSON.parse(result.body)).toMatchObject({ error: { code: 'tenant_exists' } });
    expect(vectors).toHaveLength(0);
    expect(registry.items.get(JSON.stringify(['tenant#globex', 'profile']))).toMatchObject({
      name: 'Globex',
    });
  });

  it('answers 409 tenant_id_retired for the id of an erased tenant, writing nothing, and onboards any other id', async () => {
    // What an erased tenant leaves behind: its receipt only (offboarding-records.ts `finish`).
    const registry = memoryRegistry([]);
    registry.items.set(JSON.stringify(['tenant#globex', 'erasure-receipt']), {
      pk: 'tenant#globex',
      sk: 'erasure-receipt',
      signature: 'x',
    });
    const { handler, vectors } = controlHandler({ registry });

    const reused = await handler(onboard());
    const fresh = await handler(
      onboard(OPERATOR, JSON.stringify({ tenantId: 'globex2', name: 'Globex', tier: 'basic' })),
    );

    expect(reused.statusCode).toBe(409);
    expect(JSON.parse(reused.body)).toMatchObject({ error: { code: 'tenant_id_retired' } });
    expect(registry.items.has(JSON.stringify(['tenant#globex', 'profile']))).toBe(false);
    expect(fresh.statusCode).toBe(201);
    expect(registry.items.has(JSON.stringify(['tenant#globex2', 'profile']))).toBe(true);
    expect(vectors.map((command) => command.input)).toEqual([
      expect.objectContaining({ indexName: 'globex2' }),
    ]);
  });

  it('removes the record again when the index cannot be created, answering a generic 500 logged without the target’s id', async () => {
    const { handler, control, logger } = controlHandler({
      vectors: () => {
        throw new AccessDeniedException({ message: 'denied on index/globex for globex#t#x', $metadata: {} });
      },
    });

    const result = await handler(onboard());

    expect(result.statusCode).toBe(500);
    expect(JSON.parse(result.body)).toEqual({
      error: { code: 'internal_error', message: 'Internal server error', requestId: 'req-1' },
    });
    expect(control.map((command) => command.name)).toContain('DeleteItemCommand');
    expect(logger.error).toHaveBeenCalledOnce();
    const logged = JSON.stringify(vi.mocked(logger.error).mock.calls);
    expect(logged).toContain('index/<tenant> for <tenant>#t#x');
    expect(logged).not.toMatch(/globex/);
  });

  it('refuses callers without the operator role on every route', async () => {
    const { handler, control } = controlHandler();
    const admin = { tenantId: 'platform', userId: 'adm', roles: 'admin' };

    const created = await handler(onboard(admin));
    const read = await handler(proxyEvent({ path: '/v1/admin/tenants/globex', authorizer: admin }));

    expect([created.statusCode, read.statusCode]).toEqual([403, 403]);
    expect(control.map((command) => command.name).filter((name) => name !== 'GetItemCommand')).toEqual([]);
  });

  it('answers 400 for bad input and writes nothing', async () => {
    const { handler, control } = controlHandler();

    const badId = await handler(
      onboard(OPERATOR, JSON.stringify({ tenantId: 'Acme#1', name: 'A', tier: 'basic' })),
    );
    const badTier = await handler(
      onboard(OPERATOR, JSON.stringify({ tenantId: 'acme', name: 'A', tier: 'gold' })),
    );
    const badRoles = await handler(
      proxyEvent({
        method: 'PUT',
        path: '/v1/admin/tenants/acme/users/bob/roles',
        body: JSON.stringify({ roles: ['root'] }),
        authorizer: OPERATOR,
      }),
    );

    expect([badId.statusCode, badTier.statusCode, badRoles.statusCode]).toEqual([400, 400, 400]);
    expect(control.map((command) => command.name).filter((name) => name !== 'GetItemCommand')).toEqual([]);
  });

  it('onboards with a granted chat model, and refuses (422) a model the deployment does not grant before any write', async () => {
    const { handler, control } = controlHandler();
    const withModel = (modelId: string) =>
      onboard(OPERATOR, JSON.stringify({ tenantId: 'globex', name: 'Globex', tier: 'premium', modelId }));

    const refused = await handler(withModel('anthropic.claude-3-haiku-20240307-v1:0'));
    const writesWhenRefused = control.filter((command) => command.name !== 'GetItemCommand').length;
    const granted = await handler(withModel('amazon.nova-micro-v1:0'));

    expect([refused.statusCode, JSON.parse(refused.body).error.code]).toEqual([422, 'model_not_allowed']);
    expect(writesWhenRefused).toBe(0);
    expect(granted.statusCode).toBe(201);
    expect(JSON.parse(granted.body)).toMatchObject({ modelId: 'amazon.nova-micro-v1:0' });
  });

  it('refuses (422) a PATCH naming a model the deployment does not grant before any write, with or without a tier change', async () => {
    const { handler, control, tenantData, sts } = controlHandler();
    const patch = (body: Record<string, unknown>) =>
      proxyEvent({
        method: 'PATCH',
        path: '/v1/admin/tenants/acme',
        body: JSON.stringify(body),
        authorizer: OPERATOR,
      });
    const ungranted = 'anthropic.claude-3-haiku-20240307-v1:0';

    const refused = [
      await handler(patch({ modelId: ungranted })),
      await handler(patch({ modelId: ungranted, tier: 'premium', monthlyBudgetUsd: 50 })),
    ];
    const writesWhenRefused = [
      ...control.filter((command) => command.name !== 'GetItemCommand'),
      ...tenantData,
      ...sts,
    ].length;
    const granted = await handler(patch({ modelId: 'amazon.nova-micro-v1:0' }));

    for (const answer of refused) {
      expect([answer.statusCode, JSON.parse(answer.body).error.code]).toEqual([422, 'model_not_allowed']);
    }
    expect(writesWhenRefused).toBe(0);
    // A granted model passes the check and reaches the registry write (the fake's write finds no record: 404).
    expect(granted.statusCode).not.toBe(422);
    expect(control.some((command) => command.name === 'UpdateItemCommand')).toBe(true);
  });

  it('reads, suspends and assigns roles, answering 404 for an unknown tenant', async () => {
    const { handler, control } = controlHandler({
      controlWrites: ({ name }) => {
        if (name === 'UpdateItemCommand') return { ...metadata, Attributes: undefined };
        return { ...metadata };
      },
    });

    const read = await handler(proxyEvent({ path: '/v1/admin/tenants/acme', authorizer: OPERATOR }));
    const unknown = await handler(proxyEvent({ path: '/v1/admin/tenants/nobody', authorizer: OPERATOR }));
    const suspend = await handler(
      proxyEvent({ method: 'POST', path: '/v1/admin/tenants/nobody/suspend', authorizer: OPERATOR }),
    );
    const roles = await handler(
      proxyEvent({
        method: 'PUT',
        path: '/v1/admin/tenants/acme/users/bob/roles',
        body: JSON.stringify({ roles: ['admin', 'admin', 'reader'] }),
        authorizer: OPERATOR,
      }),
    );

    expect(read.statusCode).toBe(200);
    expect(JSON.parse(read.body)).toMatchObject({ tenantId: 'acme', status: 'active' });
    expect(unknown.statusCode).toBe(404);
    expect(suspend.statusCode).toBe(404);
    expect(roles.statusCode).toBe(200);
    expect(JSON.parse(roles.body)).toEqual({
      tenantId: 'acme',
      userId: 'bob',
      roles: ['admin', 'reader'],
    });
    expect(control.find((command) => command.name === 'TransactWriteItemsCommand')?.input).toMatchObject({
      TransactItems: [{ ConditionCheck: { ConditionExpression: 'attribute_exists(pk)' } }, { Put: {} }],
    });
  });

  it('refuses to onboard the reserved platform tenant', async () => {
    const { handler, control, vectors } = controlHandler();

    const result = await handler(
      onboard(OPERATOR, JSON.stringify({ tenantId: 'platform', name: 'Mine now', tier: 'basic' })),
    );

    expect(result.statusCode).toBe(409);
    expect(control.map((command) => command.name).filter((name) => name !== 'GetItemCommand')).toEqual([]);
    expect(vectors).toHaveLength(0);
  });

  it('ignores the operator role outside the platform tenant', async () => {
    const { handler, control } = controlHandler();
    const acmeOperator = { tenantId: 'acme', userId: 'mallory', roles: 'operator,admin' };

    const created = await handler(onboard(acmeOperator));
    const suspended = await handler(
      proxyEvent({ method: 'POST', path: '/v1/admin/tenants/globex/suspend', authorizer: acmeOperator }),
    );

    expect([created.statusCode, suspended.statusCode]).toEqual([403, 403]);
    expect(control.map((command) => command.name).filter((name) => name !== 'GetItemCommand')).toEqual([]);
  });

  describe('role assignment by a tenant admin', () => {
    const acmeAdmin = { tenantId: 'acme', userId: 'ada', roles: 'admin' };
    const assign = (authorizer: Record<string, string>, tenantId: string, roles: string[]) =>
      proxyEvent({
        method: 'PUT',
        path: `/v1/admin/tenants/${tenantId}/users/bob/roles`,
        body: JSON.stringify({ roles }),
        authorizer,
      });

    it('assigns tenant roles in the admin’s own tenant', async () => {
      const { handler, control } = controlHandler();

      const result = await handler(assign(acmeAdmin, 'acme', ['analyst', 'reader']));

      expect(result.statusCode).toBe(200);
      expect(control.find((command) => command.name === 'TransactWriteItemsCommand')?.input).toMatchObject({
        TransactItems: [{}, { Put: { Item: { pk: { S: 'tenant#acme' }, sk: { S: 'user#bob' } } } }],
      });
    });

    it.each([
      ['another tenant', acmeAdmin, 'globex', ['reader']],
      ['the operator role', acmeAdmin, 'acme', ['operator']],
      ['an analyst', { tenantId: 'acme', userId: 'ann', roles: 'analyst' }, 'acme', ['reader']],
    ])('refuses %s and writes nothing', async (_label, authorizer, tenantId, roles) => {
      const { handler, control } = controlHandler();

      const result = await handler(assign(authorizer, tenantId, roles));

      expect(result.statusCode).toBe(403);
      expect(control.map((command) => command.name).filter((name) => name !== 'GetItemCommand')).toEqual([]);
    });

    it('cannot reach the operator routes', async () => {
      const { handler } = controlHandler();

      const read = await handler(proxyEvent({ path: '/v1/admin/tenants/acme', authorizer: acmeAdmin }));

      expect(read.statusCode).toBe(403);
    });
  });
});

import {
  ConditionalCheckFailedException,
  type ServiceInputTypes as DynamoInput,
  type ServiceOutputTypes as DynamoOutput,
} from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it, vi } from 'vitest';
import { createHttpHandler } from '../../lambdas/http/http-handler.js';
import type { Logger } from '../../lambdas/observability/logger.js';
import type { TenantRecord } from '../../lambdas/registry/tenant-record.js';
import { apiRouter } from '../../lambdas/routes/api-routes.js';
import { actorTagFor, tenantTagFor } from '../../lambdas/tenancy/request-context.js';
import { proxyEvent } from './support/events.js';
import { assumedSessions, fakeRuntime, TAG_KEY } from './support/fake-runtime.js';
import type { Responder } from './support/fake-sdk.js';
import { metadata } from './support/fake-sdk.js';

const ACME: TenantRecord = {
  tenantId: 'acme',
  name: 'Acme',
  tier: 'basic',
  status: 'active',
  createdAt: '2024-01-01T00:00:00.000Z',
};
const FACT_ID = '3f0c8a52-6f7e-4d2a-9a57-1d2b3c4d5e6f';
const silentLogger: Logger = { info: vi.fn(), error: vi.fn() };

function apiHandler(tenantData?: Parameters<typeof fakeRuntime>[0]['tenantData']) {
  const fake = fakeRuntime({ tenants: [ACME], ...(tenantData === undefined ? {} : { tenantData }) });
  const handler = createHttpHandler({
    router: apiRouter(fake.runtime),
    resolveContext: (event) => fake.runtime.resolveContext(event),
    logger: silentLogger,
  });
  return { ...fake, handler };
}

function bodyOf(result: { body: string }): unknown {
  return JSON.parse(result.body);
}

describe('tenant API routes', () => {
  it('GET /v1/me answers the caller’s context', async () => {
    const { handler } = apiHandler();

    const result = await handler(
      proxyEvent({ authorizer: { tenantId: 'acme', userId: 'alice', roles: 'analyst' } }),
    );

    expect(result.statusCode).toBe(200);
    expect(bodyOf(result)).toEqual({
      tenantId: 'acme',
      userId: 'alice',
      roles: ['analyst'],
      tier: 'basic',
      tenantTag: tenantTagFor('acme', TAG_KEY),
      actor: actorTagFor('acme', 'alice', TAG_KEY),
    });
  });

  it('PUT /v1/memory stores a user-private fact through the caller’s tenant session', async () => {
    const { handler, tenantData, sts } = apiHandler();

    const result = await handler(
      proxyEvent({ method: 'PUT', path: '/v1/memory', body: JSON.stringify({ fact: 'likes tea' }) }),
    );

    expect(result.statusCode).toBe(201);
    expect(bodyOf(result)).toMatchObject({
      fact: 'likes tea',
      id: expect.any(String),
      createdAt: expect.any(String),
    });
    // One tenant session for the data, one audit writer session for the trail, both for the caller.
    expect(assumedSessions(sts)).toEqual(
      expect.arrayContaining([
        { role: 'TenantAccess', TenantId: 'acme', UserId: 'alice', Placement: 'pool' },
        { role: 'AuditWriter', TenantId: 'acme', UserId: 'alice', Placement: 'pool' },
      ]),
    );
    expect(assumedSessions(sts)).toHaveLength(2);
    const puts = tenantData.filter((command) => command.name === 'PutItemCommand');
    expect(puts).toHaveLength(1);
    expect(puts[0]?.input).toMatchObject({
      TableName: 'tenant-data',
      Item: { pk: { S: 'acme#u#alice#memory' } },
    });
    // The write's audit record went first, into the tenant's own trail.
    const names = tenantData.map((command) => command.name);
    expect(names.indexOf('TransactWriteItemsCommand')).toBeLessThan(names.indexOf('PutItemCommand'));
    expect(JSON.stringify(tenantData)).toContain('acme#a#audit');
  });

  it.each([
    ['invalid JSON', '{"fact":'],
    ['a missing fact', '{}'],
    ['an overlong fact', JSON.stringify({ fact: 'x'.repeat(2001) })],
    ['an extra field naming a tenant', JSON.stringify({ fact: 'x', tenantId: 'other' })],
  ])('PUT /v1/memory answers 400 for %s and writes nothing', async (_label, body) => {
    const { handler, tenantData } = apiHandler();

    const result = await handler(
      proxyEvent({ method: 'PUT', path: '/v1/memory', body, requestId: 'req-400' }),
    );

    expect(result.statusCode).toBe(400);
    expect(bodyOf(result)).toEqual({
      error: { code: 'bad_request', message: expect.any(String), requestId: 'req-400' },
    });
    expect(tenantData).toHaveLength(0);
  });

  it('GET /v1/memory lists the caller’s facts', async () => {
    const respond: Responder<DynamoInput, DynamoOutput> = () => ({
      ...metadata,
      Items: [
        marshall({
          pk: 'acme#u#alice#memory',
          sk: `fact#${FACT_ID}`,
          fact: 'likes tea',
          createdAt: '2024-01-01T00:00:00.000Z',
        }),
      ],
    });
    const { handler, tenantData } = apiHandler(respond);

    const result = await handler(proxyEvent({ path: '/v1/memory' }));

    expect(result.statusCode).toBe(200);
    expect(bodyOf(result)).toEqual({
      facts: [{ id: FACT_ID, fact: 'likes tea', createdAt: '2024-01-01T00:00:00.000Z' }],
    });
    expect(tenantData[0]?.input).toMatchObject({
      ExpressionAttributeValues: { ':pk': { S: 'acme#u#alice#memory' } },
    });
  });

  it('DELETE /v1/memory/{id} answers 204 for the caller’s fact and 404 otherwise', async () => {
    const respond: Responder<DynamoInput, DynamoOutput> = ({ input }) => {
      if (JSON.stringify(input).includes('missing'))
        throw new ConditionalCheckFailedException({ message: 'x', $metadata: {} });
      return { ...metadata };
    };
    const deleting = apiHandler(respond);
    const missingId = '00000000-0000-4000-8000-000000000000';
    const missing = apiHandler(({ name }) => {
      if (name === 'DeleteItemCommand')
        throw new ConditionalCheckFailedException({ message: 'x', $metadata: {} });
      return { ...metadata };
    });

    const deleted = await deleting.handler(proxyEvent({ method: 'DELETE', path: `/v1/memory/${FACT_ID}` }));
    const notFound = await missing.handler(proxyEvent({ method: 'DELETE', path: `/v1/memory/${missingId}` }));
    const notAnId = await missing.handler(
      proxyEvent({ method: 'DELETE', path: '/v1/memory/acme2%23u%23bob' }),
    );

    expect(deleted.statusCode).toBe(204);
    const deletes = (sent: typeof deleting.tenantData) =>
      sent.filter((command) => command.name === 'DeleteItemCommand');
    expect(deletes(deleting.tenantData)[0]?.input).toMatchObject({
      Key: { pk: { S: 'acme#u#alice#memory' }, sk: { S: `fact#${FACT_ID}` } },
      ConditionExpression: 'attribute_exists(pk)',
    });
    expect(notFound.statusCode).toBe(404);
    expect(notAnId.statusCode).toBe(404);
    expect(deletes(missing.tenantData)).toHaveLength(1);
  });

  it('answers 404 for an unknown route and 405 for a known path with another method', async () => {
    const { handler } = apiHandler();

    const unknown = await handler(proxyEvent({ path: '/v1/nothing-here' }));
    const wrongMethod = await handler(proxyEvent({ method: 'POST', path: '/v1/me' }));

    expect(unknown.statusCode).toBe(404);
    expect(bodyOf(unknown)).toMatchObject({ error: { code: 'not_found' } });
    expect(wrongMethod.statusCode).toBe(405);
    expect(wrongMethod.headers).toMatchObject({ allow: 'GET' });
  });

  it('refuses every route for a suspended tenant', async () => {
    const fake = fakeRuntime({ tenants: [{ ...ACME, status: 'suspended' }] });
    const handler = createHttpHandler({
      router: apiRouter(fake.runtime),
      resolveContext: (event) => fake.runtime.resolveContext(event),
      logger: silentLogger,
    });

    const me = await handler(proxyEvent({}));
    const unknown = await handler(proxyEvent({ path: '/v1/nothing' }));

    expect([me.statusCode, unknown.statusCode]).toEqual([403, 403]);
    expect(fake.sts).toHaveLength(0);
  });
});

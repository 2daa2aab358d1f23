/**
 * Hybrid tenancy at run time: the runtime builds a silo-placed tenant's scoped clients on the
 * table, bucket and vector bucket named for it, with sessions tagged `Placement=silo` — and
 * everyone else's on the pool, tagged `Placement=pool`.
 */
import type { ServiceInputTypes as DynamoInput } from '@aws-sdk/client-dynamodb';
import { describe, expect, it, vi } from 'vitest';
import { EnvironmentBinding } from '../../lambdas/http/environment-binding.js';
import { createHttpHandler } from '../../lambdas/http/http-handler.js';
import type { Logger } from '../../lambdas/observability/logger.js';
import type { TenantRecord } from '../../lambdas/registry/tenant-record.js';
import { createApiHandler } from '../../lambdas/routes/api-routes.js';
import { controlRouter } from '../../lambdas/routes/control-routes.js';
import type { Placement } from '../../lambdas/tenancy/key-layout.js';
import { tenantTagFor } from '../../lambdas/tenancy/request-context.js';
import { siloResourceNames } from '../../lambdas/tenancy/silo-names.js';
import { proxyEvent } from './support/events.js';
import { fakeRuntime, isAssumeRole, TAG_KEY, TEST_CONFIG } from './support/fake-runtime.js';

const GLOBEX_PLANE = siloResourceNames(TEST_CONFIG.siloNaming, 'globex');

const tenant = (tenantId: string, tier: TenantRecord['tier'], placement?: Placement): TenantRecord => ({
  tenantId,
  name: tenantId,
  tier,
  status: 'active',
  createdAt: '2024-01-01T00:00:00.000Z',
  ...(placement === undefined ? {} : { placement }),
});
const subject = (tenantId: string) => ({
  tenantId,
  userId: 'u1',
  tenantTag: tenantTagFor(tenantId, TAG_KEY),
});
/** Every table a DynamoDB command names: its own TableName, each transaction item's, each batch's. */
function tablesNamedIn(input: DynamoInput): Array<string | undefined> {
  const named = [...JSON.stringify(input).matchAll(/"TableName":"([^"]*)"/g)].map((match) => match[1]);
  const batched = 'RequestItems' in input ? Object.keys(input.RequestItems ?? {}) : [];
  return [...named, ...batched];
}
const silentLogger: Logger = { info: vi.fn(), error: vi.fn() };

function hybridRuntime() {
  return fakeRuntime({
    tenants: [tenant('acme', 'basic'), tenant('globex', 'enterprise', 'silo')],
  });
}

/** Where the runtime's scoped clients for `tenantId` send their commands. */
async function locationsOf(tenantId: string) {
  const fake = hybridRuntime();
  await (await fake.runtime.table(subject(tenantId))).put(
    { visibility: 'tenant', collection: 'notes', sk: 'a' },
    {},
  );
  await (await fake.runtime.bucket(subject(tenantId))).put('tenant', 'notes/a.txt', 'a');
  await (await fake.runtime.vectorIndex(subject(tenantId))).createIndex();
  return {
    tables: fake.tenantData.map(({ input }) => ('TableName' in input ? input.TableName : undefined)),
    buckets: fake.objects.map(({ input }) => ('Bucket' in input ? input.Bucket : undefined)),
    vectorBuckets: fake.vectors.map(({ input }) =>
      'vectorBucketName' in input ? input.vectorBucketName : undefined,
    ),
  };
}

describe('ServiceRuntime with a silo tenant', () => {
  it('builds the silo tenant’s table, bucket and vector index on its silo names', async () => {
    expect(await locationsOf('globex')).toEqual({
      tables: [GLOBEX_PLANE.tableName],
      buckets: [GLOBEX_PLANE.bucketName],
      vectorBuckets: [GLOBEX_PLANE.vectorBucketName],
    });
  });

  it('builds a pool tenant’s clients on the pool names', async () => {
    expect(await locationsOf('acme')).toEqual({
      tables: [TEST_CONFIG.tenantTableName],
      buckets: [TEST_CONFIG.tenantBucketName],
      vectorBuckets: [TEST_CONFIG.vectorBucketName],
    });
  });

  it('keeps every table command of a silo tenant’s request in the silo table (rate limits, audit, memory)', async () => {
    const fake = hybridRuntime();
    // A silo tenant's requests run on the silo API's tenant-isolated functions.
    const handler = createApiHandler(fake.runtime, {
      logger: silentLogger,
      environmentBinding: new EnvironmentBinding(),
    });

    const result = await handler(
      proxyEvent({
        method: 'PUT',
        path: '/v1/memory',
        body: JSON.stringify({ fact: 'likes tea' }),
        authorizer: { tenantId: 'globex', userId: 'gina', roles: 'analyst' },
      }),
    );

    expect(result.statusCode).toBe(201);
    const names = fake.tenantData.map((command) => command.name);
    expect(names).toEqual(expect.arrayContaining(['UpdateItemCommand', 'PutItemCommand']));
    expect([...new Set(fake.tenantData.flatMap(({ input }) => tablesNamedIn(input)))]).toEqual([
      GLOBEX_PLANE.tableName,
    ]);
  });

  it.each([
    ['a silo tenant on the pool API', 'globex', false, 'silo'],
    ['a pool tenant on the silo API', 'acme', true, 'pool'],
  ])(
    'refuses %s with 421 wrong_api, before any tenant data is touched',
    async (_label, tenantId, isolated, lives) => {
      const fake = hybridRuntime();
      const handler = createApiHandler(fake.runtime, {
        logger: silentLogger,
        ...(isolated ? { environmentBinding: new EnvironmentBinding() } : {}),
      });

      const result = await handler(
        proxyEvent({ path: '/v1/me', authorizer: { tenantId, userId: 'u1', roles: 'analyst' } }),
      );

      expect(result.statusCode).toBe(421);
      expect(JSON.parse(result.body).error).toMatchObject({ code: 'wrong_api' });
      expect(JSON.parse(result.body).error.message).toContain(
        `lives in ${lives === 'silo' ? 'its silo' : 'the pool'}`,
      );
      expect(fake.tenantData).toEqual([]);
    },
  );

  it('tags each session with its tenant’s placement (the silo tenant’s silo, the pool tenant’s pool)', async () => {
    const fake = hybridRuntime();
    await fake.runtime.table(subject('globex'));
    await fake.runtime.table(subject('acme'));
    const placements = fake.sts
      .map(({ input }) => input)
      .filter(isAssumeRole)
      .map((input) => [
        input.Tags?.find((tag) => tag.Key === 'TenantId')?.Value,
        input.Tags?.find((tag) => tag.Key === 'Placement')?.Value,
      ]);
    expect(placements).toEqual([
      ['globex', 'silo'],
      ['acme', 'pool'],
    ]);
  });

  it('onboards a tenant of a silo tier into the pool, with its move to its silo under way', async () => {
    const fake = hybridRuntime();
    const handler = createHttpHandler({
      router: controlRouter(fake.runtime),
      resolveContext: (event) => fake.runtime.resolveContext(event),
      logger: silentLogger,
    });

    const result = await handler(
      proxyEvent({
        method: 'POST',
        path: '/v1/admin/tenants',
        body: JSON.stringify({ tenantId: 'initech', name: 'Initech', tier: 'enterprise' }),
        authorizer: { tenantId: 'platform', userId: 'ops-1', roles: 'operator' },
      }),
    );

    expect(result.statusCode).toBe(201);
    expect(JSON.parse(result.body)).toMatchObject({
      tenantId: 'initech',
      move: { to: 'silo', phase: 'provisioning' },
    });
    expect(JSON.parse(result.body).placement).toBeUndefined();
    expect(fake.vectors.map(({ name, input }) => [name, 'indexName' in input ? input : undefined])).toEqual([
      [
        'CreateIndexCommand',
        expect.objectContaining({ vectorBucketName: TEST_CONFIG.vectorBucketName, indexName: 'initech' }),
      ],
    ]);
  });

  it('refuses a silo tier for a tenant whose id is too long for a silo bucket name (422, nothing stored)', async () => {
    const fake = hybridRuntime();
    const handler = createHttpHandler({
      router: controlRouter(fake.runtime),
      resolveContext: (event) => fake.runtime.resolveContext(event),
      logger: silentLogger,
    });
    const tenantId = 'a'.padEnd(40, 'b');

    const result = await handler(
      proxyEvent({
        method: 'POST',
        path: '/v1/admin/tenants',
        body: JSON.stringify({ tenantId, name: 'Long', tier: 'enterprise' }),
        authorizer: { tenantId: 'platform', userId: 'ops-1', roles: 'operator' },
      }),
    );

    expect(result.statusCode).toBe(422);
    expect(JSON.parse(result.body).error.code).toBe('silo_not_possible');
    expect(fake.vectors).toEqual([]);
  });
});

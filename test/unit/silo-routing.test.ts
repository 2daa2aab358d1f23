/**
 * Hybrid tenancy at run time: the runtime builds a silo tenant's scoped clients
 * on its silo's table, bucket and vector bucket — and everyone else's on the pool.
 */
import type { ServiceInputTypes as DynamoInput } from '@aws-sdk/client-dynamodb';
import { describe, expect, it, vi } from 'vitest';
import type { ServiceConfig } from '../../lambdas/config.js';
import { createHttpHandler } from '../../lambdas/http/http-handler.js';
import type { Logger } from '../../lambdas/observability/logger.js';
import type { TenantRecord } from '../../lambdas/registry/tenant-record.js';
import { createApiHandler } from '../../lambdas/routes/api-routes.js';
import { controlRouter } from '../../lambdas/routes/control-routes.js';
import { tenantTagFor } from '../../lambdas/tenancy/request-context.js';
import { proxyEvent } from './support/events.js';
import { fakeRuntime, TAG_KEY, TEST_CONFIG } from './support/fake-runtime.js';

const GLOBEX_PLANE = {
  tableName: 'globex-data',
  bucketName: 'globex-bucket',
  vectorBucketName: 'globex-vectors',
};
const HYBRID_CONFIG: ServiceConfig = { ...TEST_CONFIG, siloDataPlanes: new Map([['globex', GLOBEX_PLANE]]) };

const tenant = (tenantId: string, tier: TenantRecord['tier']): TenantRecord => ({
  tenantId,
  name: tenantId,
  tier,
  status: 'active',
  createdAt: '2024-01-01T00:00:00.000Z',
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
    tenants: [tenant('acme', 'basic'), tenant('globex', 'premium')],
    config: HYBRID_CONFIG,
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
      tables: ['globex-data'],
      buckets: ['globex-bucket'],
      vectorBuckets: ['globex-vectors'],
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
    const handler = createApiHandler(fake.runtime, { logger: silentLogger });

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
      'globex-data',
    ]);
  });

  it('onboards a silo tenant with its vector index in the silo vector bucket', async () => {
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
        body: JSON.stringify({ tenantId: 'globex', name: 'Globex', tier: 'premium' }),
        authorizer: { tenantId: 'platform', userId: 'ops-1', roles: 'operator' },
      }),
    );

    expect(result.statusCode).toBe(201);
    expect(fake.vectors.map(({ name, input }) => [name, 'indexName' in input ? input : undefined])).toEqual([
      [
        'CreateIndexCommand',
        expect.objectContaining({ vectorBucketName: 'globex-vectors', indexName: 'globex' }),
      ],
    ]);
  });
});

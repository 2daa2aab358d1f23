/**
 * Hybrid tenancy end to end: the local cloud deploys `globex` as a silo tenant (its own
 * table, bucket and vector bucket) beside the pool. Through the real API, globex's data lands
 * in its silo; with RAW SDK clients (not the platform's scoped clients) another tenant's real
 * session is denied on the silo even for keys under its own prefix — and allowed on the pool.
 */
import { GetItemCommand, PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { CreateIndexCommand, ListVectorsCommand } from '@aws-sdk/client-s3vectors';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Caller, callAs, OPERATOR, onboard } from './support/api-client.js';
import { apiEnv, rawClients, tenantSession, uniqueSuffix } from './support/local-cloud.js';

const SILO_TENANT = 'globex';
const POOL = {
  tableName: apiEnv('TENANT_TABLE_NAME'),
  bucketName: apiEnv('TENANT_BUCKET_NAME'),
  vectorBucketName: apiEnv('VECTOR_BUCKET_NAME'),
};
const siloPlanes: Record<string, typeof POOL> = JSON.parse(apiEnv('SILO_DATA_PLANES'));
const SILO = siloPlanes[SILO_TENANT] ?? POOL;

const suffix = uniqueSuffix();
const poolTenant = `acme-${suffix}`;
const gina: Caller = { sub: 'gina', tenantId: SILO_TENANT, groups: ['analyst'] };

const DENIED_DYNAMODB = { name: 'AccessDeniedException' };
const DENIED_S3 = { name: 'AccessDenied' };

beforeAll(async () => {
  // globex is the one tenant the local template makes a silo; onboarding it is part of the demo, not of other tests.
  const globex = await callAs(OPERATOR, 'POST', '/v1/admin/tenants', {
    tenantId: SILO_TENANT,
    name: 'Globex',
    tier: 'premium',
  });
  if (globex.status !== 201) throw new Error(`onboarding globex failed: ${JSON.stringify(globex)}`);
  await onboard(poolTenant, 'basic');
});

describe('the local cloud’s hybrid deployment', () => {
  it('gives globex, and only globex, its own data plane', () => {
    expect(Object.keys(siloPlanes)).toEqual([SILO_TENANT]);
    expect(SILO.tableName).not.toBe(POOL.tableName);
    expect(SILO.bucketName).not.toBe(POOL.bucketName);
    expect(SILO.vectorBucketName).not.toBe(POOL.vectorBucketName);
  });
});

describe('a silo tenant’s requests', () => {
  it('store its memory facts in the silo table; its session is denied on the pool table', async () => {
    const stored = await callAs(gina, 'PUT', '/v1/memory', { fact: `prefers oolong ${suffix}` });
    expect(stored.status).toBe(201);
    const { id } = stored.body as { id: string };
    const { dynamodb } = rawClients(await tenantSession(SILO_TENANT, 'gina'));
    const factIn = async (tableName: string) =>
      (
        await dynamodb.send(
          new GetItemCommand({
            TableName: tableName,
            Key: { pk: { S: `${SILO_TENANT}#u#gina#memory` }, sk: { S: `fact#${id}` } },
          }),
        )
      ).Item;

    expect((await factIn(SILO.tableName))?.fact).toEqual({ S: `prefers oolong ${suffix}` });
    // Stronger than "not there": IAM keeps the silo tenant off the pool, even on its own keys.
    await expect(factIn(POOL.tableName)).rejects.toMatchObject(DENIED_DYNAMODB);
  });

  it('store its documents in the silo bucket and its vectors in the silo vector bucket; the pool is denied', async () => {
    const uploaded = await callAs(gina, 'POST', '/v1/documents', {
      title: 'Style guide',
      content: `Globex style guide ${suffix}: always capitalise Hank.`,
      visibility: 'tenant',
    });
    expect(uploaded.status).toBe(201);
    const { id } = uploaded.body as { id: string };
    const { s3, vectors } = rawClients(await tenantSession(SILO_TENANT, 'gina'));
    const objectIn = (bucketName: string) =>
      s3.send(
        new GetObjectCommand({ Bucket: bucketName, Key: `tenants/${SILO_TENANT}/shared/documents/${id}` }),
      );

    const object = await objectIn(SILO.bucketName);
    expect(await object.Body?.transformToString()).toContain(`Globex style guide ${suffix}`);
    await expect(objectIn(POOL.bucketName)).rejects.toMatchObject({ name: 'AccessDenied' });
    const listed = await vectors.send(
      new ListVectorsCommand({
        vectorBucketName: SILO.vectorBucketName,
        indexName: SILO_TENANT,
        returnMetadata: true,
      }),
    );
    expect(listed.vectors?.some((vector) => JSON.stringify(vector.metadata).includes(id))).toBe(true);
    await expect(
      vectors.send(
        new ListVectorsCommand({ vectorBucketName: POOL.vectorBucketName, indexName: SILO_TENANT }),
      ),
    ).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });
});

describe('another tenant’s session on the silo (raw SDK)', () => {
  const ownKey = () => ({ pk: { S: `${poolTenant}#t#notes` }, sk: { S: `note-${suffix}` } });

  it('is denied on the silo table even for keys under its own prefix, and allowed on the pool', async () => {
    const { dynamodb } = rawClients(await tenantSession(poolTenant, 'alice'));
    const put = (tableName: string) =>
      dynamodb.send(new PutItemCommand({ TableName: tableName, Item: { ...ownKey(), body: { S: 'x' } } }));
    const get = (tableName: string) =>
      dynamodb.send(new GetItemCommand({ TableName: tableName, Key: ownKey() }));
    const query = (tableName: string) =>
      dynamodb.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': ownKey().pk },
        }),
      );

    await expect(put(SILO.tableName)).rejects.toMatchObject(DENIED_DYNAMODB);
    await expect(get(SILO.tableName)).rejects.toMatchObject(DENIED_DYNAMODB);
    await expect(query(SILO.tableName)).rejects.toMatchObject(DENIED_DYNAMODB);
    await put(POOL.tableName);
    expect((await get(POOL.tableName)).Item?.body).toEqual({ S: 'x' });
  });

  it('is denied on the silo bucket and vector bucket under its own prefix and index name', async () => {
    const { s3, vectors } = rawClients(await tenantSession(poolTenant, 'alice'));
    const putObject = (bucketName: string) =>
      s3.send(
        new PutObjectCommand({ Bucket: bucketName, Key: `tenants/${poolTenant}/shared/n.txt`, Body: 'x' }),
      );
    const listOwnIndex = (vectorBucketName: string) =>
      vectors.send(new ListVectorsCommand({ vectorBucketName, indexName: poolTenant }));

    await expect(putObject(SILO.bucketName)).rejects.toMatchObject(DENIED_S3);
    await expect(
      vectors.send(
        new CreateIndexCommand({
          vectorBucketName: SILO.vectorBucketName,
          indexName: poolTenant,
          dataType: 'float32',
          dimension: 4,
          distanceMetric: 'cosine',
        }),
      ),
    ).rejects.toMatchObject({ name: 'AccessDeniedException' });
    await expect(listOwnIndex(SILO.vectorBucketName)).rejects.toMatchObject({
      name: 'AccessDeniedException',
    });
    await putObject(POOL.bucketName);
    expect((await listOwnIndex(POOL.vectorBucketName)).vectors).toBeDefined();
  });
});

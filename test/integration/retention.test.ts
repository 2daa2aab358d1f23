/**
 * Retention (issue 11): a tenant's chat history, memory and per-call usage records carry a TTL
 * from its settings (tier defaults otherwise), and DynamoDB TTL — run here by the local TTL
 * sweeper at a chosen time — removes them when it passes; monthly cost totals are aggregates and
 * stay. Settings are validated: out-of-range days are a 400 and change nothing.
 */
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { TIER_RETENTION } from '../../lambdas/privacy/retention.js';
import { type Caller, callAs, OPERATOR, onboard } from './support/api-client.js';
import { expireItems, runSchedules, vectorsIn } from './support/inspector.js';
import { apiEnv, rawItemsWithPrefix, rootClients, uniqueSuffix } from './support/local-cloud.js';

const tenantId = `zq-ret-${uniqueSuffix()}`;
const TABLE = apiEnv('TENANT_TABLE_NAME');
const root = rootClients();
const alice: Caller = { sub: 'alice', tenantId, groups: ['reader'] };
const admin: Caller = { sub: 'ada', tenantId, groups: ['admin'] };
const DAY = 86_400;

/** The TTL attribute of every item of one of alice's private collections. */
async function expiriesOf(collection: string): Promise<number[]> {
  const { Items = [] } = await root.dynamodb.send(
    new QueryCommand({
      TableName: TABLE,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': { S: `${tenantId}#u#alice#${collection}` } },
    }),
  );
  return Items.map((item) => Number(item.expiresAt?.N ?? Number.NaN));
}

const totalCost = async () =>
  ((await callAs(admin, 'GET', '/v1/costs')).body as { totals: { costUsd: number } }).totals.costUsd;

describe('retention', () => {
  let startedAt: number;
  beforeAll(async () => {
    await onboard(tenantId, 'basic', { retention: { chatHistoryDays: 1, documentsDays: 30 } });
    startedAt = Math.floor(Date.now() / 1000);
    expect((await callAs(alice, 'POST', '/v1/chat', { message: 'hello' })).status).toBe(200);
    const remembered = await callAs(alice, 'POST', '/v1/chat', {
      message: `use tool remember ${JSON.stringify({ fact: 'alice likes tea' })}`,
    });
    expect(remembered.status).toBe(200);
  });

  it('stamps each write with its retention: the tenant’s own for chat history, the tier’s for the rest', async () => {
    const near = (expiry: number, days: number) =>
      expiry >= startedAt + days * DAY && expiry <= startedAt + days * DAY + 120;
    const sessions = await expiriesOf('sessions');
    expect(sessions.length).toBeGreaterThan(0);
    expect(sessions.every((expiry) => near(expiry, 1))).toBe(true);
    const memory = await expiriesOf('memory');
    expect(memory).toHaveLength(1);
    expect(memory.every((expiry) => near(expiry, TIER_RETENTION.basic.memoryDays))).toBe(true);
    const usage = await expiriesOf('usage-records');
    expect(usage.length).toBeGreaterThan(0);
    expect(usage.every((expiry) => near(expiry, TIER_RETENTION.basic.usageRecordsDays))).toBe(true);
    // Audit records: a day past the retention, so the digest covering one is older than it by then.
    const audit = (await rawItemsWithPrefix(`${tenantId}#a#audit#s`)).filter((item) =>
      item.sk?.S?.startsWith('e#'),
    );
    expect(audit.length).toBeGreaterThan(0);
    for (const record of audit) {
      const at = Math.floor(Date.parse(String(record.at?.S)) / 1000);
      expect(Number((record as { expiresAt?: { N?: string } }).expiresAt?.N)).toBe(
        at + (TIER_RETENTION.basic.auditRecordsDays + 1) * DAY,
      );
    }
  });

  it('lets TTL remove chat history after a day, memory and usage records later, and keeps cost totals', async () => {
    const cost = await totalCost();
    expect(cost).toBeGreaterThan(0);

    expect(await expireItems(tenantId, startedAt + 2 * DAY)).toBeGreaterThan(0);
    expect((await callAs(alice, 'GET', '/v1/sessions')).body).toMatchObject({ sessions: [] });
    expect(JSON.stringify((await callAs(alice, 'GET', '/v1/memory')).body)).toContain('alice likes tea');
    expect((await expiriesOf('usage-records')).length).toBeGreaterThan(0);

    await expireItems(tenantId, startedAt + (TIER_RETENTION.basic.usageRecordsDays + 1) * DAY);
    expect((await callAs(alice, 'GET', '/v1/memory')).body).toMatchObject({ facts: [] });
    expect(await expiriesOf('usage-records')).toEqual([]);
    expect(await totalCost()).toBe(cost);
  });

  it('expires documents past the retention — object, vectors and metadata — with the daily job, and only those', async () => {
    const neighbour = `zq-ret-n-${uniqueSuffix()}`;
    await onboard(neighbour, 'basic');
    const upload = (caller: Caller, visibility: string) =>
      callAs(caller, 'POST', '/v1/documents', {
        title: `${visibility} notes`,
        content: `kept ${visibility} text`,
        visibility,
      });
    expect((await upload(alice, 'private')).status).toBe(201);
    expect((await upload(admin, 'tenant')).status).toBe(201);
    const neighbourAdmin: Caller = { sub: 'nia', tenantId: neighbour, groups: ['admin'] };
    expect((await upload(neighbourAdmin, 'tenant')).status).toBe(201);
    const listed = async (caller: Caller) =>
      ((await callAs(caller, 'GET', '/v1/documents')).body as { documents: unknown[] }).documents;
    expect(await listed(alice)).toHaveLength(2);

    // A day short of the retention: nothing goes.
    const job = 'lambdas/handlers/retention.ts';
    await runSchedules({ at: new Date((startedAt + 29 * DAY) * 1000), only: job });
    expect(await listed(alice)).toHaveLength(2);
    const [summary] = (await runSchedules({ at: new Date((startedAt + 31 * DAY) * 1000), only: job })) as {
      documentsExpired: number;
      failed: number;
    }[];
    expect(summary).toMatchObject({ failed: 0 });
    expect(summary?.documentsExpired).toBeGreaterThanOrEqual(2);
    expect(await listed(alice)).toEqual([]);
    expect(await listed(admin)).toEqual([]);
    expect(await vectorsIn(apiEnv('VECTOR_BUCKET_NAME'), tenantId)).toEqual([]);
    const current = await root.s3.send(
      new ListObjectsV2Command({ Bucket: apiEnv('TENANT_BUCKET_NAME'), Prefix: `tenants/${tenantId}/` }),
    );
    expect(current.Contents ?? []).toEqual([]);
    // The neighbour keeps the tier's year.
    expect(await listed(neighbourAdmin)).toHaveLength(1);
  });

  it('refuses retention out of range with a 400 and keeps the setting', async () => {
    for (const retention of [
      { chatHistoryDays: 0 },
      { memoryDays: 5000 },
      { chatHistoryDays: 1.5 },
      { auditDays: 30 },
    ]) {
      const answer = await callAs(OPERATOR, 'PATCH', `/v1/admin/tenants/${tenantId}`, { retention });
      expect(answer.status).toBe(400);
    }
    expect((await callAs(OPERATOR, 'GET', `/v1/admin/tenants/${tenantId}`)).body).toMatchObject({
      retention: { chatHistoryDays: 1, documentsDays: 30 },
    });
    const changed = await callAs(OPERATOR, 'PATCH', `/v1/admin/tenants/${tenantId}`, {
      retention: { memoryDays: 30 },
    });
    expect(changed).toMatchObject({ status: 200, body: { retention: { memoryDays: 30 } } });
  });
});

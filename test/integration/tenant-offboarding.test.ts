/**
 * Offboarding a tenant (issue 11), in the local cloud. Offboarding refuses the tenant at once;
 * within the grace period it can be cancelled, after it the erasure job erases everything: a raw
 * listing through the emulators (the account's root, no IAM) then finds no item in any partition,
 * no object version or delete marker, no vector index, no secret and no registry record of the
 * tenant. A fault injected half-way stops the job; the next run resumes and finishes. The signed
 * receipt's counts match what the raw listing found before, and another tenant is untouched.
 */
import { createPublicKey, verify } from 'node:crypto';
import { ListObjectVersionsCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTicketTracker, type TicketTracker } from '../../local/demo-mcp/ticket-tracker.js';
import { type Caller, callAs, OPERATOR, onboard } from './support/api-client.js';
import { failNextAwsCalls, runSchedules, SCHEDULED, secretNames, vectorsIn } from './support/inspector.js';
import { apiEnv, rawItemsWithPrefix, rootClients, uniqueSuffix } from './support/local-cloud.js';

const suffix = uniqueSuffix();
const BUCKET = apiEnv('TENANT_BUCKET_NAME');
const VECTORS = apiEnv('VECTOR_BUCKET_NAME');
const root = rootClients();
const apiKey = `zqoffkey${suffix}`;

const leaving = `zq-off-${suffix}`;
const staying = `zq-keep-${suffix}`;
const hesitant = `zq-maybe-${suffix}`;
const caller = (tenantId: string, sub: string, group: string): Caller => ({ sub, tenantId, groups: [group] });
let tracker: TicketTracker;

/** Chat, memory, private documents (one deleted: a noncurrent version and a marker stay), a shared one. */
async function populate(tenantId: string): Promise<void> {
  const alice = caller(tenantId, 'alice', 'reader');
  const admin = caller(tenantId, 'ada', 'admin');
  expect((await callAs(alice, 'POST', '/v1/chat', { message: 'hello' })).status).toBe(200);
  expect(
    (
      await callAs(alice, 'POST', '/v1/chat', {
        message: `use tool remember ${JSON.stringify({ fact: `alice of ${tenantId} likes tea` })}`,
      })
    ).status,
  ).toBe(200);
  const draft = await callAs(alice, 'POST', '/v1/documents', {
    title: 'Draft',
    content: 'private draft',
    visibility: 'private',
  });
  expect((await callAs(alice, 'DELETE', `/v1/documents/${(draft.body as { id: string }).id}`)).status).toBe(
    204,
  );
  expect(
    (
      await callAs(alice, 'POST', '/v1/documents', {
        title: 'Diary',
        content: 'private',
        visibility: 'private',
      })
    ).status,
  ).toBe(201);
  expect(
    (
      await callAs(admin, 'POST', '/v1/documents', {
        title: 'Handbook',
        content: 'shared',
        visibility: 'tenant',
      })
    ).status,
  ).toBe(201);
}

const rawItems = async (tenantId: string): Promise<number> =>
  (await rawItemsWithPrefix(`${tenantId}#`)).length;

async function rawObjects(tenantId: string) {
  const listed = await root.s3.send(
    new ListObjectVersionsCommand({ Bucket: BUCKET, Prefix: `tenants/${tenantId}/` }),
  );
  return { versions: listed.Versions?.length ?? 0, markers: listed.DeleteMarkers?.length ?? 0 };
}

const secretsOf = async (tenantId: string) =>
  (await secretNames()).filter((name) => name.includes(`/tenants/${tenantId}/`));
/** Polls a request until it answers `status` (the functions cache registry records for up to 15 s). */
async function eventually(request: () => Promise<{ status: number }>, status: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  let last = (await request()).status;
  while (last !== status && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    last = (await request()).status;
  }
  expect(last).toBe(status);
}

const untilPassed = async (time: string): Promise<void> => {
  const wait = new Date(time).getTime() - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait + 50));
};

const indexExists = (tenantId: string) =>
  vectorsIn(VECTORS, tenantId).then(
    () => true,
    () => false,
  );

beforeAll(async () => {
  tracker = await startTicketTracker({ apiKey });
  for (const tenantId of [leaving, staying, hesitant]) await onboard(tenantId, 'basic');
  await Promise.all([populate(leaving), populate(staying)]);
  const admin = caller(leaving, 'ada', 'admin');
  const registered = await callAs(admin, 'POST', '/v1/connectors', {
    name: 'tracker',
    kind: 'mcp',
    url: tracker.url,
    auth: { type: 'api_key', value: apiKey },
    tools: [{ name: 'list_tickets', roles: ['reader', 'analyst', 'admin'] }],
  });
  expect(registered.status).toBe(201);
  expect(
    (await callAs(OPERATOR, 'PUT', `/v1/admin/tenants/${leaving}/users/carol/roles`, { roles: ['analyst'] }))
      .status,
  ).toBe(200);
  // Bob's usage outlives his erasure under a pseudonym: the tenant's erasure must find it too.
  expect((await callAs(caller(leaving, 'bob', 'reader'), 'POST', '/v1/chat', { message: 'hi' })).status).toBe(
    200,
  );
  expect((await callAs(admin, 'DELETE', `/v1/admin/tenants/${leaving}/users/bob`)).status).toBe(200);
  await runSchedules({ only: SCHEDULED.digester });
});

afterAll(async () => {
  await tracker?.close();
});

describe('offboarding a tenant', () => {
  it('refuses the tenant (within the registry cache’s 15 s), and restores it when cancelled within the grace period', async () => {
    const alice = caller(hesitant, 'alice', 'reader');
    const offboarded = await callAs(OPERATOR, 'POST', `/v1/admin/tenants/${hesitant}/offboard`, {
      graceDays: 5,
    });
    expect(offboarded).toMatchObject({ status: 200, body: { status: 'offboarding' } });
    await eventually(() => callAs(alice, 'POST', '/v1/chat', { message: 'anyone?' }), 403);
    // Resuming is not a way around the grace period's rules.
    expect((await callAs(OPERATOR, 'POST', `/v1/admin/tenants/${hesitant}/resume`)).status).toBe(409);
    await runSchedules({ only: SCHEDULED.tenantErasure });
    expect((await callAs(OPERATOR, 'GET', `/v1/admin/tenants/${hesitant}`)).body).toMatchObject({
      status: 'offboarding',
    });

    const cancelled = await callAs(OPERATOR, 'POST', `/v1/admin/tenants/${hesitant}/cancel-offboard`);
    expect(cancelled).toMatchObject({ status: 200, body: { status: 'active' } });
    await eventually(() => callAs(alice, 'POST', '/v1/chat', { message: 'back again' }), 200);
    // Not offboarding any more: nothing to cancel.
    expect((await callAs(OPERATOR, 'POST', `/v1/admin/tenants/${hesitant}/cancel-offboard`)).status).toBe(
      409,
    );
  });

  it('erases everything after the grace period, resumes after a crash, and signs a receipt that matches', async () => {
    const offboarded = await callAs(OPERATOR, 'POST', `/v1/admin/tenants/${leaving}/offboard`, {
      graceDays: 0,
    });
    expect(offboarded.status).toBe(200);
    await eventually(() => callAs(caller(leaving, 'alice', 'reader'), 'GET', '/v1/memory'), 403);
    // Grace 0: erasure may begin once every function refuses the tenant (the local settle time).
    await untilPassed((offboarded.body as { offboarding: { eraseAfter: string } }).offboarding.eraseAfter);
    const before = {
      items: await rawItems(leaving),
      objects: await rawObjects(leaving),
      secrets: (await secretsOf(leaving)).length,
      index: await indexExists(leaving),
      staying: await rawItems(staying),
    };
    expect(before.items).toBeGreaterThan(20);
    expect(before.objects.versions).toBeGreaterThanOrEqual(3);
    expect(before.objects.markers).toBeGreaterThanOrEqual(1);
    expect([before.secrets, before.index]).toEqual([1, true]);

    // A crash half-way: the first item delete fails (all 4 attempts the DynamoDB client makes),
    // after the objects and secrets went.
    await failNextAwsCalls('dynamodb:DeleteItem', 4);
    expect(await runSchedules({ only: SCHEDULED.tenantErasure })).toContainEqual({
      due: 1,
      erased: 0,
      failed: 1,
    });
    expect(await rawObjects(leaving)).toEqual({ versions: 0, markers: 0 });
    expect(await secretsOf(leaving)).toEqual([]);
    expect(await rawItems(leaving)).toBeGreaterThan(0);
    expect((await callAs(OPERATOR, 'GET', `/v1/admin/tenants/${leaving}/erasure-receipt`)).status).toBe(404);
    // Erasure has begun: too late to cancel.
    expect((await callAs(OPERATOR, 'POST', `/v1/admin/tenants/${leaving}/cancel-offboard`)).status).toBe(409);

    expect(await runSchedules({ only: SCHEDULED.tenantErasure })).toContainEqual({
      due: 1,
      erased: 1,
      failed: 0,
    });
    expect(await rawItems(leaving)).toBe(0);
    expect(await rawObjects(leaving)).toEqual({ versions: 0, markers: 0 });
    expect(await secretsOf(leaving)).toEqual([]);
    expect(await indexExists(leaving)).toBe(false);
    expect((await callAs(OPERATOR, 'GET', `/v1/admin/tenants/${leaving}`)).status).toBe(404);

    const answer = await callAs(OPERATOR, 'GET', `/v1/admin/tenants/${leaving}/erasure-receipt`);
    expect(answer.status).toBe(200);
    const { receipt, signed } = answer.body as {
      receipt: { counts: Record<string, number>; finalCosts: unknown[] };
      signed: { body: string; signature: string };
    };
    expect(receipt.counts).toEqual({
      items: before.items,
      objectVersions: before.objects.versions,
      deleteMarkers: before.objects.markers,
      vectorIndexes: 1,
      secrets: 1,
      roleAssignments: 1,
    });
    expect(receipt.finalCosts.length).toBeGreaterThanOrEqual(1);
    // The id is retired: its old users' tokens still name it, so it is never onboarded again.
    const reused = await callAs(OPERATOR, 'POST', '/v1/admin/tenants', {
      tenantId: leaving,
      name: 'Newcomer',
      tier: 'basic',
    });
    expect(reused.status).toBe(409);
    expect(reused.body).toMatchObject({ error: { code: 'tenant_id_retired' } });
    expect((await callAs(OPERATOR, 'GET', `/v1/admin/tenants/${leaving}`)).status).toBe(404);
    // Signed with the platform's digest key: any tenant's audit export carries its public key.
    const exported = await callAs(caller(staying, 'ada', 'admin'), 'GET', '/v1/audit/export');
    const publicKey = createPublicKey({
      key: Buffer.from((exported.body as { publicKey: string }).publicKey, 'base64'),
      format: 'der',
      type: 'spki',
    });
    expect(
      verify('sha256', Buffer.from(signed.body), publicKey, Buffer.from(signed.signature, 'base64')),
    ).toBe(true);
    expect(
      verify(
        'sha256',
        Buffer.from(signed.body.replace('"items"', '"Items"')),
        publicKey,
        Buffer.from(signed.signature, 'base64'),
      ),
    ).toBe(false);
  });

  it('leaves every other tenant untouched and working', async () => {
    expect(await rawItems(staying)).toBeGreaterThan(20);
    expect((await rawObjects(staying)).versions).toBeGreaterThanOrEqual(3);
    expect(await indexExists(staying)).toBe(true);
    const alice = caller(staying, 'alice', 'reader');
    expect(JSON.stringify((await callAs(alice, 'GET', '/v1/memory')).body)).toContain(
      `alice of ${staying} likes tea`,
    );
    expect((await callAs(alice, 'POST', '/v1/chat', { message: 'still here' })).status).toBe(200);
  });
});

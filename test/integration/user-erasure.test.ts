/**
 * Erasing and exporting one user (issue 11; GDPR articles 17 and 20), in the local cloud. Alice
 * chats, remembers, uploads private documents (one deleted again: a noncurrent version and a
 * delete marker stay in the versioned bucket); bob does the same. Her export, taken before, holds
 * everything a raw listing finds of hers. After her erasure a raw listing through the emulators
 * (the account's root, no IAM) finds nothing of hers — no item, object version, delete marker or
 * vector — bob is intact, and the tenant's cost totals are unchanged (her cost is kept under her
 * pseudonym). A rerun erases nothing more. Who may: an operator, or that tenant's admin only.
 */
import { ListObjectVersionsCommand } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Caller, callAs, OPERATOR, onboard } from './support/api-client.js';
import { vectorsIn } from './support/inspector.js';
import { apiEnv, rawItemsWithPrefix, rootClients, uniqueSuffix } from './support/local-cloud.js';

const suffix = uniqueSuffix();
const tenantId = `zq-erase-${suffix}`;
const BUCKET = apiEnv('TENANT_BUCKET_NAME');
const VECTORS = apiEnv('VECTOR_BUCKET_NAME');
const root = rootClients();

const alice: Caller = { sub: 'alice', tenantId, groups: ['reader'] };
const bob: Caller = { sub: 'bob', tenantId, groups: ['reader'] };
const admin: Caller = { sub: 'ada', tenantId, groups: ['admin'] };
const userPath = (user: string, tenant = tenantId) => `/v1/admin/tenants/${tenant}/users/${user}`;

/** Chat history, a remembered fact and private documents (one uploaded, then deleted). */
async function useThePlatform(caller: Caller): Promise<void> {
  const chat = await callAs(caller, 'POST', '/v1/chat', { message: `hello from ${caller.sub}` });
  expect(chat.status).toBe(200);
  const remembered = await callAs(caller, 'POST', '/v1/chat', {
    message: `use tool remember ${JSON.stringify({ fact: `${caller.sub} likes tea ${suffix}` })}`,
  });
  expect(remembered.status).toBe(200);
  const upload = (title: string) =>
    callAs(caller, 'POST', '/v1/documents', {
      title,
      content: `${title} of ${caller.sub}: private notes.`,
      visibility: 'private',
    });
  const kept = await upload('Diary');
  const gone = await upload('Draft');
  expect([kept.status, gone.status]).toEqual([201, 201]);
  const deleted = await callAs(caller, 'DELETE', `/v1/documents/${(gone.body as { id: string }).id}`);
  expect(deleted.status).toBe(204);
}

/** Every raw item of a user's private partitions. */
const rawItemsOf = (user: string) => rawItemsWithPrefix(`${tenantId}#u#${user}#`);

async function rawVersionsOf(user: string) {
  const listed = await root.s3.send(
    new ListObjectVersionsCommand({ Bucket: BUCKET, Prefix: `tenants/${tenantId}/users/${user}/` }),
  );
  return { versions: listed.Versions ?? [], markers: listed.DeleteMarkers ?? [] };
}

const privateVectorsOf = async (user: string) =>
  (await vectorsIn(VECTORS, tenantId)).filter((vector) => vector.key.startsWith(`u/${user}/`));

interface Costs {
  totals: { costUsd: number; inputTokens: number };
  byUser: { userId: string; costUsd: number }[];
}
const costs = async (): Promise<Costs> => (await callAs(admin, 'GET', '/v1/costs')).body as Costs;

describe('erasing one user', () => {
  let before: {
    items: Awaited<ReturnType<typeof rawItemsOf>>;
    objects: Awaited<ReturnType<typeof rawVersionsOf>>;
    vectors: number;
    costs: Costs;
    export: {
      sessions: { id: string; messages: unknown[] }[];
      memory: { id: string }[];
      documents: { id: string }[];
    };
  };
  let receipt: {
    pseudonym: string;
    counts: { items: number; usageItemsPseudonymised: number } & Record<string, number>;
  };

  beforeAll(async () => {
    await onboard(tenantId, 'basic');
    await useThePlatform(alice);
    await useThePlatform(bob);
    const exported = await callAs(admin, 'GET', `${userPath('alice')}/export`);
    expect(exported.status).toBe(200);
    before = {
      items: await rawItemsOf('alice'),
      objects: await rawVersionsOf('alice'),
      vectors: (await privateVectorsOf('alice')).length,
      costs: await costs(),
      export: exported.body as typeof before.export,
    };
    const erased = await callAs(admin, 'DELETE', userPath('alice'));
    expect(erased.status).toBe(200);
    receipt = erased.body as typeof receipt;
  });

  it('had something of every kind to erase', () => {
    expect(before.items.length).toBeGreaterThan(5);
    expect(before.objects.versions.length).toBeGreaterThanOrEqual(2);
    expect(before.objects.markers.length).toBeGreaterThanOrEqual(1);
    expect(before.vectors).toBeGreaterThan(0);
  });

  it('exported, before, every session, message, fact and document a raw listing finds', () => {
    const skOf = (collection: string) =>
      before.items
        .filter((item) => item.pk?.S === `${tenantId}#u#alice#${collection}`)
        .map((item) => item.sk?.S ?? '');
    const ids = (prefix: string, collection: string) =>
      skOf(collection)
        .filter((sk) => sk.startsWith(prefix))
        .map((sk) => sk.slice(prefix.length))
        .sort();
    expect(before.export.sessions.map((session) => session.id).sort()).toEqual(ids('session#', 'sessions'));
    expect(before.export.memory.map((fact) => fact.id).sort()).toEqual(ids('fact#', 'memory'));
    expect(before.export.documents.map((document) => document.id).sort()).toEqual(ids('doc#', 'documents'));
    const messages = before.items.filter((item) => item.pk?.S?.startsWith(`${tenantId}#u#alice#messages#`));
    expect(before.export.sessions.flatMap((session) => session.messages)).toHaveLength(messages.length);
  });

  it('leaves nothing of hers: no item, object version, delete marker or vector', async () => {
    expect(await rawItemsOf('alice')).toEqual([]);
    expect(await rawVersionsOf('alice')).toEqual({ versions: [], markers: [] });
    expect(await privateVectorsOf('alice')).toEqual([]);
    expect(receipt.counts).toMatchObject({
      objectVersions: before.objects.versions.length,
      deleteMarkers: before.objects.markers.length,
      vectors: before.vectors,
    });
    expect(receipt.counts.items + receipt.counts.usageItemsPseudonymised).toBe(before.items.length);
  });

  it('keeps bob whole', async () => {
    expect((await rawItemsOf('bob')).length).toBeGreaterThan(5);
    const memory = await callAs(bob, 'GET', '/v1/memory');
    expect(JSON.stringify(memory.body)).toContain(`bob likes tea ${suffix}`);
    const documents = (await callAs(bob, 'GET', '/v1/documents')).body as { documents: { title: string }[] };
    expect(documents.documents.map((document) => document.title)).toContain('Diary');
    expect((await privateVectorsOf('bob')).length).toBeGreaterThan(0);
    expect((await callAs(bob, 'POST', '/v1/chat', { message: 'still here?' })).status).toBe(200);
  });

  it('keeps every cent: totals unchanged, her share under her pseudonym', async () => {
    const after = await costs();
    const aliceCost = before.costs.byUser.find((user) => user.userId === 'alice')?.costUsd;
    expect(aliceCost).toBeGreaterThan(0);
    // bob chatted once more since; compare what was there before.
    expect(after.totals.costUsd).toBeGreaterThanOrEqual(before.costs.totals.costUsd);
    expect(after.byUser.map((user) => user.userId)).not.toContain('alice');
    expect(after.byUser.find((user) => user.userId === receipt.pseudonym)?.costUsd).toBe(aliceCost);
    expect(receipt.pseudonym).toMatch(/^a_[0-9a-f]{32}$/);
  });

  it('erases nothing more on a rerun', async () => {
    const again = await callAs(admin, 'DELETE', userPath('alice'));
    expect(again.status).toBe(200);
    expect(Object.values((again.body as typeof receipt).counts).every((count) => count === 0)).toBe(true);
  });

  it('lets an operator or this tenant’s admin act, and nobody else', async () => {
    const otherTenant = `zq-erase-other-${suffix}`;
    await onboard(otherTenant, 'basic');
    const foreignAdmin: Caller = { sub: 'eve', tenantId: otherTenant, groups: ['admin'] };
    for (const caller of [foreignAdmin, bob]) {
      expect((await callAs(caller, 'DELETE', userPath('bob'))).status).toBe(403);
      expect((await callAs(caller, 'GET', `${userPath('bob')}/export`)).status).toBe(403);
    }
    expect((await rawItemsOf('bob')).length).toBeGreaterThan(5);
    const byOperator = await callAs(OPERATOR, 'GET', `${userPath('bob')}/export`);
    expect(byOperator.status).toBe(200);
    expect(JSON.stringify(byOperator.body)).toContain(`bob likes tea ${suffix}`);
    expect(JSON.stringify(byOperator.body)).not.toContain('alice');
  });
});

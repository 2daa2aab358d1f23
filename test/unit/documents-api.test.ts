import { describe, expect, it } from 'vitest';
import { chunkText } from '../../lambdas/documents/chunking.js';
import { ADA_ADMIN, ALICE_ANALYST, apiHarness, BOB_READER, domainItems } from './support/api-harness.js';
import { assertDocumentedResponse } from './support/openapi-validator.js';

const HANDBOOK = {
  title: 'Handbook',
  content: Array.from(
    { length: 30 },
    (_, n) =>
      `Section ${n}. Employees get thirty holiday days. Expenses are filed monthly by the analyst team.`,
  ).join('\n\n'),
  visibility: 'tenant',
};

function commandNames(sent: ReadonlyArray<{ name: string }>): string[] {
  return sent.map((command) => command.name);
}

describe('documents API', () => {
  it('stores a tenant document: object, metadata and one vector per chunk with its text', async () => {
    const api = apiHarness();

    const created = await api.call(ALICE_ANALYST, 'POST', '/v1/documents', HANDBOOK);

    expect(created.statusCode).toBe(201);
    assertDocumentedResponse('POST', '/v1/documents', created);
    const id: string = created.json.id;
    const chunks = chunkText(HANDBOOK.content);
    expect(created.json).toMatchObject({ title: 'Handbook', visibility: 'tenant', chunks: chunks.length });
    expect([...api.bucket.objects.keys()]).toEqual([`tenants/acme/shared/documents/${id}`]);
    expect(api.table.partition('acme#t#documents')).toHaveLength(1);
    expect([...api.index.vectors.keys()]).toEqual(chunks.map((_, n) => `t/${id}#${n}`));
    expect(api.index.vectors.get(`t/${id}#1`)?.metadata).toEqual({
      documentId: id,
      title: 'Handbook',
      chunk: 1,
      text: chunks[1],
      visibility: 'tenant',
    });
    const embedding = api.bedrock.find((command) => command.name === 'InvokeModelCommand')?.input;
    expect(embedding).toMatchObject({ modelId: 'amazon.titan-embed-text-v2:0' });
    expect(JSON.parse(String(embedding && 'body' in embedding ? embedding.body : ''))).toEqual({
      inputText: chunks[0],
      dimensions: 1024,
      normalize: true,
    });
  });

  it('refuses a tenant-visible upload by a reader and writes nothing, but takes their private one', async () => {
    const api = apiHarness();

    const refused = await api.call(BOB_READER, 'POST', '/v1/documents', HANDBOOK);
    const writesAfterRefusal = [...commandNames(api.objects), ...commandNames(api.vectors)];
    const mine = await api.call(BOB_READER, 'POST', '/v1/documents', { ...HANDBOOK, visibility: 'private' });

    expect(refused.statusCode).toBe(403);
    assertDocumentedResponse('POST', '/v1/documents', refused);
    expect(writesAfterRefusal).toEqual([]);
    expect(mine.statusCode).toBe(201);
    expect([...api.bucket.objects.keys()]).toEqual([`tenants/acme/users/bob/documents/${mine.json.id}`]);
    expect(api.table.partition('acme#u#bob#documents')).toHaveLength(1);
  });

  it.each([
    ['extra keys', { ...HANDBOOK, tenantId: 'globex' }],
    ['content over 200 KB', { ...HANDBOOK, content: 'x'.repeat(200 * 1024 + 1) }],
    ['an unknown visibility', { ...HANDBOOK, visibility: 'public' }],
  ])('answers 400 for %s', async (_label, body) => {
    const api = apiHarness();

    const result = await api.call(ALICE_ANALYST, 'POST', '/v1/documents', body);

    expect(result.statusCode).toBe(400);
    expect(api.objects).toHaveLength(0);
  });

  it('leaves nothing behind when embedding fails', async () => {
    const api = apiHarness({ failing: ['InvokeModelCommand'] });

    const result = await api.call(ALICE_ANALYST, 'POST', '/v1/documents', HANDBOOK);

    expect(result.statusCode).toBe(500);
    assertDocumentedResponse('POST', '/v1/documents', result);
    expect(commandNames(api.objects)).toEqual([]);
    expect(domainItems(api.table).length).toBe(0);
    expect(api.index.vectors.size).toBe(0);
  });

  it('removes the object and metadata again when storing vectors fails', async () => {
    const api = apiHarness({ failing: ['PutVectorsCommand'] });

    const result = await api.call(ALICE_ANALYST, 'POST', '/v1/documents', HANDBOOK);

    expect(result.statusCode).toBe(500);
    expect(commandNames(api.objects)).toEqual(['PutObjectCommand', 'DeleteObjectCommand']);
    expect(api.bucket.objects.size).toBe(0);
    expect(domainItems(api.table).length).toBe(0);
  });

  it('deletes a document with its object, metadata and every vector', async () => {
    const api = apiHarness();
    const created = await api.call(ALICE_ANALYST, 'POST', '/v1/documents', HANDBOOK);
    const storedKeys = [...api.index.vectors.keys()];

    const deleted = await api.call(ADA_ADMIN, 'DELETE', `/v1/documents/${created.json.id}`);
    const again = await api.call(ALICE_ANALYST, 'GET', `/v1/documents/${created.json.id}`);

    expect(deleted.statusCode).toBe(204);
    expect(storedKeys.length).toBeGreaterThan(2);
    const deletedKeys = api.vectors
      .filter((command) => command.name === 'DeleteVectorsCommand')
      .flatMap((command) => ('keys' in command.input ? (command.input.keys ?? []) : []));
    expect(deletedKeys).toEqual(storedKeys);
    expect(api.index.vectors.size).toBe(0);
    expect(api.bucket.objects.size).toBe(0);
    expect(domainItems(api.table).length).toBe(0);
    expect(again.statusCode).toBe(404);
  });

  it('lets only admins delete tenant documents, and only owners their private ones', async () => {
    const api = apiHarness();
    const shared = await api.call(ALICE_ANALYST, 'POST', '/v1/documents', HANDBOOK);
    const alicePrivate = await api.call(ALICE_ANALYST, 'POST', '/v1/documents', {
      ...HANDBOOK,
      visibility: 'private',
    });

    const byReader = await api.call(BOB_READER, 'DELETE', `/v1/documents/${shared.json.id}`);
    const byAnalyst = await api.call(ALICE_ANALYST, 'DELETE', `/v1/documents/${shared.json.id}`);
    const ownPrivate = await api.call(ALICE_ANALYST, 'DELETE', `/v1/documents/${alicePrivate.json.id}`);
    const othersPrivate = await api.call(ADA_ADMIN, 'DELETE', `/v1/documents/${alicePrivate.json.id}`);
    const byAdmin = await api.call(ADA_ADMIN, 'DELETE', `/v1/documents/${shared.json.id}`);

    expect([byReader.statusCode, byAnalyst.statusCode, ownPrivate.statusCode]).toEqual([403, 403, 204]);
    expect([othersPrivate.statusCode, byAdmin.statusCode]).toEqual([404, 204]);
    expect(api.bucket.objects.size).toBe(0);
  });

  it('lists and reads tenant documents plus the caller’s own private ones, never another user’s', async () => {
    const api = apiHarness();
    const shared = await api.call(ALICE_ANALYST, 'POST', '/v1/documents', HANDBOOK);
    const alicePrivate = await api.call(ALICE_ANALYST, 'POST', '/v1/documents', {
      ...HANDBOOK,
      title: 'Alice notes',
      visibility: 'private',
    });

    const aliceList = await api.call(ALICE_ANALYST, 'GET', '/v1/documents');
    const bobList = await api.call(BOB_READER, 'GET', '/v1/documents');
    const aliceRead = await api.call(ALICE_ANALYST, 'GET', `/v1/documents/${alicePrivate.json.id}`);
    const bobRead = await api.call(BOB_READER, 'GET', `/v1/documents/${alicePrivate.json.id}`);

    assertDocumentedResponse('GET', '/v1/documents', aliceList);
    assertDocumentedResponse('GET', '/v1/documents/{id}', aliceRead);
    expect(aliceList.json.documents.map((doc: { id: string }) => doc.id)).toEqual([
      shared.json.id,
      alicePrivate.json.id,
    ]);
    expect(bobList.json.documents.map((doc: { id: string }) => doc.id)).toEqual([shared.json.id]);
    expect(aliceRead.json).toMatchObject({ title: 'Alice notes', content: HANDBOOK.content });
    expect(bobRead.statusCode).toBe(404);
  });

  it('pages through tenant and then private documents', async () => {
    const api = apiHarness();
    for (const visibility of ['tenant', 'tenant', 'private']) {
      await api.call(ALICE_ANALYST, 'POST', '/v1/documents', { ...HANDBOOK, visibility });
    }

    const first = await api.call(ALICE_ANALYST, 'GET', '/v1/documents', undefined, { limit: '2' });
    const second = await api.call(ALICE_ANALYST, 'GET', '/v1/documents', undefined, {
      limit: '2',
      cursor: first.json.cursor,
    });

    expect(first.json.documents.map((doc: { visibility: string }) => doc.visibility)).toEqual([
      'tenant',
      'tenant',
    ]);
    expect(second.json.documents.map((doc: { visibility: string }) => doc.visibility)).toEqual(['private']);
    expect(second.json.cursor).toBeUndefined();
  });

  it('searches tenant documents and the caller’s private ones with the visibility filter', async () => {
    const api = apiHarness();
    await api.call(ALICE_ANALYST, 'POST', '/v1/documents', HANDBOOK);
    await api.call(ALICE_ANALYST, 'POST', '/v1/documents', {
      title: 'Alice salary',
      content: 'My salary is secret.',
      visibility: 'private',
    });

    const alice = await api.call(ALICE_ANALYST, 'POST', '/v1/search', { query: 'salary secret', topK: 3 });
    const bob = await api.call(BOB_READER, 'POST', '/v1/search', { query: 'salary secret', topK: 3 });

    assertDocumentedResponse('POST', '/v1/search', alice);
    expect(alice.json.matches[0]).toMatchObject({
      title: 'Alice salary',
      chunk: 0,
      text: 'My salary is secret.',
    });
    expect(bob.json.matches.map((match: { title: string }) => match.title)).not.toContain('Alice salary');
    const bobQuery = api.vectors.filter((command) => command.name === 'QueryVectorsCommand').at(-1)?.input;
    expect(bobQuery).toMatchObject({
      indexName: 'acme',
      filter: { $or: [{ visibility: 'tenant' }, { owner: 'bob' }] },
    });
  });
});

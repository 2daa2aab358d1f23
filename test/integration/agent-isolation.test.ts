/**
 * Isolation through every tenant API route, end to end: another user of the same tenant cannot
 * reach a user's private documents, memory or sessions; another tenant cannot reach anything
 * of this tenant's. Each denial is paired with the owner's own access, so a denial is never just
 * a broken route.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { type Caller, callAs, onboard, streamAs } from './support/api-client.js';
import { uniqueSuffix } from './support/local-cloud.js';

const suffix = uniqueSuffix();
const tenant = `iso-${suffix}`;
const otherTenant = `iso-o-${suffix}`;
const alice: Caller = { sub: 'alice', tenantId: tenant, groups: ['analyst'] };
const carol: Caller = { sub: 'carol', tenantId: tenant, groups: ['analyst'] };
const adam: Caller = { sub: 'adam', tenantId: tenant, groups: ['admin'] };
/** Same user id as alice, other tenant, highest role: ids alone must never grant anything. */
const outsider: Caller = { sub: 'alice', tenantId: otherTenant, groups: ['admin'] };
const diaryWord = `diary${suffix}`;
const factWord = `pistachio${suffix}`;
const handbookWord = `handbook${suffix}`;
let privateDocId: string;
let tenantDocId: string;
let sessionId: string;

const search = (word: string) => `use tool search_documents {"query":"${word}"}`;

beforeAll(async () => {
  await Promise.all([onboard(tenant, 'basic'), onboard(otherTenant, 'basic')]);
  const [diary, handbook] = await Promise.all([
    callAs(alice, 'POST', '/v1/documents', {
      title: 'Diary',
      content: `Alice's ${diaryWord} entry.`,
      visibility: 'private',
    }),
    callAs(adam, 'POST', '/v1/documents', {
      title: 'Handbook',
      content: `The ${handbookWord} of the tenant.`,
      visibility: 'tenant',
    }),
  ]);
  privateDocId = (diary.body as { id: string }).id;
  tenantDocId = (handbook.body as { id: string }).id;
  const remembered = await callAs(alice, 'POST', '/v1/chat', {
    message: `use tool remember {"fact":"likes ${factWord}"}`,
  });
  expect(remembered.body).toMatchObject({ toolCalls: [{ name: 'remember', status: 'success' }] });
  sessionId = (remembered.body as { sessionId: string }).sessionId;
});

/** Everything a caller can learn about alice's private things and the tenant's, through every route. */
async function whatTheySee(caller: Caller) {
  // Listings first: the chats below start sessions of the caller's own, titled with their words.
  const [documents, privateDoc, tenantDoc, searched, memory, sessions, messages] = await Promise.all([
    callAs(caller, 'GET', '/v1/documents'),
    callAs(caller, 'GET', `/v1/documents/${privateDocId}`),
    callAs(caller, 'GET', `/v1/documents/${tenantDocId}`),
    callAs(caller, 'POST', '/v1/search', { query: `${diaryWord} ${handbookWord}` }),
    callAs(caller, 'GET', '/v1/memory'),
    callAs(caller, 'GET', '/v1/sessions'),
    callAs(caller, 'GET', `/v1/sessions/${sessionId}/messages`),
  ]);
  const [chatSearch, recall] = await Promise.all([
    callAs(caller, 'POST', '/v1/chat', { message: search(`${diaryWord} ${handbookWord}`) }),
    callAs(caller, 'POST', '/v1/chat', { message: 'use tool recall {}' }),
  ]);
  return { documents, privateDoc, tenantDoc, searched, memory, sessions, messages, chatSearch, recall };
}

describe('within a tenant', () => {
  it('shows alice her private document, memory and session through every route', async () => {
    const seen = await whatTheySee(alice);

    expect(JSON.stringify(seen.documents.body)).toContain(privateDocId);
    expect(seen.privateDoc.status).toBe(200);
    expect(JSON.stringify(seen.searched.body)).toContain(privateDocId);
    expect(JSON.stringify(seen.memory.body)).toContain(factWord);
    expect(JSON.stringify(seen.sessions.body)).toContain(sessionId);
    expect(seen.messages.status).toBe(200);
    expect(JSON.stringify(seen.chatSearch.body)).toContain(privateDocId);
    expect(JSON.stringify(seen.recall.body)).toContain(factWord);
  });

  it('hides them from carol, while she still sees the tenant’s document', async () => {
    const seen = await whatTheySee(carol);

    expect(JSON.stringify(seen.documents.body)).not.toContain(privateDocId);
    expect(JSON.stringify(seen.documents.body)).toContain(tenantDocId);
    expect(seen.privateDoc).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
    expect(seen.tenantDoc.status).toBe(200);
    expect(JSON.stringify(seen.searched.body)).not.toContain(privateDocId);
    expect(JSON.stringify(seen.searched.body)).toContain(tenantDocId);
    expect(JSON.stringify(seen.memory.body)).not.toContain(factWord);
    expect(JSON.stringify(seen.sessions.body)).not.toContain(sessionId);
    expect(seen.messages).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
    expect(JSON.stringify(seen.chatSearch.body)).not.toContain(privateDocId);
    expect(JSON.stringify(seen.chatSearch.body)).not.toContain(diaryWord);
    expect(JSON.stringify(seen.recall.body)).not.toContain(factWord);
  });

  it('refuses carol alice’s session, in both chat forms, and her deletes', async () => {
    const [chatInto, streamInto, deleteSession, deleteDoc] = await Promise.all([
      callAs(carol, 'POST', '/v1/chat', { sessionId, message: 'hello' }),
      streamAs(carol, '/v1/chat/stream', { sessionId, message: 'hello' }),
      callAs(carol, 'DELETE', `/v1/sessions/${sessionId}`),
      callAs(carol, 'DELETE', `/v1/documents/${privateDocId}`),
    ]);

    expect(chatInto.status).toBe(404);
    expect(streamInto).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
    expect(deleteSession.status).toBe(404);
    expect(deleteDoc.status).toBe(404);
    expect((await callAs(alice, 'GET', `/v1/sessions/${sessionId}/messages`)).status).toBe(200);
    expect((await callAs(alice, 'GET', `/v1/documents/${privateDocId}`)).status).toBe(200);
  });
});

describe('across tenants', () => {
  it('shows the other tenant nothing of this one through any route', async () => {
    const seen = await whatTheySee(outsider);
    const everything = JSON.stringify(seen);

    for (const secret of [privateDocId, tenantDocId, sessionId, factWord, `Alice's ${diaryWord}`]) {
      expect(everything).not.toContain(secret);
    }
    expect(seen.privateDoc.status).toBe(404);
    expect(seen.tenantDoc.status).toBe(404);
    expect(seen.messages.status).toBe(404);
    expect(seen.documents.status).toBe(200);
    expect(seen.searched.status).toBe(200);
  });

  it('refuses the other tenant this tenant’s session and documents for chat and delete', async () => {
    const [chatInto, streamInto, deleteSession, deleteDoc] = await Promise.all([
      callAs(outsider, 'POST', '/v1/chat', { sessionId, message: 'hello' }),
      streamAs(outsider, '/v1/chat/stream', { sessionId, message: 'hello' }),
      callAs(outsider, 'DELETE', `/v1/sessions/${sessionId}`),
      callAs(outsider, 'DELETE', `/v1/documents/${tenantDocId}`),
    ]);

    expect(chatInto.status).toBe(404);
    expect(streamInto).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
    expect(deleteSession.status).toBe(404);
    expect(deleteDoc.status).toBe(404);
    expect((await callAs(adam, 'GET', `/v1/documents/${tenantDocId}`)).status).toBe(200);
    expect((await callAs(alice, 'GET', `/v1/sessions/${sessionId}/messages`)).status).toBe(200);
  });
});

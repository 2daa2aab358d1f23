/**
 * A user's export of their own data (issue 11, GDPR article 20): everything kept for them, and
 * nothing of anyone else's — another user's private data and the tenant's shared documents stay out.
 */
import { describe, expect, it } from 'vitest';
import { ADA_ADMIN, ALICE_ANALYST, apiHarness, BOB_READER } from './support/api-harness.js';
import { assertDocumentedResponse } from './support/openapi-validator.js';

describe('GET /v1/me/export', () => {
  it('holds every session message, fact and private document of the caller, and none of anyone else’s', async () => {
    const api = apiHarness();
    const chat = await api.call(ALICE_ANALYST, 'POST', '/v1/chat', { message: 'hello from alice' });
    await api.call(ALICE_ANALYST, 'PUT', '/v1/memory', { fact: 'alice likes tea' });
    await api.call(ALICE_ANALYST, 'POST', '/v1/documents', {
      title: 'Alice notes',
      content: 'alice private text',
      visibility: 'private',
    });
    await api.call(ADA_ADMIN, 'POST', '/v1/documents', {
      title: 'Handbook',
      content: 'shared text',
      visibility: 'tenant',
    });
    await api.call(BOB_READER, 'PUT', '/v1/memory', { fact: 'bob likes coffee' });
    await api.call(BOB_READER, 'POST', '/v1/chat', { message: 'hello from bob' });

    const exported = await api.call(ALICE_ANALYST, 'GET', '/v1/me/export');

    expect(exported.statusCode).toBe(200);
    assertDocumentedResponse('GET', '/v1/me/export', exported);
    expect(exported.json).toMatchObject({
      tenantId: 'acme',
      userId: 'alice',
      sessions: [
        {
          id: chat.json.sessionId,
          messages: [{ role: 'user', text: 'hello from alice' }, { role: 'assistant' }],
        },
      ],
      memory: [{ fact: 'alice likes tea' }],
      documents: [{ title: 'Alice notes', content: 'alice private text', visibility: 'private' }],
      connections: [],
      approvals: [],
      usage: { month: expect.any(String) },
    });
    const text = JSON.stringify(exported.json);
    expect(text).not.toMatch(/bob likes coffee|hello from bob|shared text/);
  });

  it('is refused to the platform operator, who has no workspace', async () => {
    const api = apiHarness();

    const refused = await api.call(
      { userId: 'olga', roles: 'operator', tenantId: 'platform' },
      'GET',
      '/v1/me/export',
    );

    expect(refused.statusCode).toBe(403);
  });
});

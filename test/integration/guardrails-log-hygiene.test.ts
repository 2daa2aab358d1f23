/**
 * Telemetry carries the opaque tenant tag and nothing raw (issue 5, DESIGN invariant 6). One
 * tenant with distinctive ids drives every path that logs — chats (plain, streamed, with tools and
 * a connector tool, whose key must appear nowhere),
 * an upload, retries and fallback, an outage, refusals, bad input, a bad token, operator calls —
 * then every line the functions wrote (captured by the local cloud) is scanned for its raw
 * tenant id, user ids, prompt and document text. The tag must appear, so the scan can fail.
 * A second scan covers everything logged in the run so far, for every tenant and user id the
 * local STS ever tagged a session with (global-setup.ts repeats it once the run has ended).
 */
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { DEFAULT_MODEL_RETRY_POLICY } from '../../lambdas/resilience/model-fallback.js';
import { startTicketTracker } from '../../local/demo-mcp/ticket-tracker.js';
import { type Caller, callApi, callAs, OPERATOR, onboard, streamAs, tokenFor } from './support/api-client.js';
import { capturedLogs, failNextModelCalls, secretValues, sessionIdentities } from './support/inspector.js';
import { apiModels, uniqueSuffix } from './support/local-cloud.js';
import { describeLeaks, findLogLeaks } from './support/log-leaks.js';

const suffix = uniqueSuffix();
const tenantId = `zq-leakcheck-${suffix}`;
const admin: Caller = { sub: 'u-leakcheck-7', tenantId, groups: ['admin'] };
const analyst: Caller = { sub: 'u-leakcheck-8', tenantId, groups: ['analyst'] };
const reader: Caller = { sub: 'u-leakcheck-9', tenantId, groups: ['reader'] };
const promptMarker = `zqpromptmarker${suffix}`;
const connectorKey = `zqconnectorkey${suffix}${'k'.repeat(16)}`;
/** Ids only an admin route's path or body names: the caller is someone else. */
const targetTenant = `zq-target-${suffix}`;
const targetUser = `zq-target-user-${suffix}`;
const ONE_LETTER_USER = 'z';
const documentMarker = `zqdocumentmarker${suffix}`;
const attempts = DEFAULT_MODEL_RETRY_POLICY.attemptsPerModel;
let tenantTag: string;

/** The request id of a refused request (from its error body); its log line is the last to wait for. */
const refusalId = (answer: { body: unknown }): string =>
  (answer.body as { error: { requestId: string } }).error.requestId;

/** Drives every logging path once, as the leak-check tenant; returns the last refusals' request ids. */
async function driveEveryLoggingPath(): Promise<string[]> {
  const upload = await callAs(admin, 'POST', '/v1/documents', {
    title: 'Leak check',
    content: `Confidential ${documentMarker}: do not log this.`,
    visibility: 'tenant',
  });
  expect(upload.status).toBe(201);
  const documentId = (upload.body as { id: string }).id;
  const chats = await Promise.all([
    callAs(analyst, 'POST', '/v1/chat', { message: `hello ${promptMarker}` }),
    callAs(analyst, 'POST', '/v1/chat', {
      message: `use tool search_documents ${JSON.stringify({ query: documentMarker })}`,
    }),
    callAs(analyst, 'POST', '/v1/chat', {
      message: `use tool remember ${JSON.stringify({ fact: `remember ${promptMarker}` })}`,
    }),
  ]);
  expect(chats.map((chat) => chat.status)).toEqual([200, 200, 200]);
  const streamed = await streamAs(analyst, '/v1/chat/stream', { message: `stream ${promptMarker}` });
  expect(streamed.status).toBe(200);

  const [primary] = apiModels().chatModels;
  await failNextModelCalls({ failure: 'throttle', times: attempts, tenantId, modelId: primary });
  expect((await callAs(analyst, 'POST', '/v1/chat', { message: `retry ${promptMarker}` })).status).toBe(200);
  for (const modelId of [primary, apiModels().fallbackModels.basic ?? primary]) {
    await failNextModelCalls({ failure: 'fail', times: attempts, tenantId, modelId });
  }
  expect((await callAs(analyst, 'POST', '/v1/chat', { message: `outage ${promptMarker}` })).status).toBe(503);

  expect((await callAs(reader, 'DELETE', `/v1/documents/${documentId}`)).status).toBe(403);
  expect((await callAs(analyst, 'POST', '/v1/chat', { message: '', note: promptMarker })).status).toBe(400);
  const badAudience = await tokenFor(analyst, { audience: 'someone-else' });
  expect((await callApi('GET', '/v1/me', `Bearer ${badAudience}`)).status).toBe(401);
  expect((await callAs(OPERATOR, 'GET', `/v1/admin/tenants/${tenantId}`)).status).toBe(200);
  expect(
    (await callAs(OPERATOR, 'PATCH', `/v1/admin/tenants/${tenantId}`, { monthlyTokenBudget: 4_000_000 }))
      .status,
  ).toBe(200);

  // Admin error paths that name a TARGET tenant or user (in the path or the body), one of them
  // a one-letter user id: none of those ids may reach a log line.
  const adminErrors = await Promise.all([
    callAs(OPERATOR, 'POST', '/v1/admin/tenants', { tenantId, name: 'Again', tier: 'basic' }),
    callAs(OPERATOR, 'POST', '/v1/admin/tenants', { tenantId: targetTenant, name: 'T', tier: 'gold' }),
    callAs(OPERATOR, 'PATCH', `/v1/admin/tenants/${targetTenant}`, { monthlyTokenBudget: 5 }),
    callAs(OPERATOR, 'POST', `/v1/admin/tenants/${targetTenant}/suspend`),
    callAs(OPERATOR, 'GET', `/v1/admin/tenants/${targetTenant}`),
    callAs(admin, 'PUT', `/v1/admin/tenants/${targetTenant}/users/${targetUser}/roles`, { roles: ['admin'] }),
    callAs(admin, 'PUT', `/v1/admin/tenants/${targetTenant}/users/${ONE_LETTER_USER}/roles`, {
      roles: ['admin'],
    }),
    callAs(admin, 'PUT', `/v1/admin/tenants/${tenantId}/users/${ONE_LETTER_USER}/roles`, {
      roles: ['operator'],
    }),
  ]);
  expect(adminErrors.map((answer) => answer.status)).toEqual([409, 400, 404, 404, 404, 403, 403, 403]);

  // Last, one refusal per function: once its line is captured, so is everything before it.
  await driveConnectorPaths();

  const refusals = await Promise.all([
    callAs(admin, 'GET', `/v1/documents/missing-${suffix}`),
    callAs(OPERATOR, 'GET', `/v1/admin/tenants/zq-nobody-${suffix}`),
    streamAs(analyst, '/v1/chat/stream', { message: '' }),
  ]);
  expect(refusals.map((answer) => answer.status)).toEqual([404, 404, 400]);
  return refusals.map(refusalId);
}

/** A connector with a key: registered, called, refused a wrong key, and faulted (nothing listening). */
async function driveConnectorPaths(): Promise<void> {
  const tracker = await startTicketTracker({ apiKey: connectorKey });
  try {
    const connector = (url: string, key: string) => ({
      kind: 'mcp',
      url,
      auth: { type: 'api_key', value: key },
      tools: [{ name: 'list_tickets', roles: ['analyst'] }],
    });
    const registered = await callAs(admin, 'POST', '/v1/connectors', {
      name: 'tracker',
      ...connector(tracker.url, connectorKey),
    });
    const wrongKey = await callAs(admin, 'POST', '/v1/connectors', {
      name: 'wrong',
      ...connector(tracker.url, `${connectorKey}x`),
    });
    const used = await callAs(analyst, 'POST', '/v1/chat', { message: 'use tool tracker__list_tickets {}' });
    expect([registered.status, wrongKey.status, used.status]).toEqual([201, 422, 200]);
  } finally {
    await tracker.close();
  }
  const gone = await callAs(analyst, 'POST', '/v1/chat', { message: 'use tool tracker__list_tickets {}' });
  expect((gone.body as { toolCalls: unknown }).toolCalls).toEqual([
    { name: 'tracker__list_tickets', status: 'failed' },
  ]);
}

beforeAll(async () => {
  await onboard(tenantId, 'basic');
  tenantTag = ((await callAs(admin, 'GET', '/v1/me')).body as { tenantTag: string }).tenantTag;
  const lastRequestIds = await driveEveryLoggingPath();
  await vi.waitFor(
    async () => {
      const text = (await capturedLogs()).lines.map((line) => line.text).join('\n');
      for (const requestId of lastRequestIds) expect(text).toContain(requestId);
    },
    { timeout: 10_000, interval: 50 },
  );
});

describe('the functions’ logs', () => {
  it('carry the leak-check tenant’s tag but none of its raw ids, prompts or document text', async () => {
    const { lines, dropped } = await capturedLogs();

    expect(dropped).toBe(0);
    const tagged = lines.filter((line) => line.text.includes(tenantTag));
    expect(tagged.some((line) => line.text.includes('model call retry'))).toBe(true);
    expect(tagged.some((line) => line.text.includes('request refused'))).toBe(true);
    const leaks = findLogLeaks(lines, {
      tenantIds: [tenantId, targetTenant],
      userIds: [admin.sub, analyst.sub, reader.sub, targetUser, ONE_LETTER_USER],
      texts: [promptMarker, documentMarker, connectorKey],
    });
    expect(leaks, describeLeaks(leaks)).toEqual([]);
  });

  it('carry no raw id of any tenant or user the run has given a session so far, and no secret value', async () => {
    const [{ lines }, identities, secrets] = await Promise.all([
      capturedLogs(),
      sessionIdentities(),
      secretValues(),
    ]);

    expect(identities.tenantIds).toContain(tenantId);
    expect(secrets).toContain(connectorKey);
    const leaks = findLogLeaks(lines, { ...identities, texts: secrets });
    expect(leaks, describeLeaks(leaks)).toEqual([]);
  });
});

/**
 * The guard rails as wired into the API: budgets, rate limits, the model
 * retry layer, metering, audit and telemetry, through the production handler
 * composition over the memory-backed SDK fakes.
 */

import type { ConverseCommandInput } from '@aws-sdk/client-bedrock-runtime';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Telemetry } from '../../../lambdas/observability/telemetry.js';
import { apiDocument } from '../../../lambdas/routes/api-document.js';
import { createControlHandler } from '../../../lambdas/routes/control-routes.js';
import { actorTagFor, tenantTagFor } from '../../../lambdas/tenancy/request-context.js';
import {
  ADA_ADMIN,
  ALICE_ANALYST,
  apiHarness,
  BOB_READER,
  type Caller,
  domainItems,
} from '../support/api-harness.js';
import { proxyEvent } from '../support/events.js';
import { TAG_KEY } from '../support/fake-runtime.js';
import { auditItemsOf } from '../support/memory-cloud.js';
import { assertDocumentedResponse } from '../support/openapi-validator.js';
import { isConverseInput, obedientModel } from '../support/scripted-model.js';

const PRIMARY_MODEL = 'amazon.nova-lite-v1:0';
const FALLBACK_MODEL = 'amazon.nova-micro-v1:0';

function throttled(): Error {
  return Object.assign(new Error('Too many requests'), { name: 'ThrottlingException' });
}

function converseModelIds(api: ReturnType<typeof apiHarness>): string[] {
  return api.bedrock
    .map((command) => command.input)
    .filter(isConverseInput)
    .map((input) => String(input.modelId));
}

/** A user's opaque id in acme's trail, as the runtime derives it. */
const actorOf = (userId: string) => actorTagFor('acme', userId, TAG_KEY);

function auditRecords(api: ReturnType<typeof apiHarness>): Array<Record<string, unknown>> {
  return auditItemsOf(api.table, 'acme');
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('budgets', () => {
  it('refuses a chat over budget with 402 budget_exceeded, before any model call', async () => {
    const api = apiHarness({ tenant: { monthlyBudgetUsd: 0 } });

    const result = await api.call(ALICE_ANALYST, 'POST', '/v1/chat', { message: 'hello' });

    expect(result.statusCode).toBe(402);
    expect(result.json.error.code).toBe('budget_exceeded');
    assertDocumentedResponse('POST', '/v1/chat', result);
    expect(converseModelIds(api)).toEqual([]);
    expect(domainItems(api.table)).toEqual([]);
  });

  it('admits the same chat within budget and leaves no open hold behind', async () => {
    const api = apiHarness();

    const result = await api.call(ALICE_ANALYST, 'POST', '/v1/chat', { message: 'hello' });

    expect(result.statusCode).toBe(200);
    const budget = [...api.table.items.values()].filter((item) =>
      String(item.pk).startsWith('acme#t#budget#'),
    );
    expect(budget).toEqual([expect.objectContaining({ sk: 'counter', usedTokens: 15, heldTokens: 0 })]);
  });
});

describe('rate limits', () => {
  it('refuses a user over their limit with 429 rate_limited and Retry-After, writing nothing', async () => {
    const api = apiHarness();
    // Alice has used her window's allowance: every bucket slot of her requests reads "limit reached".
    const key = { pk: 'acme#u#alice#rate', sk: 'admission' };
    const full = Object.fromEntries(Array.from({ length: 13 }, (_, slot) => [`q${slot}`, 0]));
    api.table.items.set(JSON.stringify([key.pk, key.sk]), { ...key, ...full });

    const refused = await api.call(ALICE_ANALYST, 'PUT', '/v1/memory', { fact: 'likes tea' });
    const bob = await api.call(BOB_READER, 'PUT', '/v1/memory', { fact: 'likes coffee' });

    expect(refused.statusCode).toBe(429);
    expect(refused.json.error.code).toBe('rate_limited');
    assertDocumentedResponse('PUT', '/v1/memory', refused);
    expect(Number(refused.headers?.['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(api.table.partition('acme#u#alice#memory')).toEqual([]);
    expect(bob.statusCode).toBe(201);
  });
});

describe('model retries and fallback', () => {
  it('retries a throttled model, then answers with the tier’s fallback model', async () => {
    const api = apiHarness({
      converse: (input: ConverseCommandInput) => {
        if (input.modelId === PRIMARY_MODEL) throw throttled();
        return obedientModel(input);
      },
    });

    const result = await api.call(ALICE_ANALYST, 'POST', '/v1/chat', { message: 'hello' });

    expect(result.statusCode).toBe(200);
    expect(converseModelIds(api)).toEqual([PRIMARY_MODEL, PRIMARY_MODEL, PRIMARY_MODEL, FALLBACK_MODEL]);
    const [record] = api.table.partition('acme#u#alice#usage-records');
    expect(record).toMatchObject({ modelId: FALLBACK_MODEL, callIndex: 0 });
  });

  it('answers 503 model_unavailable with Retry-After when the fallback is throttled too', async () => {
    const api = apiHarness({
      converse: () => {
        throw throttled();
      },
    });

    const result = await api.call(ALICE_ANALYST, 'POST', '/v1/chat', { message: 'hello' });

    expect(result.statusCode).toBe(503);
    expect(result.json.error.code).toBe('model_unavailable');
    assertDocumentedResponse('POST', '/v1/chat', result);
    expect(result.headers?.['retry-after']).toBe('5');
    expect(converseModelIds(api)).toHaveLength(6);
    expect(api.table.partition('acme#u#alice#usage-records')).toEqual([]);
    expect(domainItems(api.table)).toEqual([]);
    // The reservation was released (once: its settled marker): nothing held, nothing charged.
    const budget = [...api.table.items.values()].filter((item) =>
      String(item.pk).startsWith('acme#t#budget#'),
    );
    expect(budget).toEqual([
      expect.objectContaining({
        sk: 'counter',
        usedTokens: 0,
        usedNanoUsd: 0,
        heldTokens: 0,
        heldNanoUsd: 0,
      }),
      expect.objectContaining({ sk: expect.stringMatching(/^settled#/) }),
    ]);
  });
});

describe('metering', () => {
  it('keeps exactly one usage record per model call when a request id is replayed', async () => {
    const api = apiHarness();
    const event = proxyEvent({
      method: 'POST',
      path: '/v1/chat',
      body: JSON.stringify({ message: 'use tool recall {}' }),
      authorizer: { tenantId: 'acme', userId: 'alice', roles: 'analyst' },
      requestId: 'replayed-request',
    });

    await api.handler(event);
    await api.handler(event);

    const records = api.table.partition('acme#u#alice#usage-records');
    expect(converseModelIds(api)).toHaveLength(4);
    expect(records.map((record) => record.sk)).toEqual([
      'call#replayed-request#0',
      'call#replayed-request#1',
    ]);
    const cells = [...api.table.items.values()].filter((item) =>
      String(item.pk).startsWith('acme#t#usage-cells#'),
    );
    expect(cells).toEqual([expect.objectContaining({ calls: 2, inputTokens: 20, outputTokens: 10 })]);
    // The re-run called the model again: the budget is charged both runs, and nothing stays held.
    const counters = [...api.table.items.values()].filter(
      (item) => String(item.pk).startsWith('acme#t#budget#') && item.sk === 'counter',
    );
    const total = (name: string) => counters.reduce((sum, counter) => sum + Number(counter[name] ?? 0), 0);
    expect(counters.length).toBeGreaterThan(0);
    expect([total('usedTokens'), total('heldTokens')]).toEqual([2 * 30, 0]);
  });

  it('meters document embeddings as their own calls', async () => {
    const api = apiHarness();

    await api.call(ALICE_ANALYST, 'POST', '/v1/documents', {
      title: 'Notes',
      content: 'Holidays are thirty days.',
      visibility: 'private',
    });
    await api.call(ALICE_ANALYST, 'POST', '/v1/search', { query: 'holidays' });

    const records = api.table.partition('acme#u#alice#usage-records');
    expect(records).toHaveLength(2);
    expect(records.map((record) => record.modelId)).toEqual([
      'amazon.titan-embed-text-v2:0',
      'amazon.titan-embed-text-v2:0',
    ]);
    expect(records.every((record) => Number(record.callIndex) >= 1000)).toBe(true);
  });
});

describe('audit', () => {
  async function auditedWorkspace() {
    const api = apiHarness();
    const control = createControlHandler(api.runtime);
    const asCaller = (caller: Caller) => ({ tenantId: 'acme', userId: caller.userId, roles: caller.roles });

    const uploaded = await api.call(ALICE_ANALYST, 'POST', '/v1/documents', {
      title: 'Handbook',
      content: 'Holidays are thirty days.',
      visibility: 'private',
    });
    await api.call(ALICE_ANALYST, 'DELETE', `/v1/documents/${uploaded.json.id}`);
    await api.call(ALICE_ANALYST, 'POST', '/v1/chat', { message: 'use tool remember {"fact":"likes tea"}' });
    await api.call(BOB_READER, 'POST', '/v1/chat', {
      message: 'use tool get_my_usage {}',
    });
    await api.call(BOB_READER, 'POST', '/v1/documents', { title: 'T', content: 'c', visibility: 'tenant' });
    const assigned = await control(
      proxyEvent({
        method: 'PUT',
        path: '/v1/admin/tenants/acme/users/bob/roles',
        body: JSON.stringify({ roles: ['analyst'] }),
        authorizer: asCaller(ADA_ADMIN),
        requestId: 'req-admin',
      }),
    );
    expect(assigned.statusCode).toBe(200);
    return api;
  }

  it('records tool calls, data writes and deletes, admin actions and denials, and verifies the chain', async () => {
    const api = await auditedWorkspace();

    const listed = await api.call(ADA_ADMIN, 'GET', '/v1/audit');
    const verified = await api.call(ADA_ADMIN, 'GET', '/v1/audit/verify');

    expect(listed.statusCode).toBe(200);
    // Records of one request can share a millisecond on different chains: compare as sets.
    const events = listed.json.records.map((record: Record<string, string>) => [
      record.kind,
      record.action,
      record.outcome,
      record.actor,
    ]);
    expect(events).toHaveLength(11);
    expect(events).toEqual(
      expect.arrayContaining([
        ['data_write', 'documents.upload', 'attempted', actorOf('alice')],
        ['data_write', 'documents.upload', 'succeeded', actorOf('alice')],
        ['data_delete', 'documents.delete', 'attempted', actorOf('alice')],
        ['data_delete', 'documents.delete', 'succeeded', actorOf('alice')],
        ['data_write', 'memory.remember', 'attempted', actorOf('alice')],
        ['data_write', 'memory.remember', 'succeeded', actorOf('alice')],
        ['tool_call', 'tool.remember', 'succeeded', actorOf('alice')],
        ['access_denied', 'tool.get_my_usage', 'denied', actorOf('bob')],
        ['access_denied', 'http.post', 'denied', actorOf('bob')],
        ['admin_action', 'admin.set_roles', 'attempted', actorOf('ada')],
        ['admin_action', 'admin.set_roles', 'succeeded', actorOf('ada')],
      ]),
    );
    expect(verified.json).toEqual({ ok: true, records: 11, digests: 0, unsignedRecords: 11 });
  });

  it.each([
    [
      'a memory fact that does not exist',
      'DELETE',
      '/v1/memory/0190a0b0-0000-7000-8000-000000000000',
      undefined,
      404,
      'refused',
    ],
    [
      'a document whose vectors cannot be stored',
      'POST',
      '/v1/documents',
      { title: 'T', content: 'c', visibility: 'private' },
      500,
      'failed',
    ],
  ] as const)(
    'records an attempt and its real outcome, never success, for %s',
    async (_label, method, path, body, status, outcome) => {
      const api = apiHarness({ failing: ['PutVectorsCommand'] });

      const result = await api.call(ALICE_ANALYST, method, path, body);

      expect(result.statusCode).toBe(status);
      const records = auditRecords(api).map((record) => [record.action, record.outcome, record.requestId]);
      expect(records).toEqual([
        [expect.any(String), 'attempted', 'req-1'],
        [expect.any(String), outcome, 'req-1'],
      ]);
    },
  );

  it('pages through the trail with limit and cursor', async () => {
    const api = await auditedWorkspace();

    const first = await api.call(ADA_ADMIN, 'GET', '/v1/audit', undefined, { limit: '4' });
    const rest = await api.call(ADA_ADMIN, 'GET', '/v1/audit', undefined, { cursor: first.json.cursor });

    const ids = (page: { json: { records: { chain: number; seq: number }[] } }) =>
      page.json.records.map((record) => `${record.chain}/${record.seq}`);
    expect(ids(first)).toHaveLength(4);
    expect(ids(rest)).toHaveLength(7);
    expect(new Set([...ids(first), ...ids(rest)]).size).toBe(11);
    expect(rest.json.cursor).toBeUndefined();
  });

  it('reports a tampered record as not ok', async () => {
    const api = await auditedWorkspace();
    const [, second] = auditRecords(api);
    if (second === undefined) throw new Error('expected audit records');
    second.action = 'documents.read';

    const verified = await api.call(ADA_ADMIN, 'GET', '/v1/audit/verify');

    expect(verified.json).toMatchObject({ ok: false, problem: 'changed', chain: second.chain });
  });

  it('refuses the trail to a reader and an analyst with 403, and records the denial', async () => {
    const api = apiHarness();

    const reader = await api.call(BOB_READER, 'GET', '/v1/audit');
    const analyst = await api.call(ALICE_ANALYST, 'GET', '/v1/audit/verify');

    expect(reader.statusCode).toBe(403);
    expect(analyst.statusCode).toBe(403);
    expect(auditRecords(api).map((record) => [record.kind, record.actor, record.resource])).toEqual([
      ['access_denied', actorOf('bob'), '/v1/audit'],
      ['access_denied', actorOf('alice'), '/v1/audit/verify'],
    ]);
  });
});

describe('the OpenAPI document', () => {
  it('names the guard rails’ errors where routes can produce them, with Retry-After', () => {
    const { paths } = apiDocument();
    const retryAfter = { headers: { 'Retry-After': expect.anything() } };

    expect(paths['/v1/chat']).toMatchObject({
      post: { responses: { 402: expect.anything(), 429: retryAfter, 503: retryAfter } },
    });
    expect(paths['/v1/memory']).toMatchObject({ put: { responses: { 429: retryAfter } } });
    expect(paths['/v1/memory']).not.toHaveProperty(['put', 'responses', '402']);
    expect(paths['/v1/audit']).toMatchObject({
      get: { responses: { 200: expect.anything(), 403: expect.anything() } },
    });
    expect(paths['/v1/audit/verify']).toHaveProperty('get');
  });
});

describe('telemetry', () => {
  it('tags a chat’s logs and metrics with the tenant tag and never writes raw ids or the prompt', async () => {
    const written: string[] = [];
    const capture = (chunk: string | Uint8Array) => {
      written.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    };
    vi.spyOn(process.stdout, 'write').mockImplementation(capture);
    vi.spyOn(process.stderr, 'write').mockImplementation(capture);
    const api = apiHarness({ telemetry: new Telemetry({ serviceName: 'bulkhead', namespace: 'Bulkhead' }) });

    await api.call(ALICE_ANALYST, 'POST', '/v1/chat', { message: 'my secret plan zebra' });
    await api.call(BOB_READER, 'POST', '/v1/documents', { title: 'T', content: 'c', visibility: 'tenant' });
    vi.restoreAllMocks();

    const output = written.join('');
    expect(output).toContain(tenantTagFor('acme', TAG_KEY));
    expect(output).toContain('RequestLatency');
    expect(output).toContain('ModelInputTokens');
    expect(output).toContain('request refused');
    expect(output).not.toMatch(/acme(?!#)/);
    expect(output).not.toContain('alice');
    expect(output).not.toContain('bob');
    expect(output).not.toContain('zebra');
  });
});

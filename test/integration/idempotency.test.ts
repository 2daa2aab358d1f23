/**
 * Writes are idempotent under `Idempotency-Key` (issue 8): every write route, retried with the
 * same key, answers the first answer and stores nothing twice — including after the client gave
 * up on the first attempt (a timeout); the same key with another body is a 422; keys are scoped to
 * the caller (another user's or tenant's identical key is a different request).
 */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Caller, callAs, OPERATOR, onboard, tokenFor } from './support/api-client.js';
import { cloud, uniqueSuffix } from './support/local-cloud.js';

const suffix = uniqueSuffix();
const tenant = `idem-${suffix}`;
const other = `idem2-${suffix}`;
const alice: Caller = { sub: 'alice', tenantId: tenant, groups: ['analyst'] };
const bob: Caller = { sub: 'bob', tenantId: tenant, groups: ['analyst'] };
const admin: Caller = { sub: 'adele', tenantId: tenant, groups: ['admin'] };
const carol: Caller = { sub: 'alice', tenantId: other, groups: ['analyst'] };

interface Sent {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

async function send(
  caller: Caller,
  method: string,
  path: string,
  body: unknown,
  key: string | undefined,
  /** The client gives up after this long (its fetch rejects). */
  timeoutMs?: number,
): Promise<Sent> {
  const token = await tokenFor(caller);
  const signal = timeoutMs === undefined ? undefined : AbortSignal.timeout(timeoutMs);
  const response = await fetch(`${cloud.apiEndpoint}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(key === undefined ? {} : { 'idempotency-key': key }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    ...(signal === undefined ? {} : { signal }),
  });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

/** Retries while the first request with the key is still running (409 with Retry-After). */
async function sendUntilSettled(caller: Caller, method: string, path: string, body: unknown, key: string) {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const answer = await send(caller, method, path, body, key);
    if (answer.status !== 409) return answer;
    expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the first request never settled');
}

const factsOf = async (caller: Caller) =>
  ((await callAs(caller, 'GET', '/v1/memory')).body as { facts: Array<{ id: string; fact: string }> }).facts;
const documentsOf = async (caller: Caller) =>
  ((await callAs(caller, 'GET', '/v1/documents')).body as { documents: Array<{ id: string; title: string }> })
    .documents;
const sessionsOf = async (caller: Caller) =>
  ((await callAs(caller, 'GET', '/v1/sessions')).body as { sessions: unknown[] }).sessions;
const usageOf = async () =>
  (
    (await callAs(admin, 'GET', '/v1/costs')).body as {
      totals: { requests: number; calls: number; costUsd: number };
    }
  ).totals;

beforeAll(async () => {
  await onboard(tenant, 'basic');
  await onboard(other, 'basic');
});

describe('a write replayed with the same Idempotency-Key', () => {
  it.each([
    {
      route: 'PUT /v1/memory',
      write: (key: string) => send(alice, 'PUT', '/v1/memory', { fact: `fact ${key}` }, key),
      count: async (key: string) =>
        (await factsOf(alice)).filter((fact) => fact.fact === `fact ${key}`).length,
    },
    {
      route: 'POST /v1/documents',
      write: (key: string) =>
        send(
          alice,
          'POST',
          '/v1/documents',
          { title: key, content: 'Idempotent body.', visibility: 'private' },
          key,
        ),
      count: async (key: string) => (await documentsOf(alice)).filter((doc) => doc.title === key).length,
    },
    {
      route: 'POST /v1/chat',
      write: (key: string) => send(bob, 'POST', '/v1/chat', { message: `hello ${key}` }, key),
      count: async () => (await sessionsOf(bob)).length,
    },
  ])('$route answers the first answer and stores nothing twice', async ({ write, count }) => {
    const key = randomUUID();
    const first = await write(key);
    const afterFirst = await usageOf();

    const again = await write(key);
    const third = await write(key);

    expect(first.status).toBeLessThan(300);
    expect([again.status, again.text, third.text]).toEqual([first.status, first.text, first.text]);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await count(key)).toBe(1);
    // The replays cost nothing: no model or embedding call, no charge.
    expect(await usageOf()).toEqual(afterFirst);
  });

  it('DELETE /v1/memory/{id} deletes once and replays its 204', async () => {
    const stored = JSON.parse(
      (await send(alice, 'PUT', '/v1/memory', { fact: 'to forget' }, undefined)).text,
    );
    const key = randomUUID();

    const first = await send(alice, 'DELETE', `/v1/memory/${stored.id}`, undefined, key);
    const again = await send(alice, 'DELETE', `/v1/memory/${stored.id}`, undefined, key);
    const unkeyed = await send(alice, 'DELETE', `/v1/memory/${stored.id}`, undefined, undefined);

    expect([first.status, again.status, unkeyed.status]).toEqual([204, 204, 404]);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
  });

  it('POST /v1/admin/tenants onboards once for an operator’s retried request', async () => {
    const key = randomUUID();
    const body = { tenantId: `idem3-${suffix}`, name: 'Once', tier: 'basic' };

    const first = await send(OPERATOR, 'POST', '/v1/admin/tenants', body, key);
    const again = await send(OPERATOR, 'POST', '/v1/admin/tenants', body, key);
    const unkeyed = await send(OPERATOR, 'POST', '/v1/admin/tenants', body, undefined);

    expect([first.status, again.status, unkeyed.status]).toEqual([201, 201, 409]);
    expect(again.text).toBe(first.text);
  });

  it('POST /v1/chat/stream replays the same events', async () => {
    const key = randomUUID();

    const first = await send(bob, 'POST', '/v1/chat/stream', { message: `stream ${key}` }, key);
    const again = await send(bob, 'POST', '/v1/chat/stream', { message: `stream ${key}` }, key);

    expect(first.status).toBe(200);
    expect(first.text).toContain('event: done');
    expect(again.text).toBe(first.text);
    expect(again.headers.get('content-type')).toContain('text/event-stream');
  });
});

describe('after the client timed out', () => {
  it('a retry returns the first answer and the write happened exactly once', async () => {
    const key = randomUUID();
    const fact = `timed out ${key}`;
    // The model takes 1.5 s; the client gives up after 0.5 s, while the turn (and its tool write) goes on.
    const message = `[[slow:1500]] use tool remember ${JSON.stringify({ fact })}`;
    const before = await usageOf();

    await expect(send(alice, 'POST', '/v1/chat', { message }, key, 500)).rejects.toThrow();
    const retried = await sendUntilSettled(alice, 'POST', '/v1/chat', { message }, key);

    expect(retried.status).toBe(200);
    // A replay: the first attempt's answer was kept, not a second turn.
    expect(retried.headers.get('idempotent-replayed')).toBe('true');
    expect(JSON.parse(retried.text).toolCalls).toEqual([{ name: 'remember', status: 'success' }]);
    expect((await factsOf(alice)).filter((item) => item.fact === fact)).toHaveLength(1);
    // One turn charged once: two model calls (tool request, then the answer), not four.
    expect((await usageOf()).calls - before.calls).toBe(2);
  });
});

describe('keys are bound to the request and the caller', () => {
  it('answers 422 for the same key with another body, method or path, and changes nothing', async () => {
    const key = randomUUID();
    await send(alice, 'PUT', '/v1/memory', { fact: `original ${key}` }, key);

    const otherBody = await send(alice, 'PUT', '/v1/memory', { fact: `changed ${key}` }, key);
    const otherRoute = await send(
      alice,
      'POST',
      '/v1/documents',
      { title: 'x', content: 'y', visibility: 'private' },
      key,
    );

    expect([otherBody.status, otherRoute.status]).toEqual([422, 422]);
    expect(JSON.parse(otherBody.text).error.code).toBe('idempotency_key_reused');
    expect((await factsOf(alice)).filter((fact) => fact.fact === `changed ${key}`)).toHaveLength(0);
  });

  it('treats the same key from another user or another tenant as a new request', async () => {
    const key = randomUUID();

    const mine = await send(alice, 'PUT', '/v1/memory', { fact: `shared key ${key}` }, key);
    const bobs = await send(bob, 'PUT', '/v1/memory', { fact: `shared key ${key}` }, key);
    const carols = await send(carol, 'PUT', '/v1/memory', { fact: `shared key ${key}` }, key);

    expect([mine.status, bobs.status, carols.status]).toEqual([201, 201, 201]);
    expect(bobs.headers.get('idempotent-replayed')).toBeNull();
    expect(carols.headers.get('idempotent-replayed')).toBeNull();
    expect(new Set([mine.text, bobs.text, carols.text]).size).toBe(3);
    expect((await factsOf(bob)).filter((fact) => fact.fact === `shared key ${key}`)).toHaveLength(1);
  });

  it.each(['', ' ', 'a b', 'é', 'x'.repeat(256), '\t'])('answers 400 for the key %j', async (key) => {
    const answer = await send(alice, 'PUT', '/v1/memory', { fact: 'never stored' }, key);

    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.text).error.code).toMatch(/invalid_idempotency_key|bad_request/);
    expect((await factsOf(alice)).filter((fact) => fact.fact === 'never stored')).toHaveLength(0);
  });
});

/**
 * The tenant and operator routes the bench drives, one probe each: chat without a tool, with a
 * built-in tool, with a connector tool and streamed; memory; documents and search; connectors;
 * costs; an operator's tenant read. `seedBenchTenant` onboards the tenant they run in (through the
 * operator API, as the demo seed does) with one connector, the demo MCP ticket tracker, so every
 * chat lists it as it would in a real workspace.
 */
import { randomUUID } from 'node:crypto';
import { demoConnectorBody } from '../local/demo-seed.js';
import type { DemoIdentity } from '../local/emulators/jwt-issuer.js';

export const BENCH_TENANT = 'bench-calls';
export const OPERATOR: DemoIdentity = { sub: 'bench-ops', tenantId: 'platform', groups: ['operator'] };
/** Every tenant route runs as this user: a tenant admin, so costs and connectors are allowed too. */
export const TENANT_ADMIN: DemoIdentity = { sub: 'bench-analyst', tenantId: BENCH_TENANT, groups: ['admin'] };

/** One answered API request. */
export interface ApiAnswer {
  readonly headers: Headers;
  readonly text: string;
}

/** Sends one request to the API as `identity`; throws on a 4xx or 5xx answer. */
export type ApiCall = (
  identity: DemoIdentity,
  method: string,
  path: string,
  body?: unknown,
  headers?: Record<string, string>,
) => Promise<ApiAnswer>;

export interface RouteProbe {
  readonly name: string;
  readonly method: string;
  /** @default TENANT_ADMIN */
  readonly identity?: DemoIdentity;
  /** The path of the next call (may prepare what it needs first, e.g. an item to delete). */
  path(): string | Promise<string>;
  body?(): unknown;
  headers?(): Record<string, string>;
}

/** The demo ticket tracker the bench tenant's connector points at. */
export interface TrackerTarget {
  readonly url: string;
  readonly apiKey: string;
}

/** A chat turn whose message makes the stand-in model answer, or call a tool first ("use tool …"). */
function chat(name: string, message: string, path = '/v1/chat'): RouteProbe {
  return { name, method: 'POST', path: () => path, body: () => ({ message }) };
}

/** Onboards the bench tenant with its connector; returns the probes, which run in it. */
export async function seedBenchTenant(call: ApiCall, tracker: TrackerTarget): Promise<RouteProbe[]> {
  const replayKey = randomUUID();
  await call(OPERATOR, 'POST', '/v1/admin/tenants', {
    tenantId: BENCH_TENANT,
    name: 'Bench',
    tier: 'enterprise',
  });
  await call(TENANT_ADMIN, 'PUT', '/v1/memory', { fact: 'replayed' }, { 'idempotency-key': replayKey });
  await call(TENANT_ADMIN, 'POST', '/v1/connectors', { name: 'tracker', ...demoConnectorBody(tracker) });
  return [
    { name: 'GET /v1/me', method: 'GET', path: () => '/v1/me' },
    { name: 'GET /v1/memory', method: 'GET', path: () => '/v1/memory' },
    {
      name: 'PUT /v1/memory',
      method: 'PUT',
      path: () => '/v1/memory',
      body: () => ({ fact: `fact ${randomUUID()}` }),
    },
    {
      name: 'PUT /v1/memory with Idempotency-Key (first)',
      method: 'PUT',
      path: () => '/v1/memory',
      body: () => ({ fact: 'keyed' }),
      headers: () => ({ 'idempotency-key': randomUUID() }),
    },
    {
      name: 'PUT /v1/memory with Idempotency-Key (replay)',
      method: 'PUT',
      path: () => '/v1/memory',
      body: () => ({ fact: 'replayed' }),
      headers: () => ({ 'idempotency-key': replayKey }),
    },
    {
      name: 'DELETE /v1/memory/{id}',
      method: 'DELETE',
      path: async () =>
        `/v1/memory/${JSON.parse((await call(TENANT_ADMIN, 'PUT', '/v1/memory', { fact: 'to delete' })).text).id}`,
    },
    chat('POST /v1/chat (no tool)', 'hello'),
    chat('POST /v1/chat (one tool)', 'use tool recall {"query":"fact"}'),
    chat('POST /v1/chat/stream (no tool)', 'hello', '/v1/chat/stream'),
    {
      name: 'POST /v1/documents (2 KB)',
      method: 'POST',
      path: () => '/v1/documents',
      body: () => ({ title: 'Bench', content: 'word '.repeat(400), visibility: 'private' }),
    },
    chat('POST /v1/chat (one connector tool)', 'use tool tracker__list_tickets {}'),
    { name: 'GET /v1/connectors', method: 'GET', path: () => '/v1/connectors' },
    { name: 'POST /v1/search', method: 'POST', path: () => '/v1/search', body: () => ({ query: 'word' }) },
    { name: 'GET /v1/costs', method: 'GET', path: () => '/v1/costs' },
    {
      name: 'GET /v1/admin/tenants/{id} (operator)',
      method: 'GET',
      identity: OPERATOR,
      path: () => `/v1/admin/tenants/${BENCH_TENANT}`,
    },
  ];
}

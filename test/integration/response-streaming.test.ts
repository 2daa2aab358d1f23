/**
 * Lambda response streaming in the local API Gateway, against small fixture handlers (not the
 * platform's): the `awslambda` shim's prelude, incremental delivery, and failure behaviour.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RouteSpec } from '../../lib/template/local-resolution.js';
import {
  type ApiGateway,
  type GatewayRequestRecord,
  startApiGateway,
} from '../../local/api-gateway/api-gateway.js';
import { FunctionHost } from '../../local/api-gateway/function-host.js';
import { FunctionHosts } from '../../local/api-gateway/function-hosts.js';

/** Pause between the fixture's events: long enough to tell "as written" from "all at the end". */
const EVENT_GAP_MS = 300;

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const ROUTES: RouteSpec[] = [
  { method: 'ANY', path: '/{proxy+}', functionLogicalId: 'Streaming', streaming: true },
  { method: 'GET', path: '/not-streamed', functionLogicalId: 'Streaming', streaming: false },
  { method: 'GET', path: '/not-streamify', functionLogicalId: 'Buffered', streaming: true },
].map((route) => ({ ...route, restApiLogicalId: 'FixtureApi' }));
let hosts: FunctionHost[] = [];
let gateway: ApiGateway;
/** What the gateway recorded per request: its failures land here instead of on stderr. */
const records: GatewayRequestRecord[] = [];

beforeAll(async () => {
  hosts = await Promise.all([
    FunctionHost.start('streaming-fixture', fixture('streaming-handler.ts'), {}),
    FunctionHost.start('buffered-fixture', fixture('buffered-handler.ts'), {}),
  ]);
  const [streaming, buffered] = hosts;
  if (streaming === undefined || buffered === undefined) throw new Error('fixture functions did not start');
  gateway = await startApiGateway({
    routes: ROUTES,
    functions: new FunctionHosts(
      new Map([
        ['Streaming', streaming],
        ['Buffered', buffered],
      ]),
    ),
    settings: { responseTemplates: {}, responseHeaders: {}, authorizerCacheSeconds: 0 },
    region: 'us-east-1',
    accountId: '000000000000',
    onRequest: (record) => records.push(record),
  });
});

afterAll(async () => {
  await gateway?.stop();
  await Promise.all(hosts.map((host) => host.stop()));
});

const get = (path: string) => fetch(`${gateway.endpoint}${path}`);

/** The gateway's reason for the failed request to `path` (records arrive once the response closes). */
async function failureOf(path: string): Promise<string | undefined> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const record = records.find((candidate) => candidate.path === path);
    if (record !== undefined) return record.failure;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return undefined;
}

describe('a STREAM route', () => {
  it('passes server-sent events on as the handler writes them, with the prelude’s status and headers', async () => {
    const response = await get(`/sse?gapMs=${EVENT_GAP_MS}`);
    const reader = response.body?.getReader();
    if (reader === undefined) throw new Error('no body');
    const arrivals: { n: number; at: number; arrived: number }[] = [];
    let text = '';
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      text += new TextDecoder().decode(chunk.value);
      for (const match of text.matchAll(/data: (.*)\n\n/g)) {
        const data = JSON.parse(match[1] ?? '{}') as { n: number; at: number };
        if (!arrivals.some((seen) => seen.n === data.n)) arrivals.push({ ...data, arrived: Date.now() });
      }
    }

    expect(response.status).toBe(201);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    expect(response.headers.get('x-fixture')).toBe('sse');
    expect(response.headers.get('set-cookie')).toBe('flavour=oat');
    expect(arrivals.map((event) => event.n)).toEqual([1, 2, 3]);
    const [first, , last] = arrivals;
    // Buffered, the first event would arrive only after the handler wrote the last one.
    expect(first?.arrived).toBeLessThan(last?.at ?? 0);
    expect((last?.arrived ?? 0) - (first?.arrived ?? 0)).toBeGreaterThanOrEqual(2 * EVENT_GAP_MS - 100);
  });

  it('answers 200 with the content type a handler sets without a prelude', async () => {
    const response = await get('/plain');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain');
    expect(await response.text()).toBe('plain bytes');
  });

  it('sends the prelude of an empty body', async () => {
    const response = await get('/empty');
    expect(response.status).toBe(204);
  });

  it('completes a response the handler returned without ending', async () => {
    const response = await get('/unended');
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('left open');
  });

  it('answers 502 when the handler fails before writing anything', async () => {
    const response = await get('/fail-before');
    expect(response.status).toBe(502);
    expect(await failureOf('/fail-before')).toMatch(
      /streaming function Streaming failed: .*failed before writing/,
    );
  });

  it('cuts the response short when the handler fails mid-stream', async () => {
    const response = await get('/fail-after');
    expect(response.status).toBe(200);
    await expect(response.text()).rejects.toThrow();
  });
});

describe('a transfer-mode mismatch', () => {
  it('answers 502 for a streaming handler behind a BUFFERED route', async () => {
    expect((await get('/not-streamed')).status).toBe(502);
    expect(await failureOf('/not-streamed')).toMatch(/the route is not a STREAM integration/);
  });

  it('answers 502 for a plain handler behind a STREAM route', async () => {
    expect((await get('/not-streamify')).status).toBe(502);
    expect(await failureOf('/not-streamify')).toMatch(/the handler is not awslambda\.streamifyResponse/);
  });
});

/**
 * The AWS calls each route makes, counted at a local cloud's front door (every signed call the
 * functions make: STS, DynamoDB, S3, S3 Vectors, Bedrock, Secrets Manager). In the cloud these
 * calls are the cost and most of the latency of a request. Each route is called several times
 * after a warm-up (tenant sessions and registry records cached, as in a warm Lambda), one at a
 * time, and the median count is kept, with the median wall time on this machine. Used by the
 * bench (bench/aws-calls.ts) and by the test that pins the counts.
 */
import { randomUUID } from 'node:crypto';
import { startTicketTracker } from '../local/demo-mcp/ticket-tracker.js';
import { demoConnectorBody } from '../local/demo-seed.js';
import { startLocalCloud } from '../local/local-cloud.js';

const TENANT = 'bench-calls';
const OPERATOR = { sub: 'bench-ops', tenantId: 'platform', groups: ['operator'] };
const ANALYST = { sub: 'bench-analyst', tenantId: TENANT, groups: ['admin'] };

export interface RouteCalls {
  readonly route: string;
  readonly awsCalls: number;
  readonly medianMs: number;
}

export interface AwsCallMeasurement {
  readonly results: readonly RouteCalls[];
  readonly callsByService: Readonly<Record<string, number>>;
}

interface Probe {
  readonly name: string;
  readonly method: string;
  path(): string | Promise<string>;
  body?(): unknown;
  headers?(): Record<string, string>;
}

const median = (values: readonly number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

/** Starts a local cloud of its own (so every call it counts is the probes'), measures each route, stops it. */
export async function measureAwsCallsPerRoute(
  samples: number,
  onRoute: (result: RouteCalls) => void = () => undefined,
): Promise<AwsCallMeasurement> {
  // The tenant has one connector (the demo MCP tracker): every chat lists it (one Query).
  const trackerKey = `bench-${randomUUID()}`;
  const tracker = await startTicketTracker({ apiKey: trackerKey });
  let calls = 0;
  const byService = new Map<string, number>();
  const cloud = await startLocalCloud({
    echoFunctionLogs: false,
    onAwsCall: (service) => {
      calls += 1;
      byService.set(service, (byService.get(service) ?? 0) + 1);
    },
  });
  // One token per caller, as a client keeps it: API Gateway's authorizer cache answers after the first call.
  const tokens = new Map<typeof OPERATOR, Promise<string>>();
  async function request(
    identity: typeof OPERATOR,
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) {
    let token = tokens.get(identity);
    if (token === undefined) {
      token = cloud.issuer.mint(identity);
      tokens.set(identity, token);
    }
    const response = await fetch(`${cloud.apiEndpoint}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${await token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (response.status >= 400) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return text;
  }

  const replayKey = randomUUID();
  const probes: Probe[] = [
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
        `/v1/memory/${JSON.parse(await request(ANALYST, 'PUT', '/v1/memory', { fact: 'to delete' })).id}`,
    },
    {
      name: 'POST /v1/chat (no tool)',
      method: 'POST',
      path: () => '/v1/chat',
      body: () => ({ message: 'hello' }),
    },
    {
      name: 'POST /v1/chat (one tool)',
      method: 'POST',
      path: () => '/v1/chat',
      body: () => ({ message: 'use tool recall {"query":"fact"}' }),
    },
    {
      name: 'POST /v1/documents (2 KB)',
      method: 'POST',
      path: () => '/v1/documents',
      body: () => ({ title: 'Bench', content: 'word '.repeat(400), visibility: 'private' }),
    },
    {
      name: 'POST /v1/chat (one connector tool)',
      method: 'POST',
      path: () => '/v1/chat',
      body: () => ({ message: 'use tool tracker__list_tickets {}' }),
    },
    { name: 'GET /v1/connectors', method: 'GET', path: () => '/v1/connectors' },
    { name: 'POST /v1/search', method: 'POST', path: () => '/v1/search', body: () => ({ query: 'word' }) },
    { name: 'GET /v1/costs', method: 'GET', path: () => '/v1/costs' },
  ];

  try {
    await request(OPERATOR, 'POST', '/v1/admin/tenants', {
      tenantId: TENANT,
      name: 'Bench',
      tier: 'enterprise',
    });
    await request(ANALYST, 'PUT', '/v1/memory', { fact: 'replayed' }, { 'idempotency-key': replayKey });
    await request(ANALYST, 'POST', '/v1/connectors', {
      name: 'tracker',
      ...demoConnectorBody({ url: tracker.url, apiKey: trackerKey }),
    });
    const results: RouteCalls[] = [];
    for (const probe of probes) {
      const counts: number[] = [];
      const millis: number[] = [];
      for (let sample = 0; sample <= samples; sample += 1) {
        const path = await probe.path();
        const before = calls;
        const started = performance.now();
        await request(ANALYST, probe.method, path, probe.body?.(), probe.headers?.());
        // The first call warms the route (sessions, registry cache); it is not counted.
        if (sample > 0) {
          millis.push(performance.now() - started);
          counts.push(calls - before);
        }
      }
      const result = {
        route: probe.name,
        awsCalls: median(counts),
        medianMs: Number(median(millis).toFixed(1)),
      };
      results.push(result);
      onRoute(result);
    }
    return { results, callsByService: Object.fromEntries(byService) };
  } finally {
    await Promise.all([cloud.stop(), tracker.close()]);
  }
}

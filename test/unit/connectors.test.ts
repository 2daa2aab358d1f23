/**
 * Connectors without the local cloud: the definition schemas, the store (through the real
 * scoped table and the tenant's secrets, with the real MCP ticket tracker on loopback), the
 * connector tools (role map, schema check, guard rails, untrusted answers), HTTP operations and
 * the ajv schema compiler. The local-cloud tests (test/integration/connectors.test.ts) add IAM.
 */
import { createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { RateLimitedError } from '../../lambdas/admission/errors.js';
import { catalogFor } from '../../lambdas/agent/tool-catalog.js';
import { runToolUse } from '../../lambdas/agent/tool-runner.js';
import { httpConnectorClient } from '../../lambdas/connectors/connector-client.js';
import {
  ConnectorBodySchema,
  MAX_CONNECTORS_PER_TENANT,
  NewConnectorSchema,
  type StoredConnector,
} from '../../lambdas/connectors/connector-definition.js';
import {
  authHeaders,
  type ConnectorCallGuard,
  connectorTools,
} from '../../lambdas/connectors/connector-tools.js';
import { compiledToolSchema } from '../../lambdas/connectors/tool-schema.js';
import { requestContext } from '../../lambdas/tenancy/request-context.js';
import { startTicketTracker, type TicketTracker } from '../../local/demo-mcp/ticket-tracker.js';
import { closeServer, listenOnLoopback } from '../../local/net.js';
import { ADA_ADMIN, ALICE_ANALYST, apiHarness, BOB_READER } from './support/api-harness.js';
import { TEST_CONFIG } from './support/fake-runtime.js';

const LOCAL = { ...TEST_CONFIG, connectorAllowLoopback: true };
const KEY = 'tracker-key-0123456789';
const SECRET_NAME = 'bulkhead/tenants/acme/connectors/tracker';
let tracker: TicketTracker;

beforeAll(async () => {
  tracker = await startTicketTracker({ apiKey: KEY });
});
afterAll(async () => {
  await tracker.close();
});

const body = (extra: Record<string, unknown> = {}) => ({
  kind: 'mcp',
  // Definitions are also built at collection time, before the tracker listens.
  url: tracker?.url ?? 'https://tracker.example.com/mcp',
  auth: { type: 'api_key', value: KEY },
  tools: [
    { name: 'list_tickets', roles: ['reader', 'analyst', 'admin'] },
    { name: 'close_ticket', roles: ['admin'], requiresApproval: true },
  ],
  ...extra,
});

describe('a connector definition', () => {
  const valid = { name: 'tracker', ...body() };

  it('takes an MCP server and an HTTP API with its operations', () => {
    expect(NewConnectorSchema.safeParse(valid).success).toBe(true);
    const http = NewConnectorSchema.safeParse({
      name: 'billing',
      kind: 'http',
      url: 'https://billing.example.com/api',
      auth: { type: 'none' },
      operations: [
        {
          name: 'get_invoice',
          description: 'One invoice',
          method: 'GET',
          path: '/invoices/{id}',
          inputSchema: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
          readOnly: true,
        },
      ],
      tools: [{ name: 'get_invoice', roles: ['analyst'] }],
    });
    expect(http.success).toBe(true);
    expect(ConnectorBodySchema.safeParse(body()).success).toBe(true);
  });

  it.each([
    ['an upper-case name', { name: 'Tracker' }],
    ['an underscore in the name (it separates the namespace)', { name: 'my_tracker' }],
    ['a name longer than 24', { name: 'a'.repeat(25) }],
    ['a dotted tool name (Bedrock refuses it)', { tools: [{ name: 'tickets.list', roles: ['admin'] }] }],
    [
      'a tool listed twice',
      {
        tools: [
          { name: 'list_tickets', roles: ['admin'] },
          { name: 'list_tickets', roles: ['reader'] },
        ],
      },
    ],
    ['the operator role', { tools: [{ name: 'list_tickets', roles: ['operator'] }] }],
    ['no role', { tools: [{ name: 'list_tickets', roles: [] }] }],
    ['no tools', { tools: [] }],
    ['the transport’s own header', { auth: { type: 'api_key', header: 'Host', value: KEY } }],
    ['a key too short to be one', { auth: { type: 'api_key', value: 'short' } }],
    ['a timeout above 30 s', { timeoutMs: 60_000 }],
    ['a response cap above 1 MiB', { maxResponseBytes: 2 ** 21 }],
    ['operations on an MCP connector', { operations: [] }],
    ['a tenant id', { tenantId: 'globex' }],
  ])('refuses %s', (_label, change) => {
    expect(NewConnectorSchema.safeParse({ ...valid, ...change }).success).toBe(false);
  });
});

describe('connectors through the tenant API', () => {
  it('keep the key in the tenant’s secret, never in the record or an answer', async () => {
    const api = apiHarness({ config: LOCAL });

    const created = await api.call(ADA_ADMIN, 'POST', '/v1/connectors', { name: 'tracker', ...body() });

    expect(created.statusCode).toBe(201);
    expect(api.secrets.values.get(SECRET_NAME)).toBe(KEY);
    const stored = api.table.partition('acme#t#connectors');
    expect(stored).toHaveLength(1);
    expect(JSON.stringify(stored)).not.toContain(KEY);
    expect(JSON.stringify(stored)).toContain(SECRET_NAME);
    expect(created.body).not.toContain(KEY);
    expect(created.body).not.toContain(SECRET_NAME);
  });

  it('keep the stored key on an update that leaves it out, replace it when given, remove it with the connector', async () => {
    const api = apiHarness({ config: LOCAL });
    await api.call(ADA_ADMIN, 'POST', '/v1/connectors', { name: 'tracker', ...body() });

    const kept = await api.call(
      ADA_ADMIN,
      'PUT',
      '/v1/connectors/tracker',
      body({ auth: { type: 'api_key' }, timeoutMs: 2_000 }),
    );
    const keptKey = api.secrets.values.get(SECRET_NAME);
    const wrongKey = await api.call(
      ADA_ADMIN,
      'PUT',
      '/v1/connectors/tracker',
      body({ auth: { type: 'api_key', value: 'a-wrong-key-123' } }),
    );
    const keyAfterRefusal = api.secrets.values.get(SECRET_NAME);
    const deleted = await api.call(ADA_ADMIN, 'DELETE', '/v1/connectors/tracker');
    const again = await api.call(ADA_ADMIN, 'DELETE', '/v1/connectors/tracker');

    expect([kept.statusCode, kept.json.timeoutMs, keptKey]).toEqual([200, 2_000, KEY]);
    // The wrong key fails discovery: nothing changes, the old key stays.
    expect([wrongKey.statusCode, wrongKey.json.error.code, keyAfterRefusal]).toEqual([
      422,
      'connector_unusable',
      KEY,
    ]);
    expect([deleted.statusCode, again.statusCode]).toEqual([204, 404]);
    expect(api.secrets.values.has(SECRET_NAME)).toBe(false);
    expect(api.table.partition('acme#t#connectors')).toEqual([]);
  });

  it('drop the key when a connector switches to no auth', async () => {
    const open = await startTicketTracker();
    try {
      const api = apiHarness({ config: LOCAL });
      await api.call(ADA_ADMIN, 'POST', '/v1/connectors', { name: 'tracker', ...body() });

      const switched = await api.call(
        ADA_ADMIN,
        'PUT',
        '/v1/connectors/tracker',
        body({ url: open.url, auth: { type: 'none' } }),
      );

      expect(switched.statusCode).toBe(200);
      expect(api.secrets.values.has(SECRET_NAME)).toBe(false);
    } finally {
      await open.close();
    }
  });

  it(`stop at ${MAX_CONNECTORS_PER_TENANT} connectors per tenant (409)`, async () => {
    const api = apiHarness({ config: LOCAL });
    const open = await startTicketTracker();
    try {
      for (let n = 0; n < MAX_CONNECTORS_PER_TENANT; n += 1) {
        const made = await api.call(ADA_ADMIN, 'POST', '/v1/connectors', {
          name: `c${n}`,
          ...body({ url: open.url, auth: { type: 'none' } }),
        });
        expect(made.statusCode).toBe(201);
      }
      const over = await api.call(ADA_ADMIN, 'POST', '/v1/connectors', {
        name: 'one-more',
        ...body({ url: open.url, auth: { type: 'none' } }),
      });

      expect([over.statusCode, over.json.error.code]).toEqual([409, 'connector_conflict']);
      expect((await api.call(ADA_ADMIN, 'GET', '/v1/connectors')).json.connectors).toHaveLength(
        MAX_CONNECTORS_PER_TENANT,
      );
    } finally {
      await open.close();
    }
  });

  it('refuse a loopback connector in the cloud (no private or loopback address there)', async () => {
    const api = apiHarness();

    const refused = await api.call(ADA_ADMIN, 'POST', '/v1/connectors', { name: 'tracker', ...body() });

    expect([refused.statusCode, refused.json.error.code]).toEqual([422, 'invalid_connector_url']);
    expect(api.secrets.values.size).toBe(0);
    expect(tracker.calls()).toEqual([]);
  });

  it('refuse a per-user OAuth connector whose issuer is not a URL it may call', async () => {
    const api = apiHarness({ config: LOCAL });
    const oauthBody = (issuer: string) =>
      body({
        auth: {
          type: 'oauth_user',
          authorizationUrl: 'https://auth.example.com/authorize',
          tokenUrl: 'https://auth.example.com/token',
          issuer,
          clientId: 'bulkhead',
          scopes: [],
        },
      });

    const [notUrl, plainHttp] = await Promise.all([
      api.call(ADA_ADMIN, 'POST', '/v1/connectors', { name: 'mine', ...oauthBody('not a url') }),
      api.call(ADA_ADMIN, 'POST', '/v1/connectors', {
        name: 'ours',
        ...oauthBody('http://auth.example.com'),
      }),
    ]);

    expect([notUrl.statusCode, notUrl.json.error.code]).toEqual([422, 'invalid_connector_url']);
    expect([plainHttp.statusCode, plainHttp.json.error.code]).toEqual([422, 'invalid_connector_url']);
    expect((await api.call(ADA_ADMIN, 'GET', '/v1/connectors')).json.connectors).toEqual([]);
  });

  it('serve an analyst’s agent the tools the map gives the analyst, and run them', async () => {
    const api = apiHarness({ config: LOCAL });
    await api.call(ADA_ADMIN, 'POST', '/v1/connectors', { name: 'tracker', ...body() });

    const answer = await api.call(ALICE_ANALYST, 'POST', '/v1/chat', {
      message: 'use tool tracker__list_tickets {}',
    });

    expect(answer.json.toolCalls).toEqual([{ name: 'tracker__list_tickets', status: 'success' }]);
    expect(tracker.calls().at(-1)).toEqual({ tool: 'list_tickets', args: {}, owner: 'shared' });
  });
});

describe('connector tools', () => {
  const context = (roles: string[], tenantId = 'acme') =>
    requestContext({
      tenantId,
      userId: 'u1',
      roles,
      tier: 'basic',
      requestId: 'req-1',
      tenantTag: `t_${'0'.repeat(32)}`,
    });
  const stored = (): StoredConnector => ({
    name: 'tracker',
    kind: 'mcp',
    url: tracker.url,
    auth: { type: 'api_key', header: 'authorization', scheme: 'bearer', secretName: SECRET_NAME },
    tools: [
      { name: 'list_tickets', roles: ['analyst', 'admin'] },
      { name: 'close_ticket', roles: ['admin'], requiresApproval: true },
    ],
    discovered: [
      {
        name: 'list_tickets',
        description: 'Lists tickets',
        inputSchema: { type: 'object', properties: {} },
        sideEffects: false,
      },
      {
        name: 'close_ticket',
        description: 'Closes a ticket',
        inputSchema: {
          type: 'object',
          properties: { id: { type: 'string' } },
          required: ['id'],
          additionalProperties: false,
        },
        sideEffects: true,
      },
    ],
    timeoutMs: 2_000,
    maxResponseBytes: 65_536,
    updatedAt: '2026-12-01T00:00:00.000Z',
  });
  const harness = (limiter: ConnectorCallGuard['limiter'] = { admit: vi.fn(async () => undefined) }) => {
    const guard = {
      context: { tenantTag: `t_${'0'.repeat(32)}`, requestId: 'req-1', userId: 'alice' },
      limiter,
      callsPerMinute: 10,
      metering: {
        meterConnectorCall: vi.fn(
          async (_context: unknown, _call: { callIndex: number }) => 'recorded' as const,
        ),
      },
      logger: {
        info: vi.fn((_message: string, _fields?: Record<string, unknown>) => undefined),
        error: vi.fn(),
      },
    };
    const secrets = { get: vi.fn(async (_secretName: string) => KEY) };
    const tools = connectorTools([stored()], {
      headersFor: (connector) => authHeaders(connector.auth, secrets),
      policy: { allowLoopback: true },
      guard,
    });
    const services = {
      documents: { search: vi.fn(), delete: vi.fn() },
      memory: { list: vi.fn(), remember: vi.fn() },
      usage: { current: vi.fn() },
      audit: { note: vi.fn(async () => undefined) },
    };
    return { guard, tools, services, secrets };
  };

  it('carry the connector’s role map, side effects and approval flag into the catalog', () => {
    const { tools } = harness();

    const names = (roles: string[], tenantId?: string) =>
      catalogFor(context(roles, tenantId), {}, tools).map((tool) => tool.name);

    expect(names(['reader'])).toEqual([]);
    expect(names(['analyst'])).toEqual(['tracker__list_tickets']);
    expect(names(['admin'])).toEqual(['tracker__list_tickets', 'tracker__close_ticket']);
    expect(names(['admin'], 'platform')).toEqual([]);
    expect(tools.map((tool) => [tool.name, tool.sideEffects, tool.requiresApproval])).toEqual([
      ['tracker__list_tickets', false, false],
      ['tracker__close_ticket', true, true],
    ]);
  });

  it('check the input against the pinned schema before calling, and refuse a role the map leaves out', async () => {
    const { tools, services } = harness();
    const before = tracker.calls().length;

    const invalid = await runToolUse(
      context(['admin']),
      { toolUseId: 'u', name: 'tracker__close_ticket', input: { id: 7 } },
      services,
      { tools },
    );
    const extra = await runToolUse(
      context(['admin']),
      { toolUseId: 'u', name: 'tracker__close_ticket', input: { id: 'T-1', tenantId: 'globex' } },
      services,
      { tools },
    );
    const refused = await runToolUse(
      context(['analyst']),
      { toolUseId: 'u', name: 'tracker__close_ticket', input: { id: 'T-1' } },
      services,
      { tools },
    );

    expect([invalid.call.status, extra.call.status, refused.call.status]).toEqual([
      'invalid',
      'invalid',
      'refused',
    ]);
    expect(tracker.calls()).toHaveLength(before);
  });

  it('meter each call, log only its outcome and latency, and hand the answer back as untrusted data', async () => {
    const { tools, services, guard, secrets } = harness();

    const first = await runToolUse(
      context(['analyst']),
      { toolUseId: 'u1', name: 'tracker__list_tickets', input: {} },
      services,
      { tools },
    );
    const second = await runToolUse(
      context(['admin']),
      { toolUseId: 'u2', name: 'tracker__close_ticket', input: { id: 'T-404' } },
      services,
      { tools },
    );

    expect(first.call.status).toBe('success');
    expect(JSON.stringify(first.result)).toContain('untrusted data');
    expect(JSON.stringify(first.result)).toContain('VPN drops every hour');
    // The tracker answers an unknown id with isError: a tool error, in our words.
    expect(second.call.status).toBe('failed');
    expect(JSON.stringify(second.result)).toContain('the connector call failed: tool error');
    expect(guard.metering.meterConnectorCall.mock.calls.map(([, call]) => call.callIndex)).toEqual([0, 1]);
    // One key read per request, whatever the number of calls.
    expect(secrets.get.mock.calls).toEqual([[SECRET_NAME]]);
    const logged = guard.logger.info.mock.calls.map(([message, fields]) => [
      message,
      Object.keys(fields ?? {}).sort(),
    ]);
    expect(logged).toEqual([
      ['connector call', ['latencyMs', 'outcome', 'requestId', 'tenantTag']],
      ['connector call', ['latencyMs', 'outcome', 'requestId', 'tenantTag']],
    ]);
    expect(JSON.stringify(guard.logger.info.mock.calls)).not.toMatch(/tracker|T-404|list_tickets/);
  });

  it('answer a call over the tenant’s connector rate with a tool error, without calling', async () => {
    const { tools, services, guard } = harness({
      admit: vi.fn(async () => {
        throw new RateLimitedError('tenant', 12);
      }),
    });
    const before = tracker.calls().length;

    const run = await runToolUse(
      context(['analyst']),
      { toolUseId: 'u', name: 'tracker__list_tickets', input: {} },
      services,
      { tools },
    );

    expect(run.call.status).toBe('failed');
    expect(JSON.stringify(run.result)).toContain('too many requests');
    expect(tracker.calls()).toHaveLength(before);
    expect(guard.metering.meterConnectorCall).not.toHaveBeenCalled();
  });
});

describe('an HTTP connector', () => {
  const seen: { method: string; url: string; body: string; auth: string | undefined }[] = [];
  const server = createServer((incoming, outgoing) => {
    let text = '';
    incoming.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    incoming.on('end', () => {
      seen.push({
        method: incoming.method ?? '',
        url: incoming.url ?? '',
        body: text,
        auth: incoming.headers['x-api-key'] as string | undefined,
      });
      if (incoming.url?.startsWith('/api/broken')) {
        outgoing.writeHead(500, { 'content-type': 'application/json' }).end('{"message":"down"}');
        return;
      }
      outgoing
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ ok: true, echo: incoming.url }));
    });
  });
  let base: string;
  beforeAll(async () => {
    base = `http://127.0.0.1:${await listenOnLoopback(server, 0)}/api`;
  });
  afterAll(() => closeServer(server));

  const client = () =>
    httpConnectorClient(
      {
        url: base,
        headers: { 'x-api-key': KEY },
        policy: { allowLoopback: true },
        limits: { timeoutMs: 2_000, maxResponseBytes: 4_096 },
      },
      [
        {
          name: 'get_invoice',
          description: 'One invoice',
          method: 'GET',
          path: '/invoices/{id}',
          inputSchema: { type: 'object' },
          readOnly: true,
        },
        {
          name: 'pay',
          description: 'Pays',
          method: 'POST',
          path: '/invoices/{id}/pay',
          inputSchema: { type: 'object' },
        },
        {
          name: 'broken',
          description: 'Fails',
          method: 'GET',
          path: '/broken',
          inputSchema: { type: 'object' },
        },
      ],
    );

  it('lists its operations as tools, read-only only where declared', async () => {
    expect((await client().listTools()).map((tool) => [tool.name, tool.sideEffects])).toEqual([
      ['get_invoice', false],
      ['pay', true],
      ['broken', true],
    ]);
  });

  it('fills path parameters (encoded), sends the rest as query or JSON body, with the key header', async () => {
    const signal = AbortSignal.timeout(2_000);
    const read = await client().callTool('get_invoice', { id: '../a b', expand: 'lines' }, signal);
    const paid = await client().callTool('pay', { id: 'INV-1', amount: 5 }, signal);

    expect(read).toEqual({
      isError: false,
      content: { text: '', structured: { ok: true, echo: '/api/invoices/..%2Fa%20b?expand=lines' } },
    });
    expect(paid.isError).toBe(false);
    expect(seen.slice(-2)).toEqual([
      { method: 'GET', url: '/api/invoices/..%2Fa%20b?expand=lines', body: '', auth: KEY },
      { method: 'POST', url: '/api/invoices/INV-1/pay', body: '{"amount":5}', auth: KEY },
    ]);
  });

  it('reports an error status as a failed call', async () => {
    expect((await client().callTool('broken', {}, AbortSignal.timeout(2_000))).isError).toBe(true);
  });
});

describe('a connector tool’s input schema', () => {
  it('accepts what the schema allows and says why it refuses the rest', () => {
    const parse = compiledToolSchema({
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      properties: { id: { type: 'string', pattern: '^T-[0-9]+$' } },
      required: ['id'],
      additionalProperties: false,
    });

    expect(parse({ id: 'T-1' })).toEqual({ success: true, data: { id: 'T-1' } });
    expect(parse({ id: 'X' })).toMatchObject({ success: false, error: expect.stringContaining('pattern') });
    expect(parse({ id: 'T-1', tenantId: 'globex' })).toMatchObject({ success: false });
    expect(parse(['T-1'])).toEqual({ success: false, error: 'the input must be a JSON object' });
  });

  it('refuses a schema that does not compile (422 at registration)', () => {
    expect(() =>
      compiledToolSchema({ type: 'object', properties: { id: { type: 'no-such-type' } } }),
    ).toThrow(expect.objectContaining({ status: 422, code: 'invalid_tool_schema' }));
  });
});

describe('the authorization walk for connector routes', () => {
  it('leaves readers and analysts out of every connector route', async () => {
    const api = apiHarness({ config: LOCAL });
    for (const caller of [BOB_READER, ALICE_ANALYST]) {
      const answers = await Promise.all([
        api.call(caller, 'GET', '/v1/connectors'),
        api.call(caller, 'POST', '/v1/connectors', { name: 'tracker', ...body() }),
        api.call(caller, 'DELETE', '/v1/connectors/tracker'),
      ]);
      expect(answers.map((answer) => answer.statusCode)).toEqual([403, 403, 403]);
    }
    expect(api.secrets.values.size).toBe(0);
  });
});

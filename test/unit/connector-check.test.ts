/**
 * "Test connection" (`checkConnector`, issue 15) against real loopback servers: an HTTP API
 * connector is reached at its base URL with its stored headers (its tools are its declared
 * operations); whatever goes wrong on the connector's side is `ok: false` and a reason, never a
 * throw.
 */
import { createServer, type IncomingHttpHeaders, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ResourceNotFoundException } from '@aws-sdk/client-secrets-manager';
import { afterEach, describe, expect, it } from 'vitest';
import { RateLimitedError } from '../../lambdas/admission/errors.js';
import { checkConnector } from '../../lambdas/connectors/connector-check.js';
import type { StoredConnector } from '../../lambdas/connectors/connector-definition.js';
import { TenantSecrets } from '../../lambdas/connectors/tenant-secrets.js';
import type { TenantId } from '../../lambdas/tenancy/key-layout.js';

const LOCAL = { allowLoopback: true };
const CLOUD = { allowLoopback: false };

const servers: ReturnType<typeof createServer>[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** A real loopback HTTP server; records the requests it was sent. */
async function serve(handler: RequestListener) {
  const requests: Array<{ method: string; url: string; headers: IncomingHttpHeaders }> = [];
  const server = createServer((request, response) => {
    requests.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers });
    handler(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

const answer =
  (status: number): RequestListener =>
  (_request, response) =>
    response.writeHead(status, { 'content-type': 'application/json' }).end('{}');

const operation = (name: string) => ({
  name,
  description: `The ${name} operation`,
  method: 'GET' as const,
  path: `/${name}`,
  inputSchema: { type: 'object' as const },
  readOnly: true,
});

const httpConnector = (url: string, auth: StoredConnector['auth'] = { type: 'none' }): StoredConnector => ({
  name: 'crm',
  kind: 'http',
  url,
  auth,
  tools: [
    { name: 'find_customer', roles: ['analyst'] },
    { name: 'delete_customer', roles: ['admin'] },
  ],
  operations: [operation('find_customer'), operation('list_orders')],
  discovered: [],
  timeoutMs: 1_000,
  maxResponseBytes: 65_536,
  updatedAt: '2026-12-01T00:00:00.000Z',
});
const apiKeyAuth = { type: 'api_key', header: 'X-Api-Key', scheme: 'raw', secretName: 's' } as const;
const noSecrets = { get: async () => 'unused' };
/** The deadline of a test that has none to meet. */
const NO_DEADLINE = new AbortController().signal;
/** A guard that admits every call and meters nowhere (the guard's own tests are below). */
const openGuard = {
  context: { tenantTag: 't-1', requestId: 'req-1', userId: 'ada' },
  limiter: { admit: async () => undefined },
  callsPerMinute: 30,
  metering: { meterConnectorCall: async () => 'recorded' as const },
  logger: { info: () => undefined, error: () => undefined },
};

describe('checkConnector, an HTTP API connector', () => {
  it('reaches the base URL with the stored key, lists the operations and names the exposed ones gone', async () => {
    const api = await serve(answer(404));

    const result = await checkConnector(httpConnector(`${api.url}/api`, apiKeyAuth), {
      secrets: { get: async () => 'the-key' },
      policy: LOCAL,
      guard: openGuard,
      signal: NO_DEADLINE,
    });

    expect(result).toEqual({
      ok: true,
      checked: 'tools',
      tools: ['find_customer', 'list_orders'],
      missingTools: ['delete_customer'],
    });
    expect(api.requests).toMatchObject([{ method: 'GET', url: '/api', headers: { 'x-api-key': 'the-key' } }]);
  });

  it('answers ok: false when nothing answers at the base URL', async () => {
    const result = await checkConnector(httpConnector('https://nonexistent.invalid/api'), {
      secrets: noSecrets,
      policy: CLOUD,
      guard: openGuard,
      signal: NO_DEADLINE,
    });
    expect(result).toMatchObject({ ok: false, checked: 'tools', reason: 'address' });
  });

  it.each([401, 403])('answers a %i as a credential refused', async (status) => {
    const api = await serve(answer(status));
    const result = await checkConnector(httpConnector(api.url, apiKeyAuth), {
      secrets: noSecrets,
      policy: LOCAL,
      guard: openGuard,
      signal: NO_DEADLINE,
    });
    expect(result).toMatchObject({ ok: false, checked: 'tools', reason: 'credential' });
  });

  it('answers a 5xx as the API failing', async () => {
    const api = await serve(answer(502));
    const result = await checkConnector(httpConnector(api.url), {
      secrets: noSecrets,
      policy: LOCAL,
      guard: openGuard,
      signal: NO_DEADLINE,
    });
    expect(result).toMatchObject({ ok: false, checked: 'tools', reason: 'http_status' });
  });

  it('answers ok: false for a URL the platform may not call, rather than throwing', async () => {
    const result = await checkConnector(httpConnector('http://127.0.0.1:9/api'), {
      secrets: noSecrets,
      policy: CLOUD,
      guard: openGuard,
      signal: NO_DEADLINE,
    });
    expect(result).toMatchObject({ ok: false, checked: 'tools', reason: 'address' });
  });
});

describe('checkConnector, a per-user OAuth connector', () => {
  const oauthConnector = (issuer: string): StoredConnector => ({
    ...httpConnector('https://crm.example.com/api'),
    kind: 'mcp',
    operations: undefined,
    auth: {
      type: 'oauth_user',
      authorizationUrl: 'https://auth.example.com/authorize',
      tokenUrl: 'https://auth.example.com/token',
      issuer,
      clientId: 'bulkhead',
      scopes: [],
    },
  });

  it('answers ok: false for a stored issuer that is not a URL (stored before registration checked it)', async () => {
    const result = await checkConnector(oauthConnector('not a url'), {
      secrets: noSecrets,
      policy: CLOUD,
      guard: openGuard,
      signal: NO_DEADLINE,
    });
    expect(result).toMatchObject({ ok: false, checked: 'authorization_server', reason: expect.any(String) });
  });
});

describe('checkConnector, an API-key connector whose key cannot be read', () => {
  const secretsAnswering = (fault: () => never | { SecretString?: string }) =>
    new TenantSecrets({ send: async () => fault() } as never, 'bulkhead', 'acme' as TenantId);
  const keyed = httpConnector('http://127.0.0.1:9/api', apiKeyAuth);

  it('answers ok: false, reason credential, for a deleted secret or one with no string value', async () => {
    const deleted = secretsAnswering(() => {
      throw new ResourceNotFoundException({ message: 'gone', $metadata: {} });
    });
    const binary = secretsAnswering(() => ({}));
    for (const secrets of [deleted, binary])
      expect(
        await checkConnector(keyed, { secrets, policy: LOCAL, guard: openGuard, signal: NO_DEADLINE }),
      ).toMatchObject({
        ok: false,
        checked: 'tools',
        reason: 'credential',
      });
  });

  it('lets a throttled Secrets Manager through as the dependency fault it is (a 503 upstream)', async () => {
    const throttled = secretsAnswering(() => {
      throw Object.assign(new Error('slow down'), { name: 'ThrottlingException', $metadata: {} });
    });
    await expect(
      checkConnector(keyed, { secrets: throttled, policy: LOCAL, guard: openGuard, signal: NO_DEADLINE }),
    ).rejects.toMatchObject({
      name: 'ThrottlingException',
    });
  });
});

describe('checkConnector, as a connector call', () => {
  const context = { tenantTag: 't-1', requestId: 'req-1', userId: 'ada' };
  const guardOf = (admit: () => Promise<void>) => {
    const metered: unknown[] = [];
    const guard = {
      context,
      limiter: { admit },
      callsPerMinute: 30,
      metering: {
        meterConnectorCall: async (_context: unknown, call: unknown) => {
          metered.push(call);
          return 'recorded' as const;
        },
      },
      logger: { info: () => undefined, error: () => undefined },
    };
    return { guard, metered };
  };

  it('is admitted by the tenant’s connector-call limit and metered once, even when it fails', async () => {
    const api = await serve(answer(502));
    const admitted: number[] = [];
    const { guard, metered } = guardOf(async () => {
      admitted.push(1);
    });

    const result = await checkConnector(httpConnector(api.url), {
      secrets: noSecrets,
      policy: LOCAL,
      guard,
      signal: NO_DEADLINE,
    });

    expect(result).toMatchObject({ ok: false, reason: 'http_status' });
    expect(admitted).toEqual([1]);
    expect(metered).toEqual([
      { requestId: 'req-1', callIndex: 0, connector: 'crm', latencyMs: expect.any(Number) },
    ]);
  });

  it('is refused over the limit (a 429), before the connector is reached', async () => {
    const api = await serve(answer(200));
    const { guard, metered } = guardOf(async () => {
      throw new RateLimitedError('tenant', 12);
    });

    await expect(
      checkConnector(httpConnector(api.url), {
        secrets: noSecrets,
        policy: LOCAL,
        guard,
        signal: NO_DEADLINE,
      }),
    ).rejects.toBeInstanceOf(RateLimitedError);
    expect(api.requests).toEqual([]);
    expect(metered).toEqual([]);
  });
});

describe('checkConnector, bounded as a whole', () => {
  // Servers that take the request and never answer; each connector step alone would wait 10 s.
  const hanging = () => serve(() => undefined);
  const slow = (connector: StoredConnector): StoredConnector => ({ ...connector, timeoutMs: 10_000 });

  it.each([
    ['an HTTP API', (url: string) => slow(httpConnector(url))],
    [
      'an MCP server',
      (url: string) => slow({ ...httpConnector(`${url}/mcp`), kind: 'mcp', operations: undefined }),
    ],
  ])(
    'answers ok: false, reason timeout, when %s is still silent at the deadline',
    async (_kind, connectorAt) => {
      const server = await hanging();
      const started = Date.now();

      const result = await checkConnector(connectorAt(server.url), {
        secrets: noSecrets,
        policy: LOCAL,
        guard: openGuard,
        signal: AbortSignal.timeout(300),
      });

      expect(result).toMatchObject({ ok: false, checked: 'tools', reason: 'timeout' });
      expect(Date.now() - started).toBeLessThan(3_000);
    },
  );
});

describe('checkConnector, an authorization server’s answers', () => {
  const oauthAt = (issuer: string, stored: { authorizationUrl?: string; tokenUrl?: string } = {}) =>
    ({
      ...httpConnector('https://crm.example.com/api'),
      kind: 'mcp',
      operations: undefined,
      auth: {
        type: 'oauth_user',
        authorizationUrl: stored.authorizationUrl ?? `${issuer}/authorize`,
        tokenUrl: stored.tokenUrl ?? `${issuer}/token`,
        issuer,
        clientId: 'bulkhead',
        scopes: [],
      },
    }) satisfies StoredConnector;
  const check = (connector: StoredConnector, policy = LOCAL) =>
    checkConnector(connector, { secrets: noSecrets, policy, guard: openGuard, signal: NO_DEADLINE });

  /** An authorization server publishing its metadata at the OpenID path only (RFC 8414's is a 404). */
  async function authorizationServer(options: { status?: number } = {}) {
    const events: string[] = [];
    let issuer = '';
    const server = await serve((request, response) => {
      if (options.status !== undefined) {
        response.writeHead(options.status).end();
        return;
      }
      if (request.url?.startsWith('/.well-known/oauth-authorization-server')) {
        // A 404 whose body does not end: left unread, it would hold its connection.
        response.writeHead(404, { 'content-type': 'text/plain' }).write('not here');
        response.on('close', () => events.push('404 closed'));
        return;
      }
      events.push('oidc asked');
      response.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          issuer,
          authorization_endpoint: `${issuer}/authorize`,
          token_endpoint: `${issuer}/token`,
        }),
      );
    });
    issuer = server.url;
    return { issuer, events };
  }

  it('reads the metadata at the OpenID path after a 404, having let go of the 404 first', async () => {
    const server = await authorizationServer();
    expect(await check(oauthAt(server.issuer))).toEqual({
      ok: true,
      checked: 'authorization_server',
      issuer: server.issuer,
    });
    expect(server.events).toEqual(['404 closed', 'oidc asked']);
  });

  it('answers ok: false when the metadata names other endpoints than the stored ones', async () => {
    const server = await authorizationServer();
    const [wrongToken, wrongAuthorize] = await Promise.all([
      check(oauthAt(server.issuer, { tokenUrl: `${server.issuer}/tokn` })),
      check(oauthAt(server.issuer, { authorizationUrl: `${server.issuer}/authorise` })),
    ]);
    expect(wrongToken).toMatchObject({
      ok: false,
      reason: 'protocol',
      message: expect.stringMatching(/token_endpoint/),
    });
    expect(wrongAuthorize).toMatchObject({
      ok: false,
      reason: 'protocol',
      message: expect.stringMatching(/authorization_endpoint/),
    });
  });

  it('answers a 5xx as http_status', async () => {
    const server = await authorizationServer({ status: 503 });
    expect(await check(oauthAt(server.issuer))).toMatchObject({ ok: false, reason: 'http_status' });
  });

  it('answers an issuer the platform may not call as address', async () => {
    expect(await check(oauthAt('https://127.0.0.1:9'), CLOUD)).toMatchObject({
      ok: false,
      reason: 'address',
    });
  });
});

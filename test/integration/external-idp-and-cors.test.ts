/**
 * A deployment for an external IdP with its own claim names, and a browser front end on other
 * origins: a local cloud of this file's own, synthesized with `bulkhead:claims` and
 * `bulkhead:corsOrigins`, whose issuer mints tokens with those claim names (docs/identity.md).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CLAIM_NAMES } from '../../lambdas/auth/claim-names.js';
import { type LocalCloud, startLocalCloud } from '../../local/local-cloud.js';

const APP_ORIGIN = 'https://app.example.com';
const DEV_ORIGIN = 'http://localhost:5173';
const OTHER_ORIGIN = 'https://evil.example.net';
const OPERATOR = { sub: 'idp-ops', tenantId: 'platform', groups: ['operator'] };

let cloud: LocalCloud;

beforeAll(async () => {
  cloud = await startLocalCloud({
    echoFunctionLogs: false,
    context: {
      'bulkhead:claims': { user: 'uid', tenant: 'org_id', groups: 'roles' },
      'bulkhead:corsOrigins': [APP_ORIGIN, DEV_ORIGIN],
    },
  });
  for (const tenantId of ['idp-north', 'idp-south']) {
    const response = await call(await cloud.issuer.mint(OPERATOR), 'POST', '/v1/admin/tenants', {
      body: { tenantId, name: tenantId, tier: 'basic' },
    });
    expect(response.status).toBe(201);
  }
}, 240_000);

afterAll(async () => {
  await cloud?.stop();
});

async function call(
  token: string | undefined,
  method: string,
  path: string,
  options: { body?: unknown; headers?: Record<string, string> } = {},
): Promise<Response> {
  return fetch(`${cloud.apiEndpoint}${path}`, {
    method,
    headers: {
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...options.headers,
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
}

describe("an external IdP's claim names", () => {
  it('are what the local issuer mints: uid, org_id, roles', async () => {
    const token = await cloud.issuer.mint({ sub: 'nia', tenantId: 'idp-north', groups: ['analyst'] });
    const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));

    expect(claims).toMatchObject({ uid: 'nia', org_id: 'idp-north', roles: ['analyst'] });
    expect(claims).not.toHaveProperty('custom:tenantId');
  });

  it('identify the user and tenant end to end', async () => {
    const token = await cloud.issuer.mint({ sub: 'nia', tenantId: 'idp-north', groups: ['analyst'] });

    const response = await call(token, 'GET', '/v1/me');

    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ tenantId: 'idp-north', userId: 'nia', roles: ['analyst'] });
  });

  it('refuse with 401 a token carrying only the Cognito-named claims', async () => {
    const cognitoNamed = await cloud.issuer.mint(
      { sub: 'nia', tenantId: 'idp-north', groups: ['analyst'] },
      { claimNames: DEFAULT_CLAIM_NAMES },
    );

    const response = await call(cognitoNamed, 'GET', '/v1/me');

    expect(response.status).toBe(401);
  });

  it("keep each tenant's data its own, and a tenant admin out of another tenant's admin routes", async () => {
    const north = await cloud.issuer.mint({ sub: 'nia', tenantId: 'idp-north', groups: ['analyst'] });
    const south = await cloud.issuer.mint({ sub: 'sam', tenantId: 'idp-south', groups: ['analyst'] });
    const northAdmin = await cloud.issuer.mint({ sub: 'nadia', tenantId: 'idp-north', groups: ['admin'] });
    const fact = `north keeps its harbour code ${Math.random().toString(36).slice(2)}`;

    const written = await call(north, 'PUT', '/v1/memory', { body: { fact } });
    const northReads = await (await call(north, 'GET', '/v1/memory')).text();
    const southReads = await call(south, 'GET', '/v1/memory');
    const ownExport = await call(northAdmin, 'GET', '/v1/admin/tenants/idp-north/users/nia/export');
    const otherExport = await call(northAdmin, 'GET', '/v1/admin/tenants/idp-south/users/sam/export');

    expect(written.status).toBe(201);
    expect(northReads).toContain(fact);
    expect(southReads.status).toBe(200);
    expect(await southReads.text()).not.toContain(fact);
    expect(ownExport.status).toBe(200);
    expect(otherExport.status).toBe(403);
  });
});

describe('CORS for the configured origins', () => {
  const preflight = (path: string, origin: string, method = 'GET') =>
    call(undefined, 'OPTIONS', path, {
      headers: {
        origin,
        'access-control-request-method': method,
        'access-control-request-headers': 'authorization,content-type',
      },
    });

  it('answers a preflight from an allowed origin on every route, without a token', async () => {
    for (const [path, method] of [
      ['/v1/me', 'GET'],
      ['/v1/memory', 'PUT'],
      ['/v1/chat/stream', 'POST'],
      ['/v1/admin/tenants', 'POST'],
    ] as const) {
      const response = await preflight(path, DEV_ORIGIN, method);

      expect(response.status, path).toBe(204);
      expect(response.headers.get('access-control-allow-origin'), path).toBe(DEV_ORIGIN);
      expect(response.headers.get('access-control-allow-methods'), path).toContain(method);
      expect(response.headers.get('access-control-allow-headers')?.toLowerCase(), path).toContain(
        'authorization',
      );
      expect(response.headers.get('vary'), path).toBe('Origin');
    }
  });

  it('allows no other origin in a preflight', async () => {
    for (const origin of [OTHER_ORIGIN, 'http://app.example.com', `${APP_ORIGIN}.evil.test`]) {
      const response = await preflight('/v1/me', origin);

      expect(response.status, origin).toBe(204);
      expect(response.headers.get('access-control-allow-origin'), origin).toBeNull();
    }
  });

  it('puts the allow-origin and the exposed headers on real answers to an allowed origin, streamed ones too', async () => {
    const token = await cloud.issuer.mint({ sub: 'nia', tenantId: 'idp-north', groups: ['analyst'] });

    const me = await call(token, 'GET', '/v1/me', { headers: { origin: APP_ORIGIN } });
    const write = await call(token, 'PUT', '/v1/memory', {
      body: { fact: 'cors writes carry the headers' },
      headers: { origin: APP_ORIGIN },
    });
    const stream = await call(token, 'POST', '/v1/chat/stream', {
      body: { message: 'hello' },
      headers: { origin: DEV_ORIGIN },
    });
    await stream.text();

    for (const [response, origin] of [
      [me, APP_ORIGIN],
      [write, APP_ORIGIN],
      [stream, DEV_ORIGIN],
    ] as const) {
      expect(response.ok).toBe(true);
      expect(response.headers.get('access-control-allow-origin')).toBe(origin);
      expect(response.headers.get('vary')).toBe('Origin');
      expect(response.headers.get('access-control-expose-headers')).toMatch(/Retry-After/);
      expect(response.headers.get('access-control-expose-headers')).toMatch(/x-bulkhead-overhead-ms/);
    }
  });

  it('gives a disallowed origin no allow-origin on a real answer', async () => {
    const token = await cloud.issuer.mint({ sub: 'nia', tenantId: 'idp-north', groups: ['analyst'] });

    const response = await call(token, 'GET', '/v1/me', { headers: { origin: OTHER_ORIGIN } });

    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });

  it("makes the gateway's own 401 readable to the calling origin (it carries no data)", async () => {
    const missing = await call(undefined, 'GET', '/v1/me', { headers: { origin: APP_ORIGIN } });
    const forged = await call('not.a.token', 'GET', '/v1/me', { headers: { origin: DEV_ORIGIN } });
    const noOrigin = await call(undefined, 'GET', '/v1/me');

    expect(missing.status).toBe(401);
    expect(missing.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
    expect(await missing.json()).toMatchObject({ error: { code: 'unauthorized' } });
    expect(forged.status).toBe(401);
    expect(forged.headers.get('access-control-allow-origin')).toBe(DEV_ORIGIN);
    expect(noOrigin.status).toBe(401);
    expect(noOrigin.headers.get('access-control-allow-origin')).toBeNull();
  });
});

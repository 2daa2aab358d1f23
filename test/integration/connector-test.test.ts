/**
 * "Test connection" (issue 15): `POST /v1/connectors/{name}/test` reaches a stored connector as
 * the agent would, with its stored credential, and stores nothing. The demo MCP ticket tracker,
 * which refuses calls without the tenant's key, lists its tools; a connector whose server is gone
 * answers `ok: false` with the reason (a 200, never a 5xx); a per-user OAuth connector's test reads
 * its authorization server's metadata. Each test is metered as a connector call. Only the
 * tenant's admins may, and only their own tenant's connectors.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTicketTracker, type TicketTracker } from '../../local/demo-mcp/ticket-tracker.js';
import { demoPersonalConnectorBody } from '../../local/demo-seed.js';
import { type DemoOAuthServer, startOAuthServer } from '../../local/emulators/oauth-server.js';
import { type Caller, callAs, onboard } from './support/api-client.js';
import { cloud, uniqueSuffix } from './support/local-cloud.js';

const suffix = uniqueSuffix();
const tenant = `ctest-${suffix}`;
const other = `ctest2-${suffix}`;
const admin: Caller = { sub: 'cara', tenantId: tenant, groups: ['admin'] };
const secondAdmin: Caller = { sub: 'cleo', tenantId: tenant, groups: ['admin'] };
const analyst: Caller = { sub: 'cal', tenantId: tenant, groups: ['analyst'] };
const reader: Caller = { sub: 'cy', tenantId: tenant, groups: ['reader'] };
const meteredAdmin: Caller = { sub: 'cody', tenantId: tenant, groups: ['admin'] };
const otherAdmin: Caller = { sub: 'cara', tenantId: other, groups: ['admin'] };
const apiKey = `zqkey${randomBytes(16).toString('hex')}`;
const RESOURCE = `urn:ctest:${suffix}`;

let tracker: TicketTracker;
let doomed: TicketTracker;
let authServer: DemoOAuthServer;
let personalTracker: TicketTracker;

const trackerBody = (url: string) => ({
  kind: 'mcp',
  url,
  auth: { type: 'api_key', value: apiKey },
  tools: [{ name: 'list_tickets', roles: ['analyst', 'admin'] }],
});
const testOf = (caller: Caller, name: string) => callAs(caller, 'POST', `/v1/connectors/${name}/test`);

beforeAll(async () => {
  [tracker, doomed] = await Promise.all([startTicketTracker({ apiKey }), startTicketTracker({ apiKey })]);
  authServer = await startOAuthServer({
    redirectUris: [`${cloud.apiEndpoint}/v1/oauth/callback`],
    resource: RESOURCE,
  });
  personalTracker = await startTicketTracker({
    oauth: { issuer: authServer.issuer, jwksUrl: authServer.jwksUrl, audience: RESOURCE },
  });
  await Promise.all([onboard(tenant, 'basic'), onboard(other, 'basic')]);
  const registered = await Promise.all([
    callAs(admin, 'POST', '/v1/connectors', { name: 'tracker', ...trackerBody(tracker.url) }),
    callAs(admin, 'POST', '/v1/connectors', { name: 'doomed', ...trackerBody(doomed.url) }),
    callAs(admin, 'POST', '/v1/connectors', {
      name: 'mine',
      ...demoPersonalConnectorBody({ url: personalTracker.url, resource: RESOURCE, server: authServer }),
    }),
  ]);
  expect(registered.map((answer) => answer.status)).toEqual([201, 201, 201]);
  // Registered while it answered; gone now.
  await doomed.close();
});

afterAll(async () => {
  await Promise.all([tracker?.close(), personalTracker?.close(), authServer?.close()]);
});

describe('testing a connector', () => {
  it('lists the tools of a connector reached with the tenant’s stored key, and stores nothing', async () => {
    const before = await callAs(admin, 'GET', '/v1/connectors/tracker');

    const answer = await testOf(admin, 'tracker');

    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      ok: true,
      checked: 'tools',
      tools: expect.arrayContaining(['list_tickets', 'create_ticket', 'close_ticket']),
      missingTools: [],
    });
    // The tracker refuses a call without the key: the stored one was sent.
    expect(JSON.stringify(answer.body)).not.toContain(apiKey);
    expect((await callAs(admin, 'GET', '/v1/connectors/tracker')).body).toEqual(before.body);
  });

  it('answers ok: false with the reason when the connector cannot be reached — a 200, never a 5xx', async () => {
    const answer = await testOf(admin, 'doomed');

    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ ok: false, checked: 'tools', reason: expect.any(String) });
  });

  it('checks a per-user OAuth connector’s authorization server, with no user’s token', async () => {
    const reachable = await testOf(admin, 'mine');
    expect(reachable).toMatchObject({
      status: 200,
      body: { ok: true, checked: 'authorization_server', issuer: authServer.issuer },
    });
  });

  it('lets every admin of the tenant test its connectors', async () => {
    expect((await testOf(secondAdmin, 'tracker')).body).toMatchObject({ ok: true });
  });

  it('counts each test as a connector call in the tester’s usage', async () => {
    const connectorCalls = async () =>
      ((await callAs(meteredAdmin, 'GET', '/v1/me/export')).body as { usage: { connectorCalls: number } })
        .usage.connectorCalls;
    expect(await connectorCalls()).toBe(0);

    expect((await testOf(meteredAdmin, 'tracker')).body).toMatchObject({ ok: true });

    expect(await connectorCalls()).toBe(1);
  });

  it('refuses analysts and readers, and finds no connector of another tenant', async () => {
    const [byAnalyst, byReader, crossTenant, missing] = await Promise.all([
      testOf(analyst, 'tracker'),
      testOf(reader, 'tracker'),
      testOf(otherAdmin, 'tracker'),
      testOf(admin, 'missing'),
    ]);
    expect(byAnalyst).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
    expect(byReader).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
    expect(crossTenant).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
    expect(missing).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
  });

  it('answers ok: false once the authorization server is gone', async () => {
    await authServer.close();

    const answer = await testOf(admin, 'mine');

    expect(answer).toMatchObject({ status: 200, body: { ok: false, checked: 'authorization_server' } });
  });
});

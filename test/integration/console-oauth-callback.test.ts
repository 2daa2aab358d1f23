/**
 * Connecting a per-user OAuth connector from a web console (issue 15). A browser following the
 * authorization server's redirect sends no bearer token, so a console names its own callback page
 * (`redirectUri`, only `<a CORS origin of the deployment>/console/oauth/callback`), which forwards
 * code and state to `GET /v1/oauth/callback` with the user's token. A local cloud of this file's
 * own, synthesized with a browser origin (`bulkhead:corsOrigins`); the real authorization server
 * (oidc-provider) allows the console callback. The state is bound to the user who started the
 * sign-in: another user of the tenant, or of another tenant, forwarding it is refused and leaves it
 * for its owner; the code is exchanged with the console callback, which the server checks.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTicketTracker, type TicketTracker } from '../../local/demo-mcp/ticket-tracker.js';
import { demoPersonalConnectorBody } from '../../local/demo-seed.js';
import { type DemoOAuthServer, startOAuthServer } from '../../local/emulators/oauth-server.js';
import { type LocalCloud, startLocalCloud } from '../../local/local-cloud.js';
import { TestBrowser } from './support/browser.js';
import { type ApiResponse, callerOf } from './support/json-request.js';

const CONSOLE_ORIGIN = 'https://console.example.com';
const CONSOLE_CALLBACK = `${CONSOLE_ORIGIN}/console/oauth/callback`;
const RESOURCE = 'urn:bulkhead:console-tickets';
const TENANT = 'console-oauth';
const OTHER = 'console-oauth-2';
const OPERATOR = { sub: 'ops', tenantId: 'platform', groups: ['operator'] };
const admin = { sub: 'ada', tenantId: TENANT, groups: ['admin'] };
const alice = { sub: 'alice', tenantId: TENANT, groups: ['analyst'] };
const bob = { sub: 'bob', tenantId: TENANT, groups: ['analyst'] };
const outsider = { sub: 'alice', tenantId: OTHER, groups: ['analyst'] };
type Caller = typeof admin;

let cloud: LocalCloud;
let authServer: DemoOAuthServer;
let tracker: TicketTracker;

const call = callerOf(() => cloud);

/** The authorization server's page a connect answer sends the person to. */
const authorizeUrlOf = (answer: ApiResponse) =>
  new URL((answer.body as { authorizeUrl: string }).authorizeUrl);

const connect = (caller: Caller, body?: unknown) =>
  call(caller, 'POST', '/v1/connectors/mytickets/connect', body);
/** What the console page does: forwards the redirect's query to the platform with the user's token. */
const forward = (caller: Caller, reached: URL) => call(caller, 'GET', `/v1/oauth/callback${reached.search}`);

beforeAll(async () => {
  cloud = await startLocalCloud({
    echoFunctionLogs: false,
    context: { 'bulkhead:corsOrigins': [CONSOLE_ORIGIN] },
  });
  authServer = await startOAuthServer({
    redirectUris: [`${cloud.apiEndpoint}/v1/oauth/callback`, CONSOLE_CALLBACK],
    resource: RESOURCE,
  });
  tracker = await startTicketTracker({
    oauth: { issuer: authServer.issuer, jwksUrl: authServer.jwksUrl, audience: RESOURCE },
  });
  for (const tenantId of [TENANT, OTHER]) {
    const onboarded = await call(OPERATOR, 'POST', '/v1/admin/tenants', {
      tenantId,
      name: tenantId,
      tier: 'basic',
    });
    expect(onboarded.status).toBe(201);
  }
  const registered = await call(admin, 'POST', '/v1/connectors', {
    name: 'mytickets',
    ...demoPersonalConnectorBody({ url: tracker.url, resource: RESOURCE, server: authServer }),
  });
  expect(registered.status).toBe(201);
}, 240_000);

afterAll(async () => {
  await Promise.all([tracker?.close(), authServer?.close()]);
  await cloud?.stop();
});

describe('connecting from a web console', () => {
  it('refuses a redirectUri that is not the console callback on a browser origin of the deployment', async () => {
    const refused = await Promise.all(
      [
        'https://evil.example.net/console/oauth/callback',
        `${CONSOLE_ORIGIN}/somewhere/else`,
        `${CONSOLE_CALLBACK}?next=https://evil.example.net`,
        `${CONSOLE_CALLBACK}/`,
        'http://console.example.com/console/oauth/callback',
      ].map((redirectUri) => connect(alice, { redirectUri })),
    );
    for (const answer of refused)
      expect(answer).toMatchObject({ status: 422, body: { error: { code: 'redirect_uri_not_allowed' } } });
    expect(await connect(alice, { redirectUri: CONSOLE_CALLBACK, extra: true })).toMatchObject({
      status: 400,
    });
  });

  it('sends the user back to the console page, and its owner’s token completes the sign-in there', async () => {
    const started = await connect(alice, { redirectUri: CONSOLE_CALLBACK });
    expect(started.status).toBe(200);
    const authorizeUrl = authorizeUrlOf(started);
    expect(authorizeUrl.searchParams.get('redirect_uri')).toBe(CONSOLE_CALLBACK);

    const reached = await new TestBrowser().signIn(authorizeUrl.href, 'alice', CONSOLE_CALLBACK);
    expect(reached.origin + reached.pathname).toBe(CONSOLE_CALLBACK);
    expect(reached.searchParams.get('code')).toEqual(expect.any(String));

    // Another user of the tenant, and a user of another tenant, cannot use alice's state.
    const [byBob, byOutsider] = await Promise.all([forward(bob, reached), forward(outsider, reached)]);
    for (const refused of [byBob, byOutsider])
      expect(refused).toMatchObject({ status: 400, body: { error: { code: 'invalid_state' } } });

    // The state is still alice's: the code is exchanged with the console callback it was issued for.
    const completed = await forward(alice, reached);
    expect(completed).toMatchObject({ status: 200, body: { connector: 'mytickets', status: 'active' } });
    const [mine, bobs] = await Promise.all([
      call(alice, 'GET', '/v1/me/connections'),
      call(bob, 'GET', '/v1/me/connections'),
    ]);
    expect(mine.body).toMatchObject({ connections: [expect.objectContaining({ connector: 'mytickets' })] });
    expect(bobs.body).toMatchObject({ connections: [] });
    // Single use.
    expect(await forward(alice, reached)).toMatchObject({
      status: 400,
      body: { error: { code: 'invalid_state' } },
    });
  });

  it('still sends a sign-in started without a redirectUri to the platform’s callback', async () => {
    const started = await connect(bob);
    expect(started.status).toBe(200);
    expect(authorizeUrlOf(started).searchParams.get('redirect_uri')).toBe(
      `${cloud.apiEndpoint}/v1/oauth/callback`,
    );
  });
});

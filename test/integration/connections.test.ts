/**
 * Delegated credentials in the local cloud (issue 10): users connect a per-user OAuth connector
 * through a real authorization server (oidc-provider: authorization code + PKCE, driven like a
 * browser), their tokens are sealed in the vault with KMS under {TenantId, UserId, ConnectorId},
 * and the agent calls the demo tracker with each user's own token — so each sees only their own
 * tickets. IAM is tested, not assumed: raw SDK calls with other users' and tenants' sessions, and
 * with wrong encryption contexts, are denied by the same policy evaluation as every other call.
 */
import { GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { DecryptCommand, EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import type { AwsCredentialIdentity } from '@smithy/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTicketTracker, type TicketTracker } from '../../local/demo-mcp/ticket-tracker.js';
import { demoPersonalConnectorBody } from '../../local/demo-seed.js';
import { type DemoOAuthServer, startOAuthServer } from '../../local/emulators/oauth-server.js';
import { type ApiResponse, type Caller, callAs, onboard } from './support/api-client.js';
import { TestBrowser } from './support/browser.js';
import { capturedLogs, modelRequests, watchSecrets } from './support/inspector.js';
import { apiEnv, cloud, rawClients, tenantSession, uniqueSuffix } from './support/local-cloud.js';

const suffix = uniqueSuffix();
const tenant = `vault-${suffix}`;
const other = `vault2-${suffix}`;
const admin: Caller = { sub: 'ada', tenantId: tenant, groups: ['admin'] };
const alice: Caller = { sub: 'alice', tenantId: tenant, groups: ['analyst'] };
const bob: Caller = { sub: 'bob', tenantId: tenant, groups: ['analyst'] };
const carol: Caller = { sub: 'carol', tenantId: tenant, groups: ['reader'] };
const outsider: Caller = { sub: 'alice', tenantId: other, groups: ['analyst'] };
const CALLBACK = `${cloud.apiEndpoint}/v1/oauth/callback`;
const TABLE = apiEnv('TENANT_TABLE_NAME');

let authServer: DemoOAuthServer;
let tracker: TicketTracker;
/** Every answer the API gave in this file: no token may be in any of them. */
const answers: string[] = [];

async function call(caller: Caller, method: string, path: string, body?: unknown): Promise<ApiResponse> {
  const answer = await callAs(caller, method, path, body);
  answers.push(JSON.stringify(answer.body ?? ''));
  return answer;
}

interface ChatBody {
  readonly reply: string;
  readonly toolCalls: ReadonlyArray<{ name: string; status: string }>;
  readonly connectionRequired?: { connector: string; authorizeUrl: string };
}

const listTickets = async (caller: Caller): Promise<ChatBody> => {
  const answer = await call(caller, 'POST', '/v1/chat', { message: 'use tool mytickets__list_tickets {}' });
  expect(answer.status).toBe(200);
  return answer.body as ChatBody;
};

/** The URL the browser reaches after signing in as `login` (not yet forwarded to the platform). */
async function signedIn(caller: Caller, login = caller.sub): Promise<URL> {
  const started = await call(caller, 'POST', '/v1/connectors/mytickets/connect');
  expect(started.status).toBe(200);
  const { authorizeUrl } = started.body as { authorizeUrl: string };
  return new TestBrowser().signIn(authorizeUrl, login, CALLBACK);
}

/** Forwards the authorization server's redirect to the platform with `caller`'s token. */
const callback = (caller: Caller, reached: URL) => call(caller, 'GET', `/v1/oauth/callback${reached.search}`);

const connect = async (caller: Caller): Promise<ApiResponse> => callback(caller, await signedIn(caller));

const connectionsOf = async (caller: Caller) =>
  ((await call(caller, 'GET', '/v1/me/connections')).body as { connections: { connector: string }[] })
    .connections;

/** A user's own vault item, read with their own session. */
async function vaultItem(owner: AwsCredentialIdentity, userId: string) {
  const { Item } = await rawClients(owner).dynamodb.send(
    new GetItemCommand({
      TableName: TABLE,
      Key: { pk: { S: `${tenant}#u#${userId}#connections` }, sk: { S: 'mytickets' } },
    }),
  );
  return Item;
}

const kms = (credentials: AwsCredentialIdentity) =>
  new KMSClient({ endpoint: cloud.endpoint, region: cloud.region, credentials, maxAttempts: 1 });

beforeAll(async () => {
  authServer = await startOAuthServer({
    redirectUris: [CALLBACK],
    resource: 'urn:bulkhead:demo-tickets',
    onIssued: watchSecrets,
  });
  tracker = await startTicketTracker({
    oauth: { issuer: authServer.issuer, jwksUrl: authServer.jwksUrl, audience: 'urn:bulkhead:demo-tickets' },
  });
  await Promise.all([onboard(tenant, 'basic'), onboard(other, 'basic')]);
  const registered = await call(admin, 'POST', '/v1/connectors', {
    name: 'mytickets',
    ...demoPersonalConnectorBody({
      url: tracker.url,
      resource: 'urn:bulkhead:demo-tickets',
      server: authServer,
    }),
  });
  expect(registered.status).toBe(201);
});

afterAll(async () => {
  await Promise.all([tracker?.close(), authServer?.close()]);
});

describe('connecting, like a browser', () => {
  it('lets alice connect through authorization code + PKCE, and her agent lists only her tickets', async () => {
    const connected = await connect(alice);

    expect(connected).toMatchObject({ status: 200, body: { connector: 'mytickets', status: 'active' } });
    expect((connected.body as { scopes: string[] }).scopes).toEqual(expect.arrayContaining(['tickets']));
    const answer = await listTickets(alice);
    expect(answer.toolCalls).toEqual([{ name: 'mytickets__list_tickets', status: 'success' }]);
    expect(answer.reply).toContain('Onboarding checklist for alice');
    expect(tracker.calls().at(-1)).toMatchObject({ tool: 'list_tickets', owner: 'alice' });
  });

  it('lets bob connect separately; each sees only their own tickets', async () => {
    expect((await connect(bob)).status).toBe(200);

    const [forBob, forAlice] = await Promise.all([listTickets(bob), listTickets(alice)]);

    expect(forBob.reply).toContain('Onboarding checklist for bob');
    expect(forBob.reply).not.toContain('for alice');
    expect(forAlice.reply).not.toContain('for bob');
    expect((await connectionsOf(bob)).map((connection) => connection.connector)).toEqual(['mytickets']);
  });

  it('puts each user’s connection, never a token, in their own export only', async () => {
    const [forAlice, forCarol] = await Promise.all([
      call(alice, 'GET', '/v1/me/export'),
      call(carol, 'GET', '/v1/me/export'),
    ]);

    expect((forAlice.body as { connections: unknown[] }).connections).toEqual([
      expect.objectContaining({ connector: 'mytickets', status: 'active' }),
    ]);
    expect((forCarol.body as { connections: unknown[] }).connections).toEqual([]);
  });

  it('asks a user without a connection to connect first, with a sign-in link', async () => {
    const answer = await listTickets(carol);

    expect(answer.toolCalls).toEqual([{ name: 'mytickets__list_tickets', status: 'connection_required' }]);
    expect(answer.connectionRequired?.connector).toBe('mytickets');
    expect(answer.connectionRequired?.authorizeUrl).toContain(authServer.authorizationUrl);
    expect(answer.reply).not.toContain('state=');
  });
});

describe('refused sign-ins store nothing', () => {
  it('refuses a reused state, another user’s state and another tenant’s', async () => {
    const reached = await signedIn(carol);
    const byBob = await callback(bob, reached);
    const byOutsider = await callback(outsider, reached);
    const first = await callback(carol, reached);
    const again = await callback(carol, reached);

    expect([byBob.status, byOutsider.status]).toEqual([400, 400]);
    expect((byBob.body as { error: { code: string } }).error.code).toBe('invalid_state');
    expect(first.status).toBe(200);
    expect(again).toMatchObject({ status: 400, body: { error: { code: 'invalid_state' } } });
    expect(await connectionsOf(outsider)).toEqual([]);
    // Bob's own connection is untouched by his refused callback.
    expect((await connectionsOf(bob)).map((connection) => connection.connector)).toEqual(['mytickets']);
  });

  it.each([
    [
      'a wrong PKCE verifier',
      { UpdateExpression: 'SET verifier = :v', ExpressionAttributeValues: { ':v': { S: 'x'.repeat(43) } } },
      'oauth_grant_refused',
    ],
    ['a missing PKCE verifier', { UpdateExpression: 'REMOVE verifier' }, 'invalid_state'],
  ] as const)('refuses %s', async (_label, change, code) => {
    const dave: Caller = { sub: `dave${code.length}`, tenantId: tenant, groups: ['analyst'] };
    const reached = await signedIn(dave, dave.sub);
    const state = reached.searchParams.get('state') ?? '';
    // Tamper with the user's own sign-in record, with the user's own session (nothing else may).
    await rawClients(await tenantSession(tenant, dave.sub)).dynamodb.send(
      new UpdateItemCommand({
        TableName: TABLE,
        Key: { pk: { S: `${tenant}#u#${dave.sub}#oauth-states` }, sk: { S: state } },
        ...change,
      }),
    );

    const refused = await callback(dave, reached);

    expect(refused).toMatchObject({ status: 400, body: { error: { code } } });
    expect(await connectionsOf(dave)).toEqual([]);
  });
});

describe('the vault, as IAM sees it', () => {
  it('keeps alice’s item from bob’s session, and her ciphertext from every session but hers', async () => {
    const [aliceSession, bobSession, outsiderSession] = await Promise.all([
      tenantSession(tenant, 'alice'),
      tenantSession(tenant, 'bob'),
      tenantSession(other, 'alice'),
    ]);
    const item = await vaultItem(aliceSession, 'alice');
    const sealed = Buffer.from(item?.sealed?.S ?? '', 'base64');
    const context = { TenantId: tenant, UserId: 'alice', ConnectorId: 'mytickets' };
    const decrypt = (credentials: AwsCredentialIdentity, EncryptionContext?: Record<string, string>) =>
      kms(credentials).send(
        new DecryptCommand({
          CiphertextBlob: sealed,
          ...(EncryptionContext === undefined ? {} : { EncryptionContext }),
        }),
      );

    expect(sealed.length).toBeGreaterThan(0);
    expect(JSON.stringify(item)).not.toContain('access');
    await expect(vaultItem(bobSession, 'alice')).rejects.toMatchObject({ name: 'AccessDeniedException' });
    await expect(decrypt(bobSession, context)).rejects.toMatchObject({ name: 'AccessDeniedException' });
    await expect(decrypt(outsiderSession, context)).rejects.toMatchObject({ name: 'AccessDeniedException' });
    await expect(decrypt(aliceSession)).rejects.toMatchObject({ name: 'AccessDeniedException' });
    await expect(decrypt(aliceSession, { ...context, UserId: 'bob' })).rejects.toMatchObject({
      name: 'AccessDeniedException',
    });
    await expect(decrypt(aliceSession, { ...context, Purpose: 'x' })).rejects.toMatchObject({
      name: 'AccessDeniedException',
    });
    // Bob's session under bob's own context passes IAM, but KMS binds the context to the ciphertext.
    await expect(decrypt(bobSession, { ...context, UserId: 'bob' })).rejects.toMatchObject({
      name: 'InvalidCiphertextException',
    });
    // Positive control: alice's own session and context open it (the plaintext is not shown here).
    expect((await decrypt(aliceSession, context)).Plaintext?.length).toBeGreaterThan(0);
  });

  it('lets a session encrypt only under its own tenant and user', async () => {
    const session = await tenantSession(tenant, 'bob');
    const encrypt = (context: Record<string, string>) =>
      kms(session).send(
        new EncryptCommand({
          KeyId: apiEnv('VAULT_KEY_ARN'),
          Plaintext: Buffer.from('x'),
          EncryptionContext: context,
        }),
      );

    await expect(encrypt({ TenantId: tenant, UserId: 'bob', ConnectorId: 'c' })).resolves.toBeDefined();
    await expect(encrypt({ TenantId: tenant, UserId: 'alice', ConnectorId: 'c' })).rejects.toMatchObject({
      name: 'AccessDeniedException',
    });
    await expect(encrypt({ TenantId: other, UserId: 'bob', ConnectorId: 'c' })).rejects.toMatchObject({
      name: 'AccessDeniedException',
    });
  });
});

describe('refresh and revocation', () => {
  it('refreshes an expired token once under 20 concurrent tool calls', async () => {
    const session = await tenantSession(tenant, 'alice');
    await rawClients(session).dynamodb.send(
      new UpdateItemCommand({
        TableName: TABLE,
        Key: { pk: { S: `${tenant}#u#alice#connections` }, sk: { S: 'mytickets' } },
        UpdateExpression: 'SET expiresAtIso = :past',
        ExpressionAttributeValues: { ':past': { S: new Date(Date.now() - 1000).toISOString() } },
      }),
    );
    const before = authServer.grants('refresh_token');

    const turns = await Promise.all(Array.from({ length: 20 }, () => listTickets(alice)));

    expect(turns.map((turn) => turn.toolCalls[0]?.status)).toEqual(Array(20).fill('success'));
    expect(authServer.grants('refresh_token') - before).toBe(1);
  });

  it('marks a connection whose refresh the server refuses as needing consent, and asks to connect again', async () => {
    // A refresh token the server never issued, sealed by alice's own session under her own context.
    const session = await tenantSession(tenant, 'alice');
    const { CiphertextBlob } = await kms(session).send(
      new EncryptCommand({
        KeyId: apiEnv('VAULT_KEY_ARN'),
        Plaintext: Buffer.from(JSON.stringify({ accessToken: 'stale-access', refreshToken: 'never-issued' })),
        EncryptionContext: { TenantId: tenant, UserId: 'alice', ConnectorId: 'mytickets' },
      }),
    );
    await rawClients(session).dynamodb.send(
      new UpdateItemCommand({
        TableName: TABLE,
        Key: { pk: { S: `${tenant}#u#alice#connections` }, sk: { S: 'mytickets' } },
        UpdateExpression: 'SET sealed = :sealed, expiresAtIso = :past',
        ExpressionAttributeValues: {
          ':sealed': { S: Buffer.from(CiphertextBlob ?? []).toString('base64') },
          ':past': { S: new Date(Date.now() - 1000).toISOString() },
        },
      }),
    );

    const answer = await listTickets(alice);

    expect(answer.toolCalls).toEqual([{ name: 'mytickets__list_tickets', status: 'connection_required' }]);
    expect(answer.connectionRequired?.authorizeUrl).toContain(authServer.authorizationUrl);
    expect(await connectionsOf(alice)).toEqual([expect.objectContaining({ status: 'needs_consent' })]);
    // Connecting again makes it usable again.
    expect((await connect(alice)).status).toBe(200);
    expect((await listTickets(alice)).toolCalls[0]?.status).toBe('success');
  });

  it('revokes a connection: the next call answers connectionRequired', async () => {
    const revoked = await call(bob, 'DELETE', '/v1/me/connections/mytickets');
    const again = await call(bob, 'DELETE', '/v1/me/connections/mytickets');

    const answer = await listTickets(bob);

    expect([revoked.status, again.status]).toEqual([204, 404]);
    // Bob's revocation is his alone: alice's connection still stands and still works.
    expect((await connectionsOf(alice)).map((connection) => connection.connector)).toEqual(['mytickets']);
    expect((await listTickets(alice)).toolCalls[0]?.status).toBe('success');
    const audit = JSON.stringify((await call(admin, 'GET', '/v1/audit?limit=100')).body);
    expect(audit).toContain('connections.consent');
    expect(audit).toContain('connections.revoke');
    expect(answer.toolCalls).toEqual([{ name: 'mytickets__list_tickets', status: 'connection_required' }]);
    expect(await connectionsOf(bob)).toEqual([]);
  });
});

describe('tokens', () => {
  it('appear in no answer, no model request and no log line', async () => {
    const tokens = authServer.issuedTokens();
    const [requests, logs] = await Promise.all([modelRequests(), capturedLogs()]);

    expect(tokens.length).toBeGreaterThan(4);
    expect(answers.filter((answer) => tokens.some((token) => answer.includes(token)))).toEqual([]);
    expect(requests.filter((request) => request.carriesSecret)).toEqual([]);
    expect(logs.lines.filter((line) => tokens.some((token) => line.text.includes(token)))).toEqual([]);
  });
});

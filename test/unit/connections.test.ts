/**
 * The pieces of delegated connections that need no authorization server: the callback URL as the
 * caller reached the API, the token vault's encryption context, and the per-user auth in a
 * connector definition. The whole flow runs against a real server in
 * test/integration/connections.test.ts.
 */
import { KMSClient } from '@aws-sdk/client-kms';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { oauthCallbackUrl } from '../../lambdas/connections/callback-url.js';
import { TokenVault } from '../../lambdas/connections/token-vault.js';
import { NewConnectorSchema, viewOf } from '../../lambdas/connectors/connector-definition.js';
import { captureShapedCommands, offlineClientConfig } from './support/fake-sdk.js';
import { memoryKms } from './support/memory-cloud.js';

function event(path: string, requestedPath: string, headers: Record<string, string>): APIGatewayProxyEvent {
  return { path, headers, requestContext: { path: requestedPath } } as unknown as APIGatewayProxyEvent;
}

describe('the OAuth callback URL', () => {
  it('is the scheme, host and base path the caller used, before the route', () => {
    expect(
      oauthCallbackUrl(
        event('/v1/connectors/x/connect', '/prod/v1/connectors/x/connect', {
          Host: 'abc.execute-api.eu-west-1.amazonaws.com',
          'X-Forwarded-Proto': 'https',
        }),
      ),
    ).toBe('https://abc.execute-api.eu-west-1.amazonaws.com/prod/v1/oauth/callback');
    expect(
      oauthCallbackUrl(
        event('/v1/chat', '/v1/chat', { host: '127.0.0.1:4010', 'x-forwarded-proto': 'http' }),
      ),
    ).toBe('http://127.0.0.1:4010/v1/oauth/callback');
    // No scheme header: API Gateway is https.
    expect(oauthCallbackUrl(event('/v1/chat', '/v1/chat', { host: 'api.example.com' }))).toBe(
      'https://api.example.com/v1/oauth/callback',
    );
  });
});

describe('the token vault', () => {
  const client = () => {
    const kms = new KMSClient(offlineClientConfig);
    const sent = captureShapedCommands(kms, memoryKms);
    return { kms, sent };
  };

  it('seals and opens under exactly {TenantId, UserId, ConnectorId} of its owner', async () => {
    const { kms, sent } = client();
    const vault = new TokenVault(kms, 'arn:aws:kms:us-east-1:000000000000:key/vault', {
      tenantId: 'acme',
      userId: 'alice',
    });

    const sealed = await vault.seal('tracker', { accessToken: 'a1', refreshToken: 'r1' });
    const opened = await vault.open('tracker', sealed);

    expect(opened).toEqual({ accessToken: 'a1', refreshToken: 'r1' });
    expect(sent.map((command) => command.input)).toMatchObject([
      { EncryptionContext: { TenantId: 'acme', UserId: 'alice', ConnectorId: 'tracker' } },
      { EncryptionContext: { TenantId: 'acme', UserId: 'alice', ConnectorId: 'tracker' } },
    ]);
    await expect(vault.open('other-connector', sealed)).rejects.toThrow(/another context/);
  });

  it('refuses a token set larger than KMS seals directly', async () => {
    const vault = new TokenVault(client().kms, 'arn:aws:kms:us-east-1:000000000000:key/vault', {
      tenantId: 'acme',
      userId: 'alice',
    });

    await expect(vault.seal('tracker', { accessToken: 'x'.repeat(5000) })).rejects.toThrow(RangeError);
  });
});

describe('a per-user OAuth connector definition', () => {
  const body = {
    name: 'mytickets',
    kind: 'mcp',
    url: 'https://mcp.example.com/mcp',
    auth: {
      type: 'oauth_user',
      authorizationUrl: 'https://id.example.com/auth',
      tokenUrl: 'https://id.example.com/token',
      clientId: 'bulkhead',
      clientSecret: 'client-secret-value',
      scopes: ['offline_access', 'tickets'],
    },
    tools: [{ name: 'list_tickets', roles: ['reader'] }],
  };

  it('takes the endpoints, client and scopes; never shows the client secret or its name', () => {
    const parsed = NewConnectorSchema.parse(body);
    const { name, auth: _auth, ...rest } = parsed;
    const view = viewOf({
      ...rest,
      name,
      auth: {
        type: 'oauth_user',
        authorizationUrl: body.auth.authorizationUrl,
        tokenUrl: body.auth.tokenUrl,
        clientId: 'bulkhead',
        scopes: body.auth.scopes,
        secretName: 'bulkhead/tenants/acme/connectors/mytickets.client',
      },
      discovered: [],
      updatedAt: '2026-12-01T00:00:00.000Z',
    });

    expect(view.auth).toMatchObject({ type: 'oauth_user', confidentialClient: true });
    expect(JSON.stringify(view)).not.toMatch(/client-secret-value|secretName|mytickets\.client/);
  });

  it.each([
    ['a scope with a space', { scopes: ['a b'] }],
    ['no token URL', { tokenUrl: undefined }],
    ['an unknown field', { password: 'x' }],
  ])('refuses %s', (_label, change) => {
    expect(NewConnectorSchema.safeParse({ ...body, auth: { ...body.auth, ...change } }).success).toBe(false);
  });
});

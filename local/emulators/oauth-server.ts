/**
 * A real OAuth 2.0 / OpenID authorization server on loopback, for per-user connectors: `oidc-provider`
 * (a maintained, certified implementation) with its development login and consent pages, which a
 * person — or a test acting as a browser — drives like any sign-in. One confidential client (the
 * platform), authorization code with PKCE (required), refresh tokens, revocation, and JWT access
 * tokens for one resource server (the demo ticket tracker, which checks them against the JWKS).
 *
 * It records every token it issues, so the run's hygiene scans know what must never appear in a
 * response, a model request or a log line, and counts refresh grants (single-flight refresh).
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { exportJWK, generateKeyPair } from 'jose';
import Provider, { errors } from 'oidc-provider';
import { closeServer, LOOPBACK, listenOnLoopback } from '../net.js';

export interface OAuthServerOptions {
  /** Where sign-ins may return: the platform's callback (`<api>/v1/oauth/callback`), a console's (`<origin>/console/oauth/callback`). */
  readonly redirectUris: readonly string[];
  /** The resource server access tokens are for (its URL; the `aud` it checks). */
  readonly resource: string;
  /** @default 300 */
  readonly accessTokenSeconds?: number;
  /** Told of every token before the client receives it (tests hand them to the secret scans). */
  readonly onIssued?: (tokens: readonly string[]) => Promise<void>;
  readonly port?: number;
}

export interface DemoOAuthServer {
  readonly issuer: string;
  readonly jwksUrl: string;
  readonly authorizationUrl: string;
  readonly tokenUrl: string;
  readonly revocationUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** The scopes a connector asks for. */
  readonly scopes: readonly string[];
  /** Every access and refresh token issued so far. */
  issuedTokens(): string[];
  /** How many token requests of a grant type it has answered successfully. */
  grants(type: 'authorization_code' | 'refresh_token'): number;
  close(): Promise<void>;
}

const CLIENT_ID = 'bulkhead-connectors';
const RESOURCE_SCOPES = 'tickets';

export async function startOAuthServer(options: OAuthServerOptions): Promise<DemoOAuthServer> {
  const server = createServer();
  const port = await listenOnLoopback(server, options.port ?? 0);
  const issuer = `http://${LOOPBACK}:${port}`;
  const clientSecret = randomBytes(24).toString('base64url');
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const signingKey = { ...(await exportJWK(privateKey)), kid: 'demo-es256', alg: 'ES256', use: 'sig' };
  const issued: string[] = [];
  const granted = { authorization_code: 0, refresh_token: 0 };

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: clientSecret,
        redirect_uris: [...options.redirectUris],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
        id_token_signed_response_alg: 'ES256',
      },
    ],
    jwks: { keys: [signingKey] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    pkce: { required: () => true },
    scopes: ['offline_access', RESOURCE_SCOPES],
    // Demo users are whoever signs in: the account id is the login name (alice, bob, gina, …).
    findAccount: async (_ctx, accountId) => ({ accountId, claims: async () => ({ sub: accountId }) }),
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    ttl: {
      AccessToken: options.accessTokenSeconds ?? 300,
      RefreshToken: 14 * 86_400,
      Grant: 14 * 86_400,
      Session: 86_400,
      Interaction: 600,
      AuthorizationCode: 60,
    },
    renderError: async (ctx, out) => {
      ctx.type = 'application/json';
      ctx.body = out;
    },
    features: {
      devInteractions: { enabled: true },
      revocation: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: async () => options.resource,
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx, indicator) => {
          if (indicator !== options.resource) throw new errors.InvalidTarget();
          return {
            scope: RESOURCE_SCOPES,
            audience: options.resource,
            accessTokenTTL: options.accessTokenSeconds ?? 300,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'ES256' } },
          };
        },
      },
    },
  });
  // Loopback over plain http: the provider must not insist on TLS.
  provider.proxy = false;
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.path !== '/token' || ctx.status !== 200 || typeof ctx.body !== 'object' || ctx.body === null)
      return;
    const body = ctx.body as Record<string, unknown>;
    const tokens = ['access_token', 'refresh_token', 'id_token'].flatMap((field) =>
      typeof body[field] === 'string' ? [body[field]] : [],
    );
    issued.push(...tokens);
    await options.onIssued?.(tokens);
    const grantType: unknown = ctx.oidc?.params?.grant_type;
    if (grantType === 'authorization_code' || grantType === 'refresh_token') granted[grantType] += 1;
  });
  server.on('request', provider.callback());

  return {
    issuer,
    jwksUrl: `${issuer}/jwks`,
    authorizationUrl: `${issuer}/auth`,
    tokenUrl: `${issuer}/token`,
    revocationUrl: `${issuer}/token/revocation`,
    clientId: CLIENT_ID,
    clientSecret,
    scopes: ['offline_access', RESOURCE_SCOPES],
    issuedTokens: () => [...issued],
    grants: (type) => granted[type],
    close: () => closeServer(server),
  };
}

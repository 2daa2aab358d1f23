/**
 * A person signs in to the local issuer with authorization code + PKCE (oauth4webapi as the
 * client, the development login driven like a browser), and the ID token is one the API's
 * authorizer accepts: same issuer, key and claims as the minted demo tokens.
 */
import { createRemoteJWKSet } from 'jose';
import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenVerifier } from '../../lambdas/auth/token-verifier.js';
import { type JwtIssuer, startJwtIssuer } from '../../local/emulators/jwt-issuer.js';
import { LOCAL_AUDIENCE } from '../../local/local-cloud.js';
import { callApi, onboard } from './support/api-client.js';
import { TestBrowser } from './support/browser.js';
import { cloud } from './support/local-cloud.js';

/** A loopback redirect on a port of the console's choosing (registered without it: RFC 8252). */
const REDIRECT = 'http://127.0.0.1:47123/console/callback';
const client: oauth.Client = { client_id: LOCAL_AUDIENCE };
const insecure = { [oauth.allowInsecureRequests]: true };

async function discover(issuer: string): Promise<oauth.AuthorizationServer> {
  const url = new URL(issuer);
  return oauth.processDiscoveryResponse(url, await oauth.discoveryRequest(url, insecure));
}

interface Started {
  readonly url: URL;
  readonly verifier: string;
}

/** The authorization request a console would send, PKCE S256 unless `pkce` is false. */
async function authorization(
  as: oauth.AuthorizationServer,
  { pkce = true, redirectUri = REDIRECT } = {},
): Promise<Started> {
  const verifier = oauth.generateRandomCodeVerifier();
  const url = new URL(as.authorization_endpoint ?? '');
  url.searchParams.set('client_id', client.client_id);
  url.searchParams.set('redirect_uri', redirectUri);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('scope', 'openid');
  if (pkce) {
    url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(verifier));
    url.searchParams.set('code_challenge_method', 'S256');
  }
  return { url, verifier };
}

/** Signs in as `login` and returns the callback's parameters (code, or error). */
async function signIn(as: oauth.AuthorizationServer, started: Started, login: string) {
  const reached = await new TestBrowser().signIn(started.url.href, login, REDIRECT);
  return oauth.validateAuthResponse(as, client, reached, oauth.expectNoState);
}

const exchange = (as: oauth.AuthorizationServer, params: URLSearchParams, verifier: string) =>
  oauth
    .authorizationCodeGrantRequest(as, client, oauth.None(), params, REDIRECT, verifier, insecure)
    .then((response) => oauth.processAuthorizationCodeResponse(as, client, response));

/** The token endpoint's OAuth error code for a refused exchange. */
const refusal = (as: oauth.AuthorizationServer, params: URLSearchParams, verifier: string) =>
  exchange(as, params, verifier).then(
    () => 'accepted',
    (err: unknown) => (err instanceof oauth.ResponseBodyError ? err.error : String(err)),
  );

const verifierFor = (issuer: string, claims?: JwtIssuer['claimNames']) =>
  createTokenVerifier({
    issuer,
    audience: LOCAL_AUDIENCE,
    keys: createRemoteJWKSet(new URL(`${issuer}/.well-known/jwks.json`)),
    ...(claims === undefined ? {} : { claims }),
  });

describe('signing in to the local cloud as a person', () => {
  let as: oauth.AuthorizationServer;

  beforeAll(async () => {
    as = await discover(cloud.issuer);
  });

  it('publishes one discovery document: the issuer, its code + PKCE endpoints and the same JWKS', async () => {
    expect(as).toMatchObject({
      issuer: cloud.issuer,
      jwks_uri: `${cloud.issuer}/.well-known/jwks.json`,
      authorization_endpoint: `${cloud.issuer}/auth`,
      token_endpoint: `${cloud.issuer}/token`,
      code_challenge_methods_supported: ['S256'],
    });
  });

  it("gives alice an ID token the authorizer accepts as acme's analyst, and the API answers for her", async () => {
    const started = await authorization(as);
    const result = await exchange(as, await signIn(as, started, 'alice'), started.verifier);

    const idToken = result.id_token ?? '';
    await expect(verifierFor(cloud.issuer)(idToken)).resolves.toMatchObject({
      tenantId: 'acme',
      userId: 'alice',
      roles: ['analyst'],
    });
    await onboard('acme', 'basic');
    const me = await callApi('GET', '/v1/me', `Bearer ${idToken}`);
    expect(me).toMatchObject({
      status: 200,
      body: { tenantId: 'acme', userId: 'alice', roles: ['analyst'] },
    });
    // The minted demo tokens are unchanged and still verify against the same keys.
    const minted = await fetch(`${cloud.issuer}/tokens`, {
      method: 'POST',
      body: JSON.stringify({ sub: 'u1', tenantId: 'acme', groups: ['reader'] }),
    });
    const { token } = (await minted.json()) as { token: string };
    await expect(verifierFor(cloud.issuer)(token)).resolves.toMatchObject({
      userId: 'u1',
      roles: ['reader'],
    });
  });

  it('refuses a wrong code_verifier, and a code used twice', async () => {
    const started = await authorization(as);
    const params = await signIn(as, started, 'gina');

    expect(await refusal(as, params, oauth.generateRandomCodeVerifier())).toBe('invalid_grant');
    const again = await authorization(as);
    const fresh = await signIn(as, again, 'gina');
    expect(await refusal(as, fresh, again.verifier)).toBe('accepted');
    expect(await refusal(as, fresh, again.verifier)).toBe('invalid_grant');
  });

  it('refuses an authorization request without PKCE', async () => {
    const started = await authorization(as, { pkce: false });
    const reached = await new TestBrowser().signIn(started.url.href, 'alice', REDIRECT);

    expect(reached.searchParams.get('error')).toBe('invalid_request');
    expect(reached.searchParams.get('code')).toBeNull();
  });

  it('refuses an unregistered redirect_uri without redirecting to it', async () => {
    for (const redirectUri of ['http://127.0.0.1:47123/elsewhere', 'https://evil.example/console/callback']) {
      const started = await authorization(as, { redirectUri });
      const response = await fetch(started.url, { redirect: 'manual' });

      expect(response.status).toBe(400);
      expect(response.headers.get('location')).toBeNull();
      expect(await response.json()).toMatchObject({ error: 'invalid_redirect_uri' });
    }
  });

  it("lets a browser app redeem codes from its callback's loopback origin (any port), and no other origin", async () => {
    const allowed = async (origin: string) => {
      // A code redemption as a browser sends it (the code is made up: only CORS is looked at).
      const response = await fetch(as.token_endpoint ?? '', {
        method: 'POST',
        headers: { origin, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          client_id: client.client_id,
          grant_type: 'authorization_code',
          code: 'made-up',
          redirect_uri: REDIRECT,
          code_verifier: oauth.generateRandomCodeVerifier(),
        }),
      });
      return response.headers.get('access-control-allow-origin');
    };

    expect(await allowed('http://127.0.0.1:47123')).toBe('http://127.0.0.1:47123');
    expect(await allowed('https://evil.example')).toBeNull();
    expect(await allowed('http://localhost.evil.example:47123')).toBeNull();
  });

  it('lets no one sign in under a name the demo directory does not know', async () => {
    const started = await authorization(as);

    await expect(new TestBrowser().signIn(started.url.href, 'mallory', REDIRECT)).rejects.toThrow(
      'too many redirects',
    );
  });
});

describe("a deployment with an external IdP's claim names", () => {
  const names = { user: 'uid', tenant: 'org_id', groups: 'roles' };
  let issuer: JwtIssuer;

  beforeAll(async () => {
    issuer = await startJwtIssuer(LOCAL_AUDIENCE, 0, names, {
      people: [{ sub: 'nia', tenantId: 'idp-north', groups: ['analyst'] }],
    });
  });

  afterAll(() => issuer?.stop());

  it('puts the person in the ID token under those names', async () => {
    const as = await discover(issuer.issuer);
    const started = await authorization(as);
    const result = await exchange(as, await signIn(as, started, 'nia'), started.verifier);

    const claims = oauth.getValidatedIdTokenClaims(result);
    expect(claims).toMatchObject({
      uid: 'nia',
      org_id: 'idp-north',
      roles: ['analyst'],
      aud: LOCAL_AUDIENCE,
    });
    await expect(verifierFor(issuer.issuer, names)(result.id_token ?? '')).resolves.toMatchObject({
      tenantId: 'idp-north',
      userId: 'nia',
      roles: ['analyst'],
    });
  });
});

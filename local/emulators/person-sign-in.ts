/**
 * Signing in to the local issuer as a person: OpenID Connect authorization code + PKCE through
 * `oidc-provider` (a maintained, certified implementation), sharing the issuer's URL, RS256 key
 * and JWKS path, so the API's authorizer accepts its ID tokens exactly as it accepts minted ones.
 *
 * One public client (id = the issuer's audience, no secret, PKCE S256 required). It is a native
 * client in oidc-provider's terms, so a loopback redirect URI matches on any port (RFC 8252 §7.3).
 * The login is oidc-provider's DEVELOPMENT login page: any password, and the name must be one of
 * the demo people (any other name is shown the login page again), then its consent page, which
 * oidc-provider shows a native client's user on every sign-in (RFC 8252 §8.6). The ID token
 * carries the person's user, tenant and groups under the issuer's claim names, as `mint` does.
 */
import { randomBytes } from 'node:crypto';
import type { JWK } from 'jose';
import Provider, { interactionPolicy } from 'oidc-provider';
import type { ClaimNames } from '../../lambdas/auth/claim-names.js';
import type { DemoIdentity } from './jwt-issuer.js';

/** Where a browser console may be sent back to; loopback ports may vary. */
export const DEFAULT_SIGN_IN_REDIRECT_URIS: readonly string[] = [
  'http://127.0.0.1/console/callback',
  'http://localhost:5173/callback',
];

export interface PersonSignInOptions {
  readonly issuer: string;
  /** The client id, and so the ID token's `aud`. */
  readonly clientId: string;
  /** The issuer's private signing key (with its `kid`, `alg` and `use`). */
  readonly signingKey: JWK;
  /** Where the provider serves the public keys (the path the stack is configured with). */
  readonly jwksPath: string;
  readonly claimNames: ClaimNames;
  /** Who may sign in; any other name is refused. */
  readonly people: readonly DemoIdentity[];
  readonly redirectUris: readonly string[];
}

/** The provider, to be served at the issuer's origin (its `callback()` handles the requests). */
export function createPersonSignIn(options: PersonSignInOptions): Provider {
  const { claimNames } = options;
  const identityClaims = [...new Set(['sub', claimNames.user, claimNames.tenant, claimNames.groups])];
  const byName = new Map(options.people.map((person) => [person.sub, person]));
  const provider = new Provider(options.issuer, {
    clients: [
      {
        client_id: options.clientId,
        application_type: 'native',
        token_endpoint_auth_method: 'none',
        redirect_uris: [...options.redirectUris],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        id_token_signed_response_alg: 'RS256',
      },
    ],
    jwks: { keys: [options.signingKey] },
    routes: { jwks: options.jwksPath },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    pkce: { required: () => true },
    scopes: ['openid'],
    claims: { openid: identityClaims },
    // Code flow: put the identity claims in the ID token (the authorizer reads them there).
    conformIdTokenClaims: false,
    findAccount: async (_ctx, accountId) => {
      const person = byName.get(accountId);
      if (person === undefined) return undefined;
      return {
        accountId,
        claims: async () => ({
          sub: accountId,
          [claimNames.user]: person.sub,
          [claimNames.tenant]: person.tenantId,
          [claimNames.groups]: [...person.groups],
        }),
      };
    },
    ttl: {
      IdToken: 3600,
      AccessToken: 3600,
      AuthorizationCode: 60,
      Session: 86_400,
      Interaction: 600,
      Grant: 86_400,
    },
    renderError: async (ctx, out) => {
      ctx.type = 'application/json';
      ctx.body = out;
    },
    features: { devInteractions: { enabled: true } },
    // A browser app (the web console) redeems its code from its own origin: allow the origins of
    // the client's redirect URIs, a loopback one on any port (as its redirect URIs match).
    clientBasedCORS: (_ctx, origin, client) =>
      (client.redirectUris ?? []).some((uri) => mayCallFrom(uri, origin)),
    interactions: { policy: loginRefusingUnknownPeople() },
  });
  // Loopback over plain http: the provider must not insist on TLS.
  provider.proxy = false;
  return provider;
}

/** Whether `origin` is the origin of `redirectUri`, any port when that is a loopback one registered without a port. */
function mayCallFrom(redirectUri: string, origin: string): boolean {
  let registered: URL;
  let caller: URL;
  try {
    registered = new URL(redirectUri);
    caller = new URL(origin);
  } catch {
    return false;
  }
  if (registered.origin === origin) return true;
  const loopback = registered.hostname === '127.0.0.1' || registered.hostname === '[::1]';
  return (
    loopback &&
    registered.port === '' &&
    caller.protocol === registered.protocol &&
    caller.hostname === registered.hostname &&
    caller.origin === origin
  );
}

/**
 * The default prompts, with the login asked again while the signed-in name is nobody the
 * directory knows (oidc-provider would otherwise carry on with no account and fail with a 500).
 */
function loginRefusingUnknownPeople(): interactionPolicy.DefaultPolicy {
  const policy = interactionPolicy.base();
  policy
    .get('login')
    ?.checks.add(
      new interactionPolicy.Check(
        'unknown_account',
        'the signed-in name is not a known person',
        'login_required',
        (ctx) => ctx.oidc.session?.accountId !== undefined && ctx.oidc.account === undefined,
      ),
    );
  return policy;
}

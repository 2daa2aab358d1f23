/**
 * A local OIDC-style issuer: an RS256 key pair generated at start, its JWKS at
 * `/.well-known/jwks.json` (plus a minimal discovery document), and demo tokens carrying the
 * claims the authorizer reads (by default Cognito's names `sub`, `custom:tenantId`,
 * `cognito:groups`; an external IdP's names when started with them; iss, aud, exp).
 * `POST /tokens` mints a demo token for anyone on this machine: it is a development issuer.
 *
 * The same issuer also signs people in with OpenID Connect authorization code + PKCE (every other
 * path, discovery and JWKS included, is `oidc-provider`'s; see person-sign-in.ts): the ID tokens
 * carry the same claims, signed with the same key.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import * as z from 'zod';
import { type ClaimNames, DEFAULT_CLAIM_NAMES } from '../../lambdas/auth/claim-names.js';
import { closeServer, LOOPBACK, listenOnLoopback, readBody } from '../net.js';
import { createPersonSignIn, DEFAULT_SIGN_IN_REDIRECT_URIS } from './person-sign-in.js';

export interface DemoIdentity {
  readonly sub: string;
  readonly tenantId: string;
  readonly groups: readonly string[];
}

export interface TokenOptions {
  /** Lifetime in seconds (negative = already expired). @default 3600 */
  readonly expiresInSeconds?: number;
  /** Override the audience (to mint a wrong-audience token). */
  readonly audience?: string;
  /** Override the claim names (to mint a token another IdP would issue). @default the issuer's */
  readonly claimNames?: ClaimNames;
}

export interface JwtIssuer {
  readonly issuer: string;
  readonly audience: string;
  readonly jwksUrl: string;
  /** The claim names its tokens carry the user, the tenant and the groups in. */
  readonly claimNames: ClaimNames;
  /** Where a person signs in (authorization code + PKCE); the client id is `audience`. */
  readonly authorizationUrl: string;
  readonly tokenUrl: string;
  mint(identity: DemoIdentity, options?: TokenOptions): Promise<string>;
  stop(): Promise<void>;
}

const KEY_ID = 'bulkhead-local-1';
const JWKS_PATH = '/.well-known/jwks.json';

/** Who may sign in as a person, and where the signed-in browser may be sent back to. */
export interface SignInOptions {
  /** @default nobody */
  readonly people?: readonly DemoIdentity[];
  /** @default DEFAULT_SIGN_IN_REDIRECT_URIS (loopback ports may vary) */
  readonly redirectUris?: readonly string[];
}

/** Body of `POST /tokens`. */
export const TokenRequestSchema = z.object({
  sub: z.string().min(1),
  tenantId: z.string().min(1),
  groups: z.array(z.string()),
  expiresInSeconds: z.number().int().optional(),
  audience: z.string().optional(),
});

/** Starts the issuer on `port` (0 = any free port), minting tokens with `claimNames`. */
export async function startJwtIssuer(
  audience: string,
  port = 0,
  claimNames: ClaimNames = DEFAULT_CLAIM_NAMES,
  signIn: SignInOptions = {},
): Promise<JwtIssuer> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const signingKey: JWK = { ...(await exportJWK(privateKey)), kid: KEY_ID, alg: 'RS256', use: 'sig' };
  let issuer = '';
  const mint = (identity: DemoIdentity, options: TokenOptions = {}): Promise<string> => {
    const now = Math.floor(Date.now() / 1000);
    const names = options.claimNames ?? claimNames;
    return new SignJWT({
      [names.user]: identity.sub,
      [names.tenant]: identity.tenantId,
      [names.groups]: [...identity.groups],
    })
      .setProtectedHeader({ alg: 'RS256', kid: KEY_ID, typ: 'JWT' })
      .setIssuer(issuer)
      .setAudience(options.audience ?? audience)
      .setIssuedAt(now)
      .setExpirationTime(now + (options.expiresInSeconds ?? 3600))
      .sign(privateKey);
  };
  const mintOnRequest = (request: IncomingMessage, response: ServerResponse): void => {
    readBody(request)
      .then(async (body) => {
        const parsed = TokenRequestSchema.safeParse(JSON.parse(body.toString('utf8') || '{}'));
        if (!parsed.success) {
          response.writeHead(400, { 'content-type': 'application/json' });
          response.end(JSON.stringify({ message: parsed.error.message }));
          return;
        }
        const { expiresInSeconds, audience: tokenAudience, ...identity } = parsed.data;
        const token = await mint(identity, {
          ...(expiresInSeconds === undefined ? {} : { expiresInSeconds }),
          ...(tokenAudience === undefined ? {} : { audience: tokenAudience }),
        });
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ token }));
      })
      .catch(() => {
        response.writeHead(400, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ message: 'body must be JSON' }));
      });
  };
  const server = createServer();
  const boundPort = await listenOnLoopback(server, port);
  issuer = `http://${LOOPBACK}:${boundPort}`;
  const provider = createPersonSignIn({
    issuer,
    clientId: audience,
    signingKey,
    jwksPath: JWKS_PATH,
    claimNames,
    people: signIn.people ?? [],
    redirectUris: signIn.redirectUris ?? DEFAULT_SIGN_IN_REDIRECT_URIS,
  });
  const signInCallback = provider.callback();
  server.on('request', (request, response) => {
    if (request.method === 'POST' && request.url === '/tokens') mintOnRequest(request, response);
    else signInCallback(request, response);
  });
  return {
    issuer,
    audience,
    jwksUrl: `${issuer}${JWKS_PATH}`,
    claimNames,
    authorizationUrl: `${issuer}/auth`,
    tokenUrl: `${issuer}/token`,
    mint,
    stop: () => closeServer(server),
  };
}

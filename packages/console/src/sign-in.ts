/**
 * Sign-in with authorization code + PKCE (S256) and state, through oauth4webapi. The tokens live in
 * this module only (memory): a reload signs in again. sessionStorage holds just the PKCE verifier,
 * state and the page to return to while the browser is away at the issuer, and is cleared at the
 * callback. The API's bearer is the ID token (the authorizer checks its `aud`).
 */
import * as oauth from 'oauth4webapi';
import type { ConsoleConfig } from './config.js';
import { hasStrings } from './json-shape.js';

const PENDING_KEY = 'bulkhead-console-sign-in';
export const CALLBACK_PATH = `${import.meta.env.BASE_URL}callback`;

interface Pending {
  readonly verifier: string;
  readonly state: string;
  readonly returnTo: string;
}

let idToken: string | undefined;

/** The ID token of the person signed in, if any. */
export const currentIdToken = (): string | undefined => idToken;

/** The ID token has run out (or will within 30 s): the API will answer 401 until the person signs in again. */
export function idTokenExpired(): boolean {
  if (idToken === undefined) return true;
  const payload: unknown = JSON.parse(
    atob(idToken.split('.')[1]?.replace(/-/g, '+').replace(/_/g, '/') ?? ''),
  );
  const exp = typeof payload === 'object' && payload !== null && 'exp' in payload ? payload.exp : undefined;
  return typeof exp !== 'number' || exp * 1000 < Date.now() + 30_000;
}

/**
 * Forgets the tokens. The issuer's own session (a cookie on its domain) is left: signing in again
 * in this browser may not ask for the password while it lasts.
 */
export function signOut(): void {
  idToken = undefined;
}

const redirectUri = (): string => new URL(CALLBACK_PATH, location.origin).href;

/** Plain http is allowed only for an issuer on this machine (the local cloud). */
function requestOptions(config: ConsoleConfig): { [oauth.allowInsecureRequests]?: boolean } {
  const host = new URL(config.issuer).hostname;
  const loopback = host === '127.0.0.1' || host === 'localhost' || host === '[::1]';
  return loopback ? { [oauth.allowInsecureRequests]: true } : {};
}

async function discover(config: ConsoleConfig): Promise<oauth.AuthorizationServer> {
  const issuer = new URL(config.issuer);
  const response = await oauth.discoveryRequest(issuer, requestOptions(config));
  return oauth.processDiscoveryResponse(issuer, response);
}

/** Sends the browser to the issuer's sign-in; it comes back to the callback, then to `returnTo`. */
export async function startSignIn(config: ConsoleConfig, returnTo: string): Promise<void> {
  const as = await discover(config);
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const url = new URL(as.authorization_endpoint ?? '');
  url.searchParams.set('client_id', config.clientId);
  url.searchParams.set('redirect_uri', redirectUri());
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('scope', 'openid');
  url.searchParams.set('state', state);
  url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(verifier));
  url.searchParams.set('code_challenge_method', 'S256');
  const pending: Pending = { verifier, state, returnTo };
  sessionStorage.setItem(PENDING_KEY, JSON.stringify(pending));
  location.assign(url.href);
}

/** At the callback: checks state, redeems the code with the verifier, keeps the ID token; returns where to go. */
export async function finishSignIn(config: ConsoleConfig, callback: URL): Promise<string> {
  const stored = sessionStorage.getItem(PENDING_KEY);
  sessionStorage.removeItem(PENDING_KEY);
  if (stored === null) throw new Error('no sign-in was started from this tab');
  const pending: unknown = JSON.parse(stored);
  if (!hasStrings(pending, ['verifier', 'state', 'returnTo']))
    throw new Error('the sign-in this tab started was stored unreadably: sign in again');
  const as = await discover(config);
  const client: oauth.Client = { client_id: config.clientId };
  const params = oauth.validateAuthResponse(as, client, callback, pending.state);
  const response = await oauth.authorizationCodeGrantRequest(
    as,
    client,
    oauth.None(),
    params,
    redirectUri(),
    pending.verifier,
    requestOptions(config),
  );
  const result = await oauth.processAuthorizationCodeResponse(as, client, response);
  if (result.id_token === undefined) throw new Error('the issuer sent no ID token');
  idToken = result.id_token;
  return pending.returnTo;
}

/**
 * Who is signed in and which API serves them: the pool API, or the silo API for a tenant placed
 * in a silo (the pool API answers that tenant's requests with 421 `wrong_api`). Views read it
 * with `useSession()`; every call they make carries the person's own token.
 */
import { type BulkheadClient, createBulkheadClient, type operations } from '@bulkhead/client';
import type { Middleware } from 'openapi-fetch';
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { type ApiRefusal, refusalOf } from './api-error.js';
import type { ConsoleConfig } from './config.js';
import { currentIdToken, idTokenExpired, startSignIn } from './sign-in.js';

/** `GET /v1/me`: the request context the API resolved from the token. */
export type Me = operations['getMe']['responses'][200]['content']['application/json'];

export interface Session {
  readonly api: BulkheadClient;
  readonly me: Me;
  /** The person holds `role` (operators hold `operator`, tenant admins `admin`). */
  has(role: Me['roles'][number]): boolean;
}

export const SessionContext = createContext<Session | undefined>(undefined);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (session === undefined) throw new Error('useSession outside a signed-in console');
  return session;
}

/**
 * A 401 once the ID token has run out sends the person to sign in again, back to the page they
 * are on (the issuer's session usually makes that a bounce). Any other 401 is shown as refused:
 * signing in again would not change it, and would loop. A sign-in that cannot start (the issuer's
 * discovery fails) goes to `onSignInFailed`, which shows it.
 */
const signInWhenExpired = (config: ConsoleConfig, onSignInFailed: (err: unknown) => void): Middleware => ({
  onResponse({ response }) {
    if (response.status === 401 && idTokenExpired())
      startSignIn(config, location.pathname + location.search).catch(onSignInFailed);
  },
});

/** Asks the pool API who this is; a 421 means the person's tenant lives in its silo. */
export async function openSession(
  config: ConsoleConfig,
  onSignInFailed: (err: unknown) => void,
): Promise<Session | ApiRefusal> {
  const client = (baseUrl: string) => {
    const api = createBulkheadClient({ baseUrl, getToken: () => currentIdToken() ?? '' });
    api.use(signInWhenExpired(config, onSignInFailed));
    return api;
  };
  let api = client(config.apiUrl);
  let answer = await api.GET('/v1/me');
  if (answer.response.status === 421 && config.siloApiUrl !== undefined) {
    api = client(config.siloApiUrl);
    answer = await api.GET('/v1/me');
  }
  const me = answer.data;
  if (me === undefined) return refusalOf(answer.response, answer.error);
  return { api, me, has: (role) => me.roles.includes(role) };
}

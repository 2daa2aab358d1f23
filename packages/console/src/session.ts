/**
 * Who is signed in and which API serves them: the pool API, or the silo API for a tenant placed
 * in a silo (the pool API answers that tenant's requests with 421 `wrong_api`). Views read it
 * with `useSession()`; every call they make carries the person's own token.
 */
import { type BulkheadClient, createBulkheadClient, type operations } from '@bulkhead/client';
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { type ApiRefusal, refusalOf } from './api-error.js';
import type { ConsoleConfig } from './config.js';

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

/** Asks the pool API who this is; a 421 means the person's tenant lives in its silo. */
export async function openSession(config: ConsoleConfig, token: () => string): Promise<Session | ApiRefusal> {
  const client = (baseUrl: string) => createBulkheadClient({ baseUrl, getToken: token });
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

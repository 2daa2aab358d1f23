/** Calls the local API Gateway with demo tokens from the local issuer. */
import { cloud } from './local-cloud.js';

export interface Caller {
  readonly sub: string;
  readonly tenantId: string;
  readonly groups: readonly string[];
}

export const OPERATOR: Caller = { sub: 'ops-1', tenantId: 'platform', groups: ['operator'] };

/** A token from the local issuer's demo endpoint. */
export async function tokenFor(
  caller: Caller,
  options: { expiresInSeconds?: number; audience?: string } = {},
): Promise<string> {
  const response = await fetch(`${cloud.issuer}/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...caller, ...options }),
  });
  const { token } = (await response.json()) as { token: string };
  return token;
}

export interface ApiAnswer {
  readonly status: number;
  readonly body: unknown;
}

/** One API call; `authorization` is sent as given (undefined = no header). */
export async function callApi(
  method: string,
  path: string,
  authorization?: string,
  body?: unknown,
): Promise<ApiAnswer> {
  const response = await fetch(`${cloud.apiEndpoint}${path}`, {
    method,
    headers: {
      ...(authorization === undefined ? {} : { authorization }),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text.length === 0 ? undefined : JSON.parse(text) };
}

/** Calls as a demo user. */
export async function callAs(
  caller: Caller,
  method: string,
  path: string,
  body?: unknown,
): Promise<ApiAnswer> {
  return callApi(method, path, `Bearer ${await tokenFor(caller)}`, body);
}

/** Onboards a tenant through the operator API and assigns roles. */
export async function onboard(tenantId: string, tier: 'basic' | 'premium' | 'enterprise'): Promise<void> {
  const answer = await callAs(OPERATOR, 'POST', '/v1/admin/tenants', {
    tenantId,
    name: `Tenant ${tenantId}`,
    tier,
  });
  if (answer.status !== 201) throw new Error(`onboarding ${tenantId} failed: ${JSON.stringify(answer)}`);
}

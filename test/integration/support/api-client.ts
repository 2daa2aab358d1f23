/** Calls the local API Gateway with demo tokens from the local issuer. */
import { type ApiAnswer, type ApiResponse, requestJson } from './json-request.js';
import { cloud } from './local-cloud.js';

export type { ApiAnswer, ApiResponse };

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

/** One API call; `authorization` is sent as given (undefined = no header); the pool API unless `endpoint`. */
export function callApi(
  method: string,
  path: string,
  authorization?: string,
  body?: unknown,
  endpoint: string = cloud.apiEndpoint,
  headers: Readonly<Record<string, string>> = {},
): Promise<ApiResponse> {
  return requestJson(`${endpoint}${path}`, method, { authorization, body, headers });
}

/** Calls as a demo user (the pool API unless `endpoint`, e.g. `cloud.siloApiEndpoint`). */
export async function callAs(
  caller: Caller,
  method: string,
  path: string,
  body?: unknown,
  endpoint?: string,
  headers?: Readonly<Record<string, string>>,
): Promise<ApiResponse> {
  return callApi(method, path, `Bearer ${await tokenFor(caller)}`, body, endpoint, headers);
}

/** A tenant's own guard-rail settings, given when it is onboarded (its tier's defaults otherwise). */
export interface TenantSettings {
  readonly monthlyBudgetUsd?: number;
  readonly monthlyTokenBudget?: number;
  readonly rateLimits?: {
    readonly perUserPerMinute?: number;
    readonly perTenantPerMinute?: number;
    readonly tokensPerUserPerMinute?: number;
    readonly tokensPerTenantPerMinute?: number;
    readonly inFlightPerTenant?: number;
  };
  readonly modelId?: string;
  readonly retention?: {
    readonly chatHistoryDays?: number;
    readonly memoryDays?: number;
    readonly usageRecordsDays?: number;
    readonly documentsDays?: number;
  };
}

/** Onboards a tenant through the operator API. */
export async function onboard(
  tenantId: string,
  tier: 'basic' | 'premium' | 'enterprise',
  settings: TenantSettings = {},
): Promise<void> {
  const answer = await callAs(OPERATOR, 'POST', '/v1/admin/tenants', {
    tenantId,
    name: `Tenant ${tenantId}`,
    tier,
    ...settings,
  });
  if (answer.status !== 201) throw new Error(`onboarding ${tenantId} failed: ${JSON.stringify(answer)}`);
}

export interface ServerSentEvent {
  readonly event: string;
  readonly data: unknown;
}

export interface StreamAnswer {
  readonly status: number;
  readonly contentType: string | null;
  /** The events of a `text/event-stream` answer (empty otherwise). */
  readonly events: readonly ServerSentEvent[];
  /** The JSON body of a non-stream answer (an error). */
  readonly body: unknown;
}

/** POSTs to the streaming chat (of the pool API unless `endpoint`) and reads the whole answer, parsed into events or a JSON body. */
export async function streamAs(
  caller: Caller,
  path: string,
  body: unknown,
  endpoint: string = cloud.apiEndpoint,
): Promise<StreamAnswer> {
  const response = await fetch(`${endpoint}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await tokenFor(caller)}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const contentType = response.headers.get('content-type');
  const text = await response.text();
  if (!(contentType ?? '').startsWith('text/event-stream')) {
    return { status: response.status, contentType, events: [], body: JSON.parse(text) };
  }
  const events = text
    .split('\n\n')
    .filter((block) => block.trim().length > 0)
    .map((block) => {
      const fields = new Map(
        block
          .split('\n')
          .map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).trim()]),
      );
      return { event: fields.get('event') ?? 'message', data: JSON.parse(fields.get('data') ?? 'null') };
    });
  return { status: response.status, contentType, events, body: undefined };
}

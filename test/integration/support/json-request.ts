/**
 * One JSON request to an API and its answer, parsed — the one way the integration tests send
 * one — and a caller for a local cloud a test file started itself (its own issuer mints the tokens).
 */
import type { DemoIdentity } from '../../../local/emulators/jwt-issuer.js';
import type { LocalCloud } from '../../../local/local-cloud.js';

export interface ApiAnswer {
  readonly status: number;
  readonly body: unknown;
}

/** An answer with its response headers (e.g. Retry-After). */
export interface ApiResponse extends ApiAnswer {
  readonly headers: Headers;
}

export interface JsonRequest {
  /** Sent as given; none when undefined. */
  readonly authorization?: string;
  /** Sent as JSON; no body when undefined. */
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export async function requestJson(
  url: string,
  method: string,
  request: JsonRequest = {},
): Promise<ApiResponse> {
  const { authorization, body, headers = {} } = request;
  const response = await fetch(url, {
    method,
    headers: {
      ...headers,
      ...(authorization === undefined ? {} : { authorization }),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: text.length === 0 ? undefined : JSON.parse(text),
    headers: response.headers,
  };
}

/**
 * Calls the pool API (or `endpoint`) of the cloud `cloudOf` returns at the time of the call — a
 * test may restart its cloud — as `as`, with a token from that cloud's issuer.
 */
export function callerOf(cloudOf: () => Pick<LocalCloud, 'apiEndpoint' | 'issuer'>) {
  return async (as: DemoIdentity, method: string, path: string, body?: unknown, endpoint?: string) => {
    const cloud = cloudOf();
    const token = await cloud.issuer.mint(as);
    return requestJson(`${endpoint ?? cloud.apiEndpoint}${path}`, method, {
      authorization: `Bearer ${token}`,
      body,
    });
  };
}

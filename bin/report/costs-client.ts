/**
 * The report's HTTPS client of `GET /v1/admin/costs`, through the typed
 * `@bulkhead/client`: it holds no cloud credentials at all, only an
 * operator's token, and the API reads each tenant's data through that
 * tenant's own session.
 */
import { type BulkheadClient, createBulkheadClient } from '@bulkhead/client';
import * as z from 'zod';
import { type PlatformCosts, PlatformCostsSchema } from '../../lambdas/metering/platform-costs.js';
import { ApiFailedError, ApiRefusedError, UsageError } from './errors.js';

const REQUEST_TIMEOUT_MS = 60_000;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

const ErrorBodySchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

/** The API's base URL; plain http only on loopback (the local cloud), so a token never crosses a network unencrypted. */
export function apiBaseUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch (err) {
    throw new UsageError(`--api is not a URL: ${raw}`, { cause: err });
  }
  if (url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname))) return url;
  throw new UsageError('--api must be an https:// URL (http:// only for 127.0.0.1 or localhost)');
}

function errorMessageOf(body: unknown, status: number): string {
  const parsed = ErrorBodySchema.safeParse(body);
  return parsed.success ? `${parsed.data.error.code}: ${parsed.data.error.message}` : `HTTP ${status}`;
}

/** Fetches the platform cost report; throws ApiRefusedError (401/403) or ApiFailedError. */
export async function fetchPlatformCosts(options: {
  readonly baseUrl: URL;
  readonly token: string;
  readonly month?: string;
}): Promise<PlatformCosts> {
  const client = createBulkheadClient({ baseUrl: options.baseUrl.href, token: options.token });
  let answer: Awaited<ReturnType<typeof requestCosts>>;
  try {
    answer = await requestCosts(client, options.month);
  } catch (err) {
    throw new ApiFailedError(`cannot reach ${options.baseUrl.origin}`, { cause: err });
  }
  const { data, error, response } = answer;
  if (response.status === 401 || response.status === 403) {
    const hint =
      response.status === 401 ? 'the token is missing, invalid or expired' : 'the operator role is required';
    throw new ApiRefusedError(
      response.status,
      `the API refused the request (${hint}): ${errorMessageOf(error, response.status)}`,
    );
  }
  if (data === undefined)
    throw new ApiFailedError(`the API failed: ${errorMessageOf(error, response.status)}`);
  // The report renders what the API promises; an answer that breaks it is refused by name.
  const parsed = PlatformCostsSchema.safeParse(data);
  if (!parsed.success)
    throw new ApiFailedError('the API answered with an unexpected cost report', { cause: parsed.error });
  return parsed.data;
}

function requestCosts(client: BulkheadClient, month: string | undefined) {
  return client.GET('/v1/admin/costs', {
    params: { query: month === undefined ? {} : { month } },
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
}

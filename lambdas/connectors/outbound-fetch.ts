/**
 * The one way out to a tenant's connector (an MCP server or a plain HTTP API). The URL is the tenant's to
 * choose, so every call is a server-side request forgery waiting to happen: it could aim at the instance
 * metadata service, a VPC neighbour or our own loopback, directly or through a DNS name, a redirect, or a
 * DNS answer that changes between our check and the connection (rebinding). And it runs inside a turn we
 * pay for, so a slow or endless answer must not hold it.
 *
 * Hence two checks: `checkConnectorUrl` refuses a URL up front (scheme, credentials, IP literals), and
 * `guardedFetch` checks every address a name resolves to at connect time, inside the dispatcher's DNS
 * lookup, so the address checked is the address used. No redirect is followed, of any kind: a 3xx is an
 * error (a connector URL is the final URL). Every call is bounded in time and in response size.
 */
import { type LookupAddress, lookup as resolve } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';
import type { Agent } from 'undici';
import { ConnectorCallError, ConnectorUrlError } from './errors.js';

/** Where outbound calls may go. The cloud: public https only. The local cloud: also http(s) to loopback. */
export interface OutboundPolicy {
  readonly allowLoopback: boolean;
}

export const CLOUD_OUTBOUND_POLICY: OutboundPolicy = { allowLoopback: false };

export interface OutboundLimits {
  readonly timeoutMs: number;
  readonly maxResponseBytes: number;
}

const MAX_URL_LENGTH = 2048;

/** Public unicast only (IPv4-mapped IPv6 judged as the IPv4 it maps, by `process`); loopback if allowed. */
function isAllowedAddress(address: string, policy: OutboundPolicy): boolean {
  const range = ipaddr.process(address).range();
  return range === 'unicast' || (policy.allowLoopback && range === 'loopback');
}

function isLoopbackHost(hostname: string): boolean {
  return (
    hostname === 'localhost' || (isIP(hostname) !== 0 && ipaddr.process(hostname).range() === 'loopback')
  );
}

/** Checks a connector URL before it is stored or called; returns the parsed URL or throws ConnectorUrlError. */
export function checkConnectorUrl(raw: string, policy: OutboundPolicy): URL {
  if (raw.length > MAX_URL_LENGTH)
    throw new ConnectorUrlError(`a connector URL is at most ${MAX_URL_LENGTH} characters`);
  if (!URL.canParse(raw)) throw new ConnectorUrlError('the connector URL does not parse');
  const url = new URL(raw);
  if (url.username !== '' || url.password !== '')
    throw new ConnectorUrlError('a connector URL must not carry credentials');
  const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (hostname === '') throw new ConnectorUrlError('a connector URL needs a host');
  const loopback = policy.allowLoopback && isLoopbackHost(hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback))
    throw new ConnectorUrlError(policy.allowLoopback ? 'https, or http to loopback, only' : 'https only');
  if (isIP(hostname) !== 0 && !isAllowedAddress(hostname, policy))
    throw new ConnectorUrlError(`${hostname} is not a public address`);
  return url;
}

/** `dns.lookup`, refusing the connection when any resolved address is not allowed (not just the one used). */
function guardedLookup(policy: OutboundPolicy): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, '');
      const refused = addresses.find(({ address }) => !isAllowedAddress(address, policy));
      if (refused)
        return callback(
          new ConnectorCallError(
            'address',
            `${hostname} resolves to ${refused.address}, not a public address`,
          ),
          '',
        );
      const [first] = addresses;
      if (options.all || !first) return callback(null, addresses);
      callback(null, first.address, first.family);
    });
  };
}

/** undici, loaded by the first outbound call rather than at cold start: most requests never leave AWS. */
let undici: Promise<typeof import('undici')> | undefined;
const loadUndici = () => (undici ??= import('undici'));

/** One connection pool per policy, kept across calls; the lookup depends only on `allowLoopback`. */
const agents = new Map<boolean, Agent>();

async function agentFor(policy: OutboundPolicy): Promise<Agent> {
  const { Agent } = await loadUndici();
  let agent = agents.get(policy.allowLoopback);
  if (!agent) {
    agent = new Agent({ connect: { lookup: guardedLookup(policy) } });
    agents.set(policy.allowLoopback, agent);
  }
  return agent;
}

/**
 * What a failure means to the caller. An abort is ours ('timeout') only if the timeout fired first; the
 * caller's own abort stays the caller's (its reason, as is). A network failure (refused connection, unknown
 * name, TLS) is 'address': the connector cannot be reached there. undici wraps those as
 * `TypeError('fetch failed', { cause })`; a refusal of our lookup is that cause.
 */
function translate(error: unknown, signal: AbortSignal, timeout: AbortSignal, limits: OutboundLimits) {
  if (signal.aborted)
    return signal.reason === timeout.reason
      ? new ConnectorCallError('timeout', `no complete answer within ${limits.timeoutMs} ms`, {
          cause: error,
        })
      : error;
  if (error instanceof TypeError && error.cause !== undefined) {
    if (error.cause instanceof ConnectorCallError) return error.cause;
    const reason = error.cause instanceof Error ? error.cause.message : String(error.cause);
    return new ConnectorCallError('address', `the connector cannot be reached: ${reason}`, { cause: error });
  }
  return error;
}

/** `body`, erroring with 'too_large' once more than `max` bytes have come, and with translated errors. */
function capped(body: ReadableStream<Uint8Array>, max: number, fail: (error: unknown) => unknown) {
  const reader = body.getReader();
  let received = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const chunk = await reader.read().catch((error: unknown) => {
        throw fail(error);
      });
      if (chunk.done) return controller.close();
      received += chunk.value.byteLength;
      if (received > max) {
        const error = new ConnectorCallError('too_large', `the answer exceeds ${max} bytes`);
        await reader.cancel(error);
        throw error;
      }
      controller.enqueue(chunk.value);
    },
    cancel: (reason) => reader.cancel(reason),
  });
}

/** A fetch (same signature as the global one, usable as the MCP SDK transport's `fetch` option) that enforces the policy and limits. */
export function guardedFetch(
  policy: OutboundPolicy,
  limits: OutboundLimits,
): (input: string | URL | Request, init?: RequestInit) => Promise<Response> {
  return async (input, init) => {
    const fromRequest: RequestInit =
      input instanceof Request
        ? {
            method: input.method,
            headers: input.headers,
            body: input.body,
            signal: input.signal,
            duplex: 'half',
          }
        : {};
    const url = checkConnectorUrl(input instanceof Request ? input.url : input.toString(), policy);
    const caller = init?.signal ?? fromRequest.signal ?? undefined;
    const timeout = AbortSignal.timeout(limits.timeoutMs);
    const signal = caller ? AbortSignal.any([caller, timeout]) : timeout;
    const fail = (error: unknown) => translate(error, signal, timeout, limits);

    const { fetch: undiciFetch } = await loadUndici();
    const dispatcher = await agentFor(policy);
    // The global RequestInit's types come from Node's bundled undici-types, which differ from undici's in
    // details (FormData's iterator type) that do not matter here.
    const response = await undiciFetch(url, {
      ...fromRequest,
      ...init,
      signal,
      redirect: 'manual',
      dispatcher,
    } as Parameters<typeof undiciFetch>[1]).catch((error: unknown) => {
      throw fail(error);
    });

    const refuse = async (error: ConnectorCallError) => {
      await response.body?.cancel(error);
      throw error;
    };
    if (response.status >= 300 && response.status < 400)
      return refuse(
        new ConnectorCallError(
          'redirect',
          `the connector answered ${response.status}; redirects are not followed`,
        ),
      );
    if (Number(response.headers.get('content-length') ?? 0) > limits.maxResponseBytes)
      return refuse(
        new ConnectorCallError('too_large', `the answer exceeds ${limits.maxResponseBytes} bytes`),
      );

    return new Response(response.body && capped(response.body, limits.maxResponseBytes, fail), {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };
}

/**
 * Talking to a connector: discover its tools, call one. MCP servers are
 * reached with the official MCP SDK client over Streamable HTTP, an HTTP API
 * by its declared operations; both go through the guarded fetch (no private
 * addresses in the cloud, no redirects, bounded bytes and time). Whatever the
 * connector does wrong surfaces as a ConnectorCallError, never as a raw fault.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { JsonValue } from '../agent/converse-model.js';
import { toJsonValue } from '../agent/json-value.js';
import type { DiscoveredTool, HttpOperation } from './connector-definition.js';
import { ConnectorCallError } from './errors.js';
import {
  checkConnectorUrl,
  guardedFetch,
  type OutboundLimits,
  type OutboundPolicy,
} from './outbound-fetch.js';

/** How much of a connector's answer the model reads (the rest is cut, and the cut is said). */
export const MAX_RESULT_CHARS = 8_000;
/** A server may list many tools; discovery reads this many pages at most. */
const MAX_TOOL_PAGES = 5;
const CLIENT_INFO = { name: 'bulkhead', version: '0.1.0' };

/** Where and how to reach a connector. */
export interface ConnectorTarget {
  readonly url: string;
  /** Auth headers (from the tenant's secret); never logged. */
  readonly headers: Readonly<Record<string, string>>;
  readonly limits: OutboundLimits;
  readonly policy: OutboundPolicy;
}

export interface RemoteToolResult {
  /** The connector said the call failed (MCP `isError`, or an HTTP error status). */
  readonly isError: boolean;
  /** What the model reads: text and structured content, cut to MAX_RESULT_CHARS. */
  readonly content: JsonValue;
}

export interface ConnectorClient {
  /** `signal` ends the whole discovery early (each step is also bounded by the connector's timeout). */
  listTools(signal?: AbortSignal): Promise<DiscoveredTool[]>;
  callTool(name: string, args: Record<string, unknown>, signal: AbortSignal): Promise<RemoteToolResult>;
}

/** The connector error behind a failure, or one that names the failure as a protocol fault. */
function connectorError(err: unknown): ConnectorCallError {
  for (let cause: unknown = err; cause instanceof Error; cause = cause.cause) {
    if (cause instanceof ConnectorCallError) return cause;
  }
  if (err instanceof Error && /timed out|timeout/i.test(err.message))
    return new ConnectorCallError('timeout', 'the connector did not answer in time', { cause: err });
  return new ConnectorCallError('protocol', 'the connector did not answer as expected', { cause: err });
}

/** Runs `work`, turning whatever goes wrong into a ConnectorCallError. */
async function asConnectorCall<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw connectorError(err);
  }
}

/** Text and structured content, within the model's budget. */
function boundedContent(text: string, structured: unknown): JsonValue {
  const withStructured: JsonValue =
    structured === undefined ? { text } : { text, structured: toJsonValue(structured) };
  if (JSON.stringify(withStructured).length <= MAX_RESULT_CHARS) return withStructured;
  return { text: text.slice(0, MAX_RESULT_CHARS), truncated: true };
}

/** An MCP server over Streamable HTTP: one short-lived SDK client per call (no session to leak between calls). */
export function mcpConnectorClient(target: ConnectorTarget): ConnectorClient {
  const url = checkConnectorUrl(target.url, target.policy);
  const withClient = <T>(use: (client: Client) => Promise<T>, signal?: AbortSignal): Promise<T> =>
    asConnectorCall(async () => {
      const client = new Client(CLIENT_INFO);
      const transport = new StreamableHTTPClientTransport(url, {
        requestInit: { headers: { ...target.headers } },
        fetch: guardedFetch(target.policy, target.limits),
      });
      await client.connect(transport, { timeout: target.limits.timeoutMs, ...(signal ? { signal } : {}) });
      try {
        return await use(client);
      } finally {
        await client.close().catch(() => undefined);
      }
    });
  const options = (signal?: AbortSignal) => ({
    timeout: target.limits.timeoutMs,
    maxTotalTimeout: target.limits.timeoutMs,
    ...(signal ? { signal } : {}),
  });
  return {
    listTools: (signal) =>
      withClient(async (client) => {
        const tools: DiscoveredTool[] = [];
        let cursor: string | undefined;
        for (let page = 0; page < MAX_TOOL_PAGES; page += 1) {
          const listed = await client.listTools(cursor === undefined ? {} : { cursor }, options(signal));
          for (const tool of listed.tools) {
            tools.push({
              name: tool.name,
              description: tool.description ?? '',
              inputSchema: tool.inputSchema,
              // MCP's annotations are hints; absent a read-only one, assume the tool changes things.
              sideEffects: tool.annotations?.readOnlyHint !== true,
            });
          }
          cursor = listed.nextCursor;
          if (cursor === undefined) break;
        }
        return tools;
      }, signal),
    callTool: (name, args, signal) =>
      withClient(async (client) => {
        const result = await client.callTool({ name, arguments: args }, undefined, options(signal));
        const blocks = Array.isArray(result.content) ? result.content : [];
        const text = blocks
          .map((block) => (block.type === 'text' ? block.text : `[${String(block.type)} content omitted]`))
          .join('\n');
        return { isError: result.isError === true, content: boundedContent(text, result.structuredContent) };
      }, signal),
  };
}

/**
 * Whether an HTTP API answers at its base URL with the stored headers: one GET through the guarded
 * fetch, its body left unread. A base URL need not serve anything itself, so any answer from 200 to
 * 499 means the API is there — except 401 and 403, a refused credential ('credential'); a 5xx is
 * the API failing ('http_status'). Throws ConnectorCallError when it is not reachable.
 */
export async function reachHttpApi(target: ConnectorTarget, signal?: AbortSignal): Promise<void> {
  const base = checkConnectorUrl(target.url, target.policy);
  const response = await asConnectorCall(() =>
    guardedFetch(target.policy, target.limits)(base, {
      method: 'GET',
      headers: { ...target.headers },
      ...(signal ? { signal } : {}),
    }),
  );
  await response.body?.cancel();
  if (response.status === 401 || response.status === 403)
    throw new ConnectorCallError('credential', `the API refused the stored credential (${response.status})`);
  if (response.status >= 500)
    throw new ConnectorCallError('http_status', `the API answered ${response.status}`);
}

/** An HTTP API by its declared operations: path parameters from the input, the rest as query or JSON body. */
export function httpConnectorClient(
  target: ConnectorTarget,
  operations: readonly HttpOperation[],
): ConnectorClient {
  const base = checkConnectorUrl(target.url, target.policy);
  const fetchGuarded = guardedFetch(target.policy, target.limits);
  return {
    listTools: async () =>
      operations.map((operation) => ({
        name: operation.name,
        description: operation.description,
        inputSchema: operation.inputSchema,
        sideEffects: operation.readOnly !== true,
      })),
    callTool: (name, args, signal) =>
      asConnectorCall(async () => {
        const operation = operations.find((candidate) => candidate.name === name);
        if (operation === undefined) throw new ConnectorCallError('protocol', `no operation ${name}`);
        const rest: Record<string, unknown> = { ...args };
        const path = operation.path.replace(/\{([^}]+)\}/g, (_whole, param: string) => {
          const value = rest[param];
          delete rest[param];
          return encodeURIComponent(String(value ?? ''));
        });
        const url = new URL(`${base.pathname.replace(/\/$/, '')}${path}`, base);
        const hasBody = operation.method !== 'GET' && operation.method !== 'DELETE';
        if (!hasBody) {
          for (const [key, value] of Object.entries(rest))
            url.searchParams.set(key, typeof value === 'string' ? value : JSON.stringify(value));
        }
        const response = await fetchGuarded(url, {
          method: operation.method,
          headers: {
            ...target.headers,
            accept: 'application/json',
            ...(hasBody ? { 'content-type': 'application/json' } : {}),
          },
          ...(hasBody ? { body: JSON.stringify(rest) } : {}),
          signal,
        });
        const text = await response.text();
        let structured: unknown;
        try {
          structured = response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : undefined;
        } catch {
          structured = undefined;
        }
        return {
          isError: !response.ok,
          content: boundedContent(structured === undefined ? text : '', structured),
        };
      }),
  };
}

/**
 * The demo "outside system" a tenant connects its agent to: a tiny in-memory ticket tracker
 * exposed as an MCP server (Streamable HTTP, official SDK) on 127.0.0.1. `npm start` runs it so a
 * connector can be registered against something real, and tests use it as the upstream whose
 * `calls()` prove how many times a tool actually ran.
 *
 * Stateless on purpose (a fresh McpServer and transport per POST, as in the SDK's stateless
 * example): nothing about a connection outlives its request, only the tickets do.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as z from 'zod';
import { closeServer, LOOPBACK, listenOnLoopback } from '../net.js';

export interface TicketTracker {
  /** e.g. http://127.0.0.1:PORT/mcp */
  readonly url: string;
  /** Every tools/call it served, in order: tool, arguments and whose tickets (tests prove a tool ran exactly once). */
  calls(): ReadonlyArray<{ readonly tool: string; readonly args: unknown; readonly owner: string }>;
  close(): Promise<void>;
}

const MCP_PATH = '/mcp';
/** Far above any honest tool call; stops a hostile client from filling memory. */
const MAX_BODY_BYTES = 1024 * 1024;

const TicketSchema = z.object({
  id: z.string(),
  title: z.string(),
  body: z.string().optional(),
  status: z.enum(['open', 'closed']),
});
type Ticket = z.infer<typeof TicketSchema>;

interface RecordedCall {
  readonly tool: string;
  readonly args: unknown;
  /** Whose tickets the call acted on. */
  readonly owner: string;
}

/** Who a request acts for: the OAuth token's subject, or one shared owner for key or no auth. */
const SHARED_OWNER = 'shared';

/** The tracker's state: shared by every per-request McpServer; each owner sees only its own tickets. */
class TicketBook {
  readonly #tickets = new Map<string, Ticket & { readonly owner: string }>();
  readonly calls: RecordedCall[] = [];
  readonly #seeded = new Set<string>();
  #lastId = 0;

  add(owner: string, fields: { title: string; body?: string | undefined }): Ticket {
    this.#lastId += 1;
    const ticket: Ticket = { id: `T-${this.#lastId}`, ...fields, status: 'open' };
    this.#tickets.set(ticket.id, { ...ticket, owner });
    return ticket;
  }

  list(owner: string, status: Ticket['status'] | undefined): Ticket[] {
    this.#seed(owner);
    return [...this.#tickets.values()]
      .filter((ticket) => ticket.owner === owner && (status === undefined || ticket.status === status))
      .map(({ owner: _owner, ...ticket }) => ticket);
  }

  close(owner: string, id: string): Ticket | undefined {
    this.#seed(owner);
    const ticket = this.#tickets.get(id);
    if (ticket === undefined || ticket.owner !== owner) return undefined;
    const closed = { ...ticket, status: 'closed' as const };
    this.#tickets.set(id, closed);
    const { owner: _owner, ...shown } = closed;
    return shown;
  }

  /** Every owner starts with tickets of their own (the shared owner with the two demo ones). */
  #seed(owner: string): void {
    if (this.#seeded.has(owner)) return;
    this.#seeded.add(owner);
    if (owner === SHARED_OWNER) {
      this.add(owner, {
        title: 'VPN drops every hour',
        body: 'Since the firmware update, roughly on the hour.',
      });
      this.add(owner, { title: 'Invoice PDF shows the wrong currency' });
    } else {
      this.add(owner, { title: `Onboarding checklist for ${owner}` });
    }
  }
}

/** A result a model can read (JSON text) that a program can read too (structuredContent). */
function structured(content: Record<string, unknown>): CallToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(content) }], structuredContent: content };
}

/** One McpServer over the shared book, acting for `owner`; calls are recorded once they reach a tool. */
function ticketServer(book: TicketBook, owner: string): McpServer {
  const server = new McpServer({ name: 'demo-ticket-tracker', version: '1.0.0' });
  const ran = (tool: string, args: unknown): void => {
    book.calls.push({ tool, args, owner });
  };
  server.registerTool(
    'list_tickets',
    {
      description: 'Lists the tickets, optionally only the open or the closed ones.',
      inputSchema: { status: z.enum(['open', 'closed']).optional().describe('Only tickets in this status') },
      outputSchema: { tickets: z.array(TicketSchema) },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    (args) => {
      ran('list_tickets', args);
      return structured({ tickets: book.list(owner, args.status) });
    },
  );
  server.registerTool(
    'create_ticket',
    {
      description: 'Opens a new ticket.',
      inputSchema: {
        title: z.string().min(1).max(200).describe('One-line summary'),
        body: z.string().max(2000).optional().describe('Details'),
      },
      outputSchema: { ticket: TicketSchema },
      annotations: {
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: false,
        openWorldHint: false,
      },
    },
    (args) => {
      ran('create_ticket', args);
      return structured({ ticket: book.add(owner, args) });
    },
  );
  server.registerTool(
    'close_ticket',
    {
      description: 'Closes a ticket by id. Closing a closed ticket changes nothing.',
      inputSchema: { id: z.string().min(1).describe('Ticket id, e.g. T-1') },
      outputSchema: { ticket: TicketSchema },
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
    },
    (args) => {
      ran('close_ticket', args);
      const ticket = book.close(owner, args.id);
      if (ticket === undefined)
        return { content: [{ type: 'text', text: `No ticket with id ${args.id}.` }], isError: true };
      return structured({ ticket });
    },
  );
  return server;
}

function respondJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}

function rpcError(code: number, message: string): unknown {
  return { jsonrpc: '2.0', error: { code, message }, id: null };
}

/** Who may call: anyone, holders of one API key, or holders of an access token from one OAuth server. */
export type TrackerAuth =
  | { readonly kind: 'none' }
  | { readonly kind: 'api_key'; readonly apiKey: string }
  | { readonly kind: 'oauth'; readonly issuer: string; readonly jwksUrl: string; readonly audience: string };

/** The owner a request acts for, or undefined when it is not authorized. */
type Authenticator = (request: IncomingMessage) => Promise<string | undefined>;

function authenticator(auth: TrackerAuth): Authenticator {
  switch (auth.kind) {
    case 'none':
      return async () => SHARED_OWNER;
    case 'api_key': {
      // Compared in constant time (hashing evens out the lengths).
      const expected = createHash('sha256').update(`Bearer ${auth.apiKey}`).digest();
      return async (request) => {
        const given = createHash('sha256')
          .update(request.headers.authorization ?? '')
          .digest();
        return timingSafeEqual(given, expected) ? SHARED_OWNER : undefined;
      };
    }
    case 'oauth': {
      const keys = createRemoteJWKSet(new URL(auth.jwksUrl));
      return async (request) => {
        const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
        if (token === undefined) return undefined;
        try {
          const { payload } = await jwtVerify(token, keys, { issuer: auth.issuer, audience: auth.audience });
          return typeof payload.sub === 'string' ? payload.sub : undefined;
        } catch {
          return undefined;
        }
      };
    }
  }
}

/** The body, or undefined once it passes MAX_BODY_BYTES (the rest is drained and dropped). */
function readBoundedBody(request: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const collect = (chunk: Buffer): void => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) {
        chunks.push(chunk);
        return;
      }
      // Destroying the request would take the socket (and our 413) with it: drain instead.
      request.off('data', collect);
      request.resume();
      resolve(undefined);
    };
    request.on('data', collect);
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

async function serveMcpPost(
  book: TicketBook,
  owner: string,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  if (Number(request.headers['content-length'] ?? 0) > MAX_BODY_BYTES)
    return respondJson(response, 413, rpcError(-32600, 'Request body too large'), { connection: 'close' });
  const body = await readBoundedBody(request);
  if (body === undefined)
    return respondJson(response, 413, rpcError(-32600, 'Request body too large'), { connection: 'close' });
  let message: unknown;
  try {
    message = JSON.parse(body.toString('utf8'));
  } catch {
    return respondJson(response, 400, rpcError(-32700, 'Parse error'));
  }
  const server = ticketServer(book, owner);
  const transport = new StreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
    enableJsonResponse: true,
  });
  response.on('close', () => void server.close());
  await server.connect(transport);
  await transport.handleRequest(request, response, message);
}

export async function startTicketTracker(
  options: {
    port?: number;
    apiKey?: string;
    oauth?: Omit<Extract<TrackerAuth, { kind: 'oauth' }>, 'kind'>;
  } = {},
): Promise<TicketTracker> {
  const book = new TicketBook();
  const authenticate = authenticator(
    options.oauth !== undefined
      ? { kind: 'oauth', ...options.oauth }
      : options.apiKey !== undefined
        ? { kind: 'api_key', apiKey: options.apiKey }
        : { kind: 'none' },
  );
  const route = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    if (new URL(request.url ?? '/', 'http://tracker').pathname !== MCP_PATH)
      return respondJson(response, 404, { message: 'not found' });
    const owner = await authenticate(request);
    if (owner === undefined)
      return respondJson(response, 401, rpcError(-32001, 'Unauthorized'), { 'www-authenticate': 'Bearer' });
    // Stateless: no server-initiated stream to GET, no session to DELETE.
    if (request.method !== 'POST') return respondJson(response, 405, rpcError(-32000, 'Method not allowed.'));
    return serveMcpPost(book, owner, request, response);
  };
  const server = createServer((request, response) => {
    route(request, response).catch(() => {
      if (response.headersSent) response.destroy();
      else respondJson(response, 500, rpcError(-32603, 'Internal server error'));
    });
  });
  const port = await listenOnLoopback(server, options.port ?? 0);
  return {
    url: `http://${LOOPBACK}:${port}${MCP_PATH}`,
    calls: () => [...book.calls],
    close: () => closeServer(server),
  };
}

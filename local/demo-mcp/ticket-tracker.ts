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
import { z } from 'zod';
import { closeServer, LOOPBACK, listenOnLoopback } from '../net.js';

export interface TicketTracker {
  /** e.g. http://127.0.0.1:PORT/mcp */
  readonly url: string;
  /** Every tools/call it served, in order: tool name and arguments (tests use it to prove a tool ran exactly once). */
  calls(): ReadonlyArray<{ readonly tool: string; readonly args: unknown }>;
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
}

/** The tracker's state: shared by every per-request McpServer. */
class TicketBook {
  readonly #tickets = new Map<string, Ticket>();
  readonly calls: RecordedCall[] = [];
  #lastId = 0;

  constructor() {
    this.add({ title: 'VPN drops every hour', body: 'Since the firmware update, roughly on the hour.' });
    this.add({ title: 'Invoice PDF shows the wrong currency' });
  }

  add(fields: { title: string; body?: string | undefined }): Ticket {
    this.#lastId += 1;
    const ticket: Ticket = { id: `T-${this.#lastId}`, ...fields, status: 'open' };
    this.#tickets.set(ticket.id, ticket);
    return ticket;
  }

  list(status: Ticket['status'] | undefined): Ticket[] {
    return [...this.#tickets.values()].filter((ticket) => status === undefined || ticket.status === status);
  }

  close(id: string): Ticket | undefined {
    const ticket = this.#tickets.get(id);
    if (ticket !== undefined) ticket.status = 'closed';
    return ticket;
  }
}

/** A result a model can read (JSON text) that a program can read too (structuredContent). */
function structured(content: Record<string, unknown>): CallToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(content) }], structuredContent: content };
}

/** One McpServer over the shared book; calls are recorded once they reach a tool (arguments valid). */
function ticketServer(book: TicketBook): McpServer {
  const server = new McpServer({ name: 'demo-ticket-tracker', version: '1.0.0' });
  const ran = (tool: string, args: unknown): void => {
    book.calls.push({ tool, args });
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
      return structured({ tickets: book.list(args.status) });
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
      return structured({ ticket: book.add(args) });
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
      const ticket = book.close(args.id);
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

/** Compares `authorization` with the expected header in constant time (hashing evens out the lengths). */
function bearerChecker(apiKey: string | undefined): (request: IncomingMessage) => boolean {
  if (apiKey === undefined) return () => true;
  const expected = createHash('sha256').update(`Bearer ${apiKey}`).digest();
  return (request) =>
    timingSafeEqual(
      createHash('sha256')
        .update(request.headers.authorization ?? '')
        .digest(),
      expected,
    );
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
  const server = ticketServer(book);
  const transport = new StreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
    enableJsonResponse: true,
  });
  response.on('close', () => void server.close());
  await server.connect(transport);
  await transport.handleRequest(request, response, message);
}

export async function startTicketTracker(
  options: { port?: number; apiKey?: string } = {},
): Promise<TicketTracker> {
  const book = new TicketBook();
  const authorized = bearerChecker(options.apiKey);
  const route = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    if (new URL(request.url ?? '/', 'http://tracker').pathname !== MCP_PATH)
      return respondJson(response, 404, { message: 'not found' });
    if (!authorized(request))
      return respondJson(response, 401, rpcError(-32001, 'Unauthorized'), { 'www-authenticate': 'Bearer' });
    // Stateless: no server-initiated stream to GET, no session to DELETE.
    if (request.method !== 'POST') return respondJson(response, 405, rpcError(-32000, 'Method not allowed.'));
    return serveMcpPost(book, request, response);
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

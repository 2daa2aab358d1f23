/**
 * The demo ticket tracker (the MCP server `npm start` offers as an outside system) and the fault
 * proxy the connector tests put in front of it, both driven through the official MCP SDK client.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { startTicketTracker, type TicketTracker } from '../../local/demo-mcp/ticket-tracker.js';
import {
  type FaultyMcpProxy,
  type McpFault,
  startFaultyMcpProxy,
} from '../integration/support/faulty-mcp-proxy.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function tracker(options?: { apiKey?: string }): Promise<TicketTracker> {
  const started = await startTicketTracker(options);
  cleanups.push(() => started.close());
  return started;
}

async function proxy(
  upstreamUrl: string,
  options?: { slowMs?: number; oversizedBytes?: number },
): Promise<FaultyMcpProxy> {
  const started = await startFaultyMcpProxy(upstreamUrl, options);
  cleanups.push(() => started.close());
  return started;
}

async function connect(url: string, apiKey?: string): Promise<Client> {
  const client = new Client({ name: 'ticket-tracker-test', version: '1.0.0' });
  const headers = apiKey === undefined ? undefined : { authorization: `Bearer ${apiKey}` };
  await client.connect(
    new StreamableHTTPClientTransport(
      new URL(url),
      headers === undefined ? {} : { requestInit: { headers } },
    ),
  );
  cleanups.push(() => client.close());
  return client;
}

async function call(
  client: Client,
  name: string,
  args: Record<string, unknown> = {},
): Promise<CallToolResult> {
  return (await client.callTool({ name, arguments: args })) as CallToolResult;
}

describe('ticket tracker', () => {
  it('offers the three tools with their annotations and input schemas', async () => {
    const client = await connect((await tracker()).url);
    const tools = Object.fromEntries((await client.listTools()).tools.map((tool) => [tool.name, tool]));
    expect(Object.keys(tools).sort()).toEqual(['close_ticket', 'create_ticket', 'list_tickets']);
    expect(tools.list_tickets?.annotations).toMatchObject({ readOnlyHint: true });
    expect(tools.create_ticket?.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: false });
    expect(tools.close_ticket?.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true });
    expect(tools.list_tickets?.inputSchema).toMatchObject({
      properties: { status: { enum: ['open', 'closed'] } },
    });
    expect(tools.list_tickets?.inputSchema.required ?? []).toEqual([]);
    expect(tools.create_ticket?.inputSchema).toMatchObject({
      properties: {
        title: { type: 'string', minLength: 1, maxLength: 200 },
        body: { type: 'string', maxLength: 2000 },
      },
      required: ['title'],
    });
    expect(tools.close_ticket?.inputSchema).toMatchObject({
      properties: { id: { type: 'string' } },
      required: ['id'],
    });
  });

  it('lists, creates and closes tickets, and records each call once', async () => {
    const server = await tracker();
    const client = await connect(server.url);

    const seeded = await call(client, 'list_tickets', { status: 'open' });
    const { tickets } = seeded.structuredContent as { tickets: Array<{ id: string; status: string }> };
    expect(tickets).toHaveLength(2);
    expect(JSON.parse((seeded.content[0] as { text: string }).text)).toEqual(seeded.structuredContent);

    const created = await call(client, 'create_ticket', { title: 'Printer on fire', body: 'Floor 3' });
    expect(created.isError).toBeFalsy();
    const { ticket } = created.structuredContent as { ticket: { id: string; status: string } };
    expect(ticket).toMatchObject({ title: 'Printer on fire', body: 'Floor 3', status: 'open' });

    const closed = await call(client, 'close_ticket', { id: ticket.id });
    expect(closed.structuredContent).toMatchObject({ ticket: { id: ticket.id, status: 'closed' } });
    const closedOnes = await call(client, 'list_tickets', { status: 'closed' });
    expect(closedOnes.structuredContent).toEqual({ tickets: [{ ...ticket, status: 'closed' }] });

    expect(server.calls()).toEqual([
      { tool: 'list_tickets', args: { status: 'open' }, owner: 'shared' },
      { tool: 'create_ticket', args: { title: 'Printer on fire', body: 'Floor 3' }, owner: 'shared' },
      { tool: 'close_ticket', args: { id: ticket.id }, owner: 'shared' },
      { tool: 'list_tickets', args: { status: 'closed' }, owner: 'shared' },
    ]);
  });

  it('answers closing an unknown ticket with a tool error', async () => {
    const client = await connect((await tracker()).url);
    const result = await call(client, 'close_ticket', { id: 'T-404' });
    expect(result.isError).toBe(true);
    expect(result.content[0]).toMatchObject({ type: 'text', text: expect.stringContaining('T-404') });
  });

  it('rejects invalid arguments without running the tool', async () => {
    const server = await tracker();
    const client = await connect(server.url);
    const result = await call(client, 'create_ticket', { title: '' });
    expect(result.isError).toBe(true);
    expect(server.calls()).toEqual([]);
  });

  it('requires the bearer key when it has one', async () => {
    const server = await tracker({ apiKey: 'demo-key-1' });
    await expect(connect(server.url)).rejects.toMatchObject({ code: 401 });
    await expect(connect(server.url, 'demo-key-2')).rejects.toMatchObject({ code: 401 });
    const client = await connect(server.url, 'demo-key-1');
    expect((await client.listTools()).tools).toHaveLength(3);
  });

  it('refuses GET, oversized and unparsable bodies and keeps serving', async () => {
    const server = await tracker();
    expect((await fetch(server.url)).status).toBe(405);
    const post = (body: string) =>
      fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body,
      });
    expect((await post('x'.repeat(2 * 1024 * 1024))).status).toBe(413);
    expect((await post('{"jsonrpc":')).status).toBe(400);
    const client = await connect(server.url);
    expect((await client.listTools()).tools).toHaveLength(3);
  });
});

describe('faulty MCP proxy', () => {
  /** A tracker behind a proxy, the client connected through the proxy with a short request timeout. */
  async function faultable(options?: { slowMs?: number; oversizedBytes?: number }) {
    const server = await tracker({ apiKey: 'k' });
    const faulty = await proxy(server.url, options);
    const client = await connect(faulty.url, 'k');
    const create = () =>
      client.callTool({ name: 'create_ticket', arguments: { title: 'through the proxy' } }, undefined, {
        timeout: 500,
      });
    return { server, faulty, client, create };
  }

  it('passes everything through, authorization included, while no fault is set', async () => {
    const { server, faulty, create } = await faultable();
    faulty.setFault('http_500');
    faulty.setFault(undefined);
    expect((await create()).isError).toBeFalsy();
    expect(server.calls()).toEqual([
      { tool: 'create_ticket', args: { title: 'through the proxy' }, owner: 'shared' },
    ]);
  });

  it.each<[McpFault, RegExp]>([
    ['slow', /timed out/],
    ['http_500', /injected fault: http_500/],
    ['malformed', /JSON/],
  ])('makes a tools/call fail with %s and lets listTools through', async (fault, error) => {
    const { server, faulty, client, create } = await faultable({ slowMs: 5_000 });
    faulty.setFault(fault);
    const started = Date.now();
    await expect(create()).rejects.toThrow(error);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect((await client.listTools()).tools).toHaveLength(3);
    expect(server.calls()).toEqual([]);
  });

  it('answers a tools/call with an oversized text when oversized', async () => {
    const { server, faulty, create } = await faultable({ oversizedBytes: 3_000_000 });
    faulty.setFault('oversized');
    const result = (await create()) as CallToolResult;
    expect((result.content[0] as { text: string }).text).toHaveLength(3_000_000);
    expect(server.calls()).toEqual([]);
  });

  it('drops a slow call on close instead of forwarding it later', async () => {
    const { server, faulty, create } = await faultable({ slowMs: 800 });
    faulty.setFault('slow');
    await expect(create()).rejects.toThrow(/timed out/i);
    const started = Date.now();
    await faulty.close();
    expect(Date.now() - started).toBeLessThan(500);
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(server.calls()).toEqual([]);
  });
});

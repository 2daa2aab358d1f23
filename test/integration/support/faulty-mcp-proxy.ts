/**
 * A loopback proxy in front of an MCP server that can make its tool calls misbehave, so tests can
 * show what a connector does when the outside system is slow, failing or hostile. Only `tools/call`
 * requests are faulted: initialize, tools/list and notifications always pass, so a connector can be
 * registered first and faulted afterwards. Everything else is forwarded verbatim (method, path,
 * headers including authorization, body), the answer streamed back.
 */
import {
  Agent,
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import * as z from 'zod';
import { closeServer, LOOPBACK, listenOnLoopback, readBody } from '../../../local/net.js';

export type McpFault = 'slow' | 'http_500' | 'malformed' | 'oversized';

export interface FaultyMcpProxy {
  /** http://127.0.0.1:PORT/mcp (the upstream's path on the proxy's port) */
  readonly url: string;
  /** Faults every later tools/call until unset. */
  setFault(fault: McpFault | undefined): void;
  close(): Promise<void>;
}

/** A single (non-batch) JSON-RPC tools/call request; its id is what an injected answer must echo. */
const ToolCallSchema = z.object({ method: z.literal('tools/call'), id: z.union([z.string(), z.number()]) });

function toolCallId(body: Buffer): string | number | undefined {
  try {
    return ToolCallSchema.safeParse(JSON.parse(body.toString('utf8'))).data?.id;
  } catch {
    return undefined;
  }
}

/** What a broken upstream answers to a tools/call ('slow' answers right, only late). */
function wrongAnswer(
  fault: Exclude<McpFault, 'slow'>,
  id: string | number,
  oversizedBytes: number,
): { status: number; body: string } {
  switch (fault) {
    case 'http_500':
      return { status: 500, body: JSON.stringify({ message: 'injected fault: http_500' }) };
    case 'malformed':
      // Truncated mid-result: not JSON at all, let alone a JSON-RPC response.
      return { status: 200, body: `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"result":{"content":[` };
    case 'oversized': {
      const result = { content: [{ type: 'text', text: 'x'.repeat(oversizedBytes) }] };
      return { status: 200, body: JSON.stringify({ jsonrpc: '2.0', id, result }) };
    }
  }
}

function respondJson(response: ServerResponse, status: number, body: string): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(body);
}

export async function startFaultyMcpProxy(
  upstreamUrl: string,
  options: { slowMs?: number; oversizedBytes?: number } = {},
): Promise<FaultyMcpProxy> {
  const upstream = new URL(upstreamUrl);
  const slowMs = options.slowMs ?? 15_000;
  const oversizedBytes = options.oversizedBytes ?? 2 * 1024 * 1024;
  // Our own agent, so close() can destroy every upstream socket, in flight or idle.
  const agent = new Agent({ keepAlive: false });
  const pendingSlowCalls = new Set<NodeJS.Timeout>();
  let fault: McpFault | undefined;

  const forward = (incoming: IncomingMessage, outgoing: ServerResponse, body: Buffer): void => {
    const upstreamRequest = httpRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: incoming.method,
        path: incoming.url,
        headers: { ...incoming.headers, host: upstream.host },
        agent,
      },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    upstreamRequest.on('error', () => outgoing.destroy());
    outgoing.on('close', () => upstreamRequest.destroy());
    upstreamRequest.end(body);
  };

  /** Forwards after slowMs, like an upstream that takes its time. */
  const forwardLate = (incoming: IncomingMessage, outgoing: ServerResponse, body: Buffer): void => {
    const timer = setTimeout(() => {
      pendingSlowCalls.delete(timer);
      forward(incoming, outgoing, body);
    }, slowMs);
    pendingSlowCalls.add(timer);
    // A caller that gave up gets nothing forwarded: the tool does not run behind its back.
    outgoing.on('close', () => {
      clearTimeout(timer);
      pendingSlowCalls.delete(timer);
    });
  };

  const server = createServer((incoming, outgoing) => {
    readBody(incoming).then(
      (body) => {
        const current = fault;
        const id = current === undefined ? undefined : toolCallId(body);
        if (current === undefined || id === undefined) forward(incoming, outgoing, body);
        else if (current === 'slow') forwardLate(incoming, outgoing, body);
        else {
          const answer = wrongAnswer(current, id, oversizedBytes);
          respondJson(outgoing, answer.status, answer.body);
        }
      },
      () => outgoing.destroy(),
    );
  });
  const port = await listenOnLoopback(server, 0);
  return {
    url: `http://${LOOPBACK}:${port}${upstream.pathname}`,
    setFault: (next) => {
      fault = next;
    },
    close: async () => {
      for (const timer of pendingSlowCalls) clearTimeout(timer);
      pendingSlowCalls.clear();
      agent.destroy();
      await closeServer(server);
    },
  };
}

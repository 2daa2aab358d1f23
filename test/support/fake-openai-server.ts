/**
 * A small OpenAI-compatible server for tests, on 127.0.0.1: `GET /v1/models`,
 * `POST /v1/chat/completions` (whole, or server-sent events with text and tool_calls deltas and
 * a usage chunk when `stream_options.include_usage`), `POST /v1/embeddings`. Each request is
 * recorded; what it answers is decided by a `respond` function, so a test scripts its model —
 * including the ways a server fails (a status, a malformed stream, silence).
 */
import { createServer, type ServerResponse } from 'node:http';
import { closeServer, listenOnLoopback, readBody } from '../../local/net.js';

export interface FakeToolCall {
  /** Omitted from the answer when undefined (some servers send none). */
  readonly id?: string;
  readonly name: string;
  /** The arguments as JSON text, sent in two pieces when streamed. */
  readonly arguments: string;
}

/** What the fake answers a chat completion. */
export type FakeAnswer =
  | {
      readonly kind: 'reply';
      readonly text?: string;
      readonly toolCalls?: readonly FakeToolCall[];
      /** @default 'tool_calls' with tool calls, else 'stop' */
      readonly finishReason?: string;
      /** @default prompt 11, completion 7; null: no usage reported */
      readonly usage?: { readonly prompt: number; readonly completion: number } | null;
    }
  /** An HTTP error with this body. */
  | { readonly kind: 'status'; readonly status: number; readonly body: string }
  /** 200 with this text as the `text/event-stream` body, as is. */
  | { readonly kind: 'raw-stream'; readonly body: string }
  /** 200 with this text as the JSON body, as is. */
  | { readonly kind: 'raw-json'; readonly body: string }
  /** Sends `head` (maybe nothing, not even headers when undefined), then never another byte. */
  | { readonly kind: 'silence'; readonly head?: string };

export interface FakeRequest {
  readonly path: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Record<string, unknown>;
}

export interface FakeOpenAiServerOptions {
  /** The chat answer for each request. @default a text echoing the last message */
  readonly respond?: (request: FakeRequest) => FakeAnswer;
  /** The models `GET /v1/models` lists. @default ['fake-chat'] */
  readonly models?: readonly string[];
  /** The size of the vectors `POST /v1/embeddings` answers. @default 1024 */
  readonly embeddingDimensions?: number;
}

export interface FakeOpenAiServer {
  /** The OpenAI API base, `http://127.0.0.1:<port>/v1`. */
  readonly endpoint: string;
  /** Every request received, oldest first. */
  readonly requests: FakeRequest[];
  close(): Promise<void>;
}

const echo = (request: FakeRequest): FakeAnswer => {
  const messages = request.body.messages as { content?: unknown }[] | undefined;
  return { kind: 'reply', text: `echo: ${String(messages?.at(-1)?.content ?? '')}` };
};

export async function startFakeOpenAiServer(
  options: FakeOpenAiServerOptions = {},
): Promise<FakeOpenAiServer> {
  const requests: FakeRequest[] = [];
  const server = createServer((incoming, outgoing) => {
    readBody(incoming).then(
      (raw) => {
        const path = (incoming.url ?? '/').split('?')[0] ?? '/';
        if (incoming.method === 'GET' && path === '/v1/models') {
          return json(outgoing, 200, { data: (options.models ?? ['fake-chat']).map((id) => ({ id })) });
        }
        const body = raw.length === 0 ? {} : (JSON.parse(raw.toString('utf8')) as Record<string, unknown>);
        const request = { path, headers: incoming.headers, body };
        requests.push(request);
        if (path === '/v1/embeddings') {
          const size = options.embeddingDimensions ?? 1024;
          return json(outgoing, 200, {
            data: [{ embedding: Array.from({ length: size }, (_, n) => (n === 0 ? 3 : n === 1 ? 4 : 0)) }],
            usage: { prompt_tokens: 5 },
          });
        }
        if (path !== '/v1/chat/completions') return json(outgoing, 404, { error: { message: `no ${path}` } });
        answer(outgoing, (options.respond ?? echo)(request), body.stream === true);
      },
      () => outgoing.destroy(),
    );
  });
  const port = await listenOnLoopback(server, 0);
  return { endpoint: `http://127.0.0.1:${port}/v1`, requests, close: () => closeServer(server) };
}

function json(outgoing: ServerResponse, status: number, body: unknown): void {
  outgoing.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function answer(outgoing: ServerResponse, scripted: FakeAnswer, streaming: boolean): void {
  switch (scripted.kind) {
    case 'status':
      outgoing.writeHead(scripted.status, { 'content-type': 'application/json' }).end(scripted.body);
      return;
    case 'raw-stream':
      outgoing.writeHead(200, { 'content-type': 'text/event-stream' }).end(scripted.body);
      return;
    case 'raw-json':
      outgoing.writeHead(200, { 'content-type': 'application/json' }).end(scripted.body);
      return;
    case 'silence':
      if (scripted.head !== undefined) {
        outgoing.writeHead(200, { 'content-type': 'text/event-stream' });
        outgoing.write(scripted.head);
      }
      return;
    case 'reply':
      if (streaming) {
        outgoing.writeHead(200, { 'content-type': 'text/event-stream' });
        outgoing.end(sseOf(scripted));
      } else json(outgoing, 200, completionOf(scripted));
  }
}

type Reply = Extract<FakeAnswer, { kind: 'reply' }>;

const finishOf = (reply: Reply) =>
  reply.finishReason ?? ((reply.toolCalls ?? []).length > 0 ? 'tool_calls' : 'stop');

const usageOf = (reply: Reply) =>
  reply.usage === null
    ? undefined
    : {
        prompt_tokens: reply.usage?.prompt ?? 11,
        completion_tokens: reply.usage?.completion ?? 7,
        total_tokens: (reply.usage?.prompt ?? 11) + (reply.usage?.completion ?? 7),
      };

function completionOf(reply: Reply): unknown {
  const calls = reply.toolCalls ?? [];
  const usage = usageOf(reply);
  return {
    id: 'chatcmpl-fake',
    object: 'chat.completion',
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: reply.text ?? null,
          ...(calls.length === 0
            ? {}
            : {
                tool_calls: calls.map((call) => ({
                  ...(call.id === undefined ? {} : { id: call.id }),
                  type: 'function',
                  function: { name: call.name, arguments: call.arguments },
                })),
              }),
        },
        finish_reason: finishOf(reply),
      },
    ],
    ...(usage === undefined ? {} : { usage }),
  };
}

/** The reply as OpenAI streams it: text in pieces, each tool call's name then its arguments in two pieces. */
function sseOf(reply: Reply): string {
  const chunk = (delta: unknown, finish: string | null = null) => ({
    id: 'chatcmpl-fake',
    object: 'chat.completion.chunk',
    choices: [{ index: 0, delta, finish_reason: finish }],
  });
  const chunks: unknown[] = [chunk({ role: 'assistant', content: '' })];
  for (const piece of (reply.text ?? '').match(/.{1,8}/gs) ?? []) chunks.push(chunk({ content: piece }));
  (reply.toolCalls ?? []).forEach((call, index) => {
    const half = Math.ceil(call.arguments.length / 2);
    chunks.push(
      chunk({
        tool_calls: [
          {
            index,
            ...(call.id === undefined ? {} : { id: call.id }),
            type: 'function',
            function: { name: call.name, arguments: '' },
          },
        ],
      }),
    );
    for (const piece of [call.arguments.slice(0, half), call.arguments.slice(half)])
      chunks.push(chunk({ tool_calls: [{ index, function: { arguments: piece } }] }));
  });
  chunks.push(chunk({}, finishOf(reply)));
  const usage = usageOf(reply);
  if (usage !== undefined) chunks.push({ id: 'chatcmpl-fake', choices: [], usage });
  return `${chunks.map((data) => `data: ${JSON.stringify(data)}\n\n`).join('')}data: [DONE]\n\n`;
}

/**
 * `streamChat` of `@bulkhead/client` on streams given by a fake fetch (no network): the events of
 * a whole stream, and the typed error for a stream cut short, a malformed event, and a refusal.
 */
import { describe, expect, it } from 'vitest';
import {
  BulkheadApiError,
  BulkheadStreamError,
  type ChatStreamEvent,
  createBulkheadClient,
  streamChat,
} from '../../packages/client/src/index.js';

const DONE = {
  sessionId: '6f1c2b0e-8d4a-4a43-9a8e-1f2d3c4b5a69',
  reply: 'hello',
  toolCalls: [],
  citations: [],
  usage: { inputTokens: 3, outputTokens: 1 },
};

/** A client whose fetch answers every request with `status` and `body` (SSE text for a 200). */
function clientAnswering(status: number, body: string) {
  return createBulkheadClient({
    baseUrl: 'http://127.0.0.1:9',
    token: 'a-token',
    fetch: async () =>
      new Response(new Blob([body]).stream(), {
        status,
        headers: { 'content-type': status === 200 ? 'text/event-stream' : 'application/json' },
      }),
  });
}

const sse = (event: string, data: unknown) =>
  `event: ${event}\ndata: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;

async function collect(stream: AsyncGenerator<ChatStreamEvent>) {
  const events: ChatStreamEvent[] = [];
  try {
    for await (const event of stream) events.push(event);
    return { events, error: undefined };
  } catch (error) {
    return { events, error };
  }
}

describe('streamChat', () => {
  it('yields every event of a whole stream, ending with done', async () => {
    const client = clientAnswering(
      200,
      sse('text', { text: 'hel' }) + sse('text', { text: 'lo' }) + sse('done', DONE),
    );

    const { events, error } = await collect(streamChat(client, { message: 'hi' }));

    expect(error).toBeUndefined();
    expect(events).toEqual([
      { event: 'text', data: { text: 'hel' } },
      { event: 'text', data: { text: 'lo' } },
      { event: 'done', data: DONE },
    ]);
  });

  it('ends with an error event as a whole stream too', async () => {
    const failure = { error: { code: 'model_unavailable', message: 'try later', requestId: 'r1' } };
    const client = clientAnswering(200, sse('text', { text: 'hel' }) + sse('error', failure));

    const { events, error } = await collect(streamChat(client, { message: 'hi' }));

    expect(error).toBeUndefined();
    expect(events.at(-1)).toEqual({ event: 'error', data: failure });
  });

  it('throws BulkheadStreamError when the stream ends without done or error', async () => {
    const client = clientAnswering(200, sse('text', { text: 'hel' }));

    const { events, error } = await collect(streamChat(client, { message: 'hi' }));

    expect(events).toEqual([{ event: 'text', data: { text: 'hel' } }]);
    expect(error).toBeInstanceOf(BulkheadStreamError);
    expect(String(error)).toContain('ended without its done or error event');
  });

  it('throws BulkheadStreamError, not a SyntaxError, on an event that is not JSON or not of its shape', async () => {
    const notJson = await collect(
      streamChat(clientAnswering(200, sse('text', '{"text":')), { message: 'hi' }),
    );
    const wrongShape = await collect(
      streamChat(clientAnswering(200, sse('text', { words: 'hel' }) + sse('done', DONE)), { message: 'hi' }),
    );
    const unknownEvent = await collect(
      streamChat(clientAnswering(200, sse('surprise', { text: 'hel' }) + sse('done', DONE)), {
        message: 'hi',
      }),
    );
    const badError = await collect(
      streamChat(clientAnswering(200, sse('error', { error: { code: 'x' } })), { message: 'hi' }),
    );

    for (const { events, error } of [notJson, wrongShape, unknownEvent, badError]) {
      expect(events).toEqual([]);
      expect(error).toBeInstanceOf(BulkheadStreamError);
      expect(String(error)).toContain('malformed');
    }
  });

  it('throws BulkheadApiError with the body only when it is a whole error body', async () => {
    const refusal = { error: { code: 'unauthorized', message: 'sign in', requestId: 'r2' } };
    const refused = await collect(
      streamChat(clientAnswering(401, JSON.stringify(refusal)), { message: 'hi' }),
    );
    const partial = await collect(
      streamChat(clientAnswering(500, JSON.stringify({ error: 'boom' })), { message: 'hi' }),
    );

    expect(refused.error).toBeInstanceOf(BulkheadApiError);
    expect(refused.error).toMatchObject({ status: 401, body: refusal });
    expect(partial.error).toBeInstanceOf(BulkheadApiError);
    expect(partial.error).toMatchObject({ status: 500, body: undefined, message: 'HTTP 500' });
  });
});

import type { ServiceInputTypes as BedrockInput } from '@aws-sdk/client-bedrock-runtime';
import { describe, expect, it, vi } from 'vitest';
import type { OpenResponse } from '../../lambdas/http/http-handler.js';
import type { Logger } from '../../lambdas/observability/logger.js';
import { createChatStreamHandler } from '../../lambdas/routes/chat-stream-route.js';
import { ACME } from './support/api-harness.js';
import { proxyEvent } from './support/events.js';
import { memoryRuntime } from './support/fake-runtime.js';
import { metadata, type SentCommand } from './support/fake-sdk.js';
import { titanEmbeddingAnswer } from './support/memory-cloud.js';

type StreamEvent = Record<string, unknown>;

/** ConverseStream events: a tool call on the first turn, then text in two deltas. */
function streamedTurn(call: number): StreamEvent[] {
  if (call === 0) {
    return [
      { messageStart: { role: 'assistant' } },
      {
        contentBlockStart: { contentBlockIndex: 0, start: { toolUse: { toolUseId: 't1', name: 'recall' } } },
      },
      { contentBlockDelta: { contentBlockIndex: 0, delta: { toolUse: { input: '{"query":' } } } },
      { contentBlockDelta: { contentBlockIndex: 0, delta: { toolUse: { input: '"tea"}' } } } },
      { contentBlockStop: { contentBlockIndex: 0 } },
      { messageStop: { stopReason: 'tool_use' } },
      { metadata: { usage: { inputTokens: 7, outputTokens: 3 } } },
    ];
  }
  return [
    { contentBlockDelta: { contentBlockIndex: 0, delta: { text: 'You like ' } } },
    { contentBlockDelta: { contentBlockIndex: 0, delta: { text: 'tea.' } } },
    { messageStop: { stopReason: 'end_turn' } },
    { metadata: { usage: { inputTokens: 9, outputTokens: 4 } } },
  ];
}

function streamingHarness(script: (call: number) => StreamEvent[] = streamedTurn) {
  let calls = 0;
  const fake = memoryRuntime({
    tenants: [ACME],
    bedrock: (command: SentCommand<BedrockInput>) => {
      if (command.name === 'InvokeModelCommand') return titanEmbeddingAnswer(command);
      const events = script(calls++);
      return {
        ...metadata,
        stream: (async function* () {
          yield* events;
        })(),
      };
    },
  });
  const logger: Logger = { info: vi.fn(), error: vi.fn() };
  const stream = createChatStreamHandler(fake.runtime, { logger });
  const response: { statusCode: number; headers: Record<string, string>; body: string; ended: boolean } = {
    statusCode: 0,
    headers: {},
    body: '',
    ended: false,
  };
  const open: OpenResponse = (statusCode, headers) => {
    Object.assign(response, { statusCode, headers });
    return {
      write: (chunk) => {
        response.body += chunk;
      },
      end: () => {
        response.ended = true;
      },
    };
  };
  return { ...fake, stream, open, response };
}

function events(body: string): Array<{ event: string; data: unknown }> {
  return body
    .trim()
    .split('\n\n')
    .map((block) => {
      const [eventLine = '', dataLine = ''] = block.split('\n');
      return { event: eventLine.replace('event: ', ''), data: JSON.parse(dataLine.replace('data: ', '')) };
    });
}

describe('streaming chat', () => {
  it('streams text deltas and tool events, then the same payload as the plain chat', async () => {
    const harness = streamingHarness();
    const event = proxyEvent({
      method: 'POST',
      path: '/v1/chat/stream',
      body: JSON.stringify({ message: 'what do I like?' }),
      authorizer: { tenantId: 'acme', userId: 'alice', roles: 'reader' },
    });

    await harness.stream(event, harness.open);

    expect(harness.response).toMatchObject({
      statusCode: 200,
      headers: { 'content-type': 'text/event-stream; charset=utf-8' },
      ended: true,
    });
    const sent = events(harness.response.body);
    expect(sent.map((item) => item.event)).toEqual(['tool', 'text', 'text', 'done']);
    expect(sent[0]?.data).toEqual({ name: 'recall', status: 'success' });
    expect(sent[3]?.data).toMatchObject({
      reply: 'You like tea.',
      toolCalls: [{ name: 'recall', status: 'success' }],
      usage: { inputTokens: 16, outputTokens: 7 },
      sessionId: expect.any(String),
    });
    expect(harness.table.partition('acme#u#alice#sessions')).toHaveLength(1);
  });

  it('answers a JSON error before streaming when the request is invalid', async () => {
    const harness = streamingHarness();
    const event = proxyEvent({
      method: 'POST',
      path: '/v1/chat/stream',
      body: JSON.stringify({ message: 'hi', tenantId: 'globex' }),
    });

    await harness.stream(event, harness.open);

    expect(harness.response).toMatchObject({ statusCode: 400, ended: true });
    expect(JSON.parse(harness.response.body)).toMatchObject({
      error: { code: 'bad_request', requestId: 'req-1' },
    });
    expect(harness.bedrock).toHaveLength(0);
  });

  it('answers 404 with a JSON error, not a stream, for another user’s session', async () => {
    const harness = streamingHarness();
    const event = proxyEvent({
      method: 'POST',
      path: '/v1/chat/stream',
      body: JSON.stringify({ message: 'hi', sessionId: '0190a0b0-0000-7000-8000-000000000000' }),
    });

    await harness.stream(event, harness.open);

    expect(harness.response).toMatchObject({ statusCode: 404, ended: true });
    expect(JSON.parse(harness.response.body)).toMatchObject({ error: { code: 'not_found' } });
  });

  it('ends the stream with an approval event when a side-effecting call follows a tool result', async () => {
    // First a read-only tool (its result is untrusted content), then a call that would change memory.
    const harness = streamingHarness((call) =>
      call === 0
        ? streamedTurn(0)
        : [
            { messageStart: { role: 'assistant' } },
            {
              contentBlockStart: {
                contentBlockIndex: 0,
                start: { toolUse: { toolUseId: 't2', name: 'remember' } },
              },
            },
            {
              contentBlockDelta: {
                contentBlockIndex: 0,
                delta: { toolUse: { input: '{"fact":"planted"}' } },
              },
            },
            { contentBlockStop: { contentBlockIndex: 0 } },
            { messageStop: { stopReason: 'tool_use' } },
            { metadata: { usage: { inputTokens: 5, outputTokens: 2 } } },
          ],
    );
    const event = proxyEvent({
      method: 'POST',
      path: '/v1/chat/stream',
      body: JSON.stringify({ message: 'what do I like?' }),
      authorizer: { tenantId: 'acme', userId: 'alice', roles: 'analyst' },
    });

    await harness.stream(event, harness.open);

    const sent = events(harness.response.body);
    expect(sent.map((item) => item.event)).toEqual(['tool', 'tool', 'approval', 'done']);
    expect(sent[1]?.data).toEqual({ name: 'remember', status: 'pending_approval' });
    expect(sent[2]?.data).toMatchObject({ approval: { tool: 'remember', input: { fact: 'planted' } } });
    expect(harness.table.partition('acme#u#alice#memory')).toEqual([]);
  });
});

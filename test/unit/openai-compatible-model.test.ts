/**
 * The OpenAI-compatible model backend: Converse ⇄ chat completions in both directions, streamed
 * answers assembled into ConverseStream events, embeddings, and every class of server failure
 * mapped to a Bedrock error the platform turns into 503/504 — against a fake server on loopback.
 */
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { afterEach, describe, expect, it } from 'vitest';
import { dependencyFaultOf } from '../../lambdas/resilience/dependency-faults.js';
import type { ModelResponse } from '../../local/model-backend/model-backend.js';
import { ModelRecord } from '../../local/model-backend/model-record.js';
import { modelServerSettings } from '../../local/model-backend/model-server-settings.js';
import { chatRequestOf, converseRequestOf } from '../../local/model-backend/openai-chat-request.js';
import {
  type ModelServerOptions,
  OpenAiCompatibleModel,
} from '../../local/model-backend/openai-compatible-model.js';
import { freeLoopbackPort } from '../../local/net.js';
import {
  type FakeAnswer,
  type FakeOpenAiServer,
  startFakeOpenAiServer,
} from '../support/fake-openai-server.js';

const codec = new EventStreamCodec(toUtf8, fromUtf8);
const caller = { TenantId: 'acme', UserId: 'alice' };
const servers: FakeOpenAiServer[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** A fake server answering `answers` in turn (the last one repeats), and the backend pointed at it. */
async function backendFor(
  answers: readonly FakeAnswer[],
  options: Partial<ModelServerOptions> & { embeddingDimensions?: number } = {},
) {
  let next = 0;
  const server = await startFakeOpenAiServer({
    respond: () => answers[Math.min(next++, answers.length - 1)] ?? { kind: 'reply', text: '' },
    ...(options.embeddingDimensions === undefined
      ? {}
      : { embeddingDimensions: options.embeddingDimensions }),
  });
  servers.push(server);
  const record = new ModelRecord();
  const model = await OpenAiCompatibleModel.connect(
    { endpoint: server.endpoint, modelName: 'llama-test', ...options },
    record,
  );
  return { server, record, model };
}

const ask = (text: string) => ({ messages: [{ role: 'user', content: [{ text }] }] });

async function bodyOf(response: ModelResponse): Promise<Uint8Array> {
  if (!('stream' in response))
    return typeof response.body === 'string' ? fromUtf8(response.body) : response.body;
  const chunks: Uint8Array[] = [];
  for await (const chunk of response.stream) chunks.push(chunk);
  return Buffer.concat(chunks);
}

async function jsonOf(response: ModelResponse): Promise<Record<string, unknown>> {
  return JSON.parse(toUtf8(await bodyOf(response)));
}

/** The frames of an event-stream body: `[event or exception type, payload]`. */
async function framesOf(response: ModelResponse): Promise<[string, Record<string, unknown>][]> {
  const bytes = await bodyOf(response);
  const frames: [string, Record<string, unknown>][] = [];
  for (let offset = 0; offset < bytes.length; ) {
    const length = Buffer.from(bytes.buffer, bytes.byteOffset + offset, 4).readUInt32BE(0);
    const message = codec.decode(bytes.subarray(offset, offset + length));
    const type = message.headers[':event-type'] ?? message.headers[':exception-type'];
    frames.push([String(type?.value), JSON.parse(toUtf8(message.body))]);
    offset += length;
  }
  return frames;
}

describe('Converse → chat completions request', () => {
  it('translates the system prompt, every turn, tool uses and results, tools, tool choice and inference settings', () => {
    const request = converseRequestOf({
      system: [{ text: 'You are terse.' }, { cachePoint: { type: 'default' } }],
      messages: [
        { role: 'user', content: [{ text: 'find anvils' }] },
        {
          role: 'assistant',
          content: [
            { text: 'Searching.' },
            { toolUse: { toolUseId: 'call_1', name: 'search_documents', input: { query: 'anvils' } } },
          ],
        },
        {
          role: 'user',
          content: [
            { toolResult: { toolUseId: 'call_1', content: [{ json: { matches: ['a'] } }, { text: 'ok' }] } },
            { toolResult: { toolUseId: 'call_2', status: 'error', content: [{ text: 'denied' }] } },
            { text: 'and then?' },
          ],
        },
      ],
      toolConfig: {
        tools: [
          {
            toolSpec: {
              name: 'search_documents',
              description: 'Search',
              inputSchema: { json: { type: 'object', properties: { query: { type: 'string' } } } },
            },
          },
        ],
        toolChoice: { any: {} },
      },
      inferenceConfig: { maxTokens: 300, temperature: 0.2, topP: 0.9, stopSequences: ['END'] },
    });

    expect(chatRequestOf(request, 'llama-test', false)).toEqual({
      model: 'llama-test',
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: 'find anvils' },
        {
          role: 'assistant',
          content: 'Searching.',
          tool_calls: [
            {
              id: 'call_1',
              type: 'function',
              function: { name: 'search_documents', arguments: '{"query":"anvils"}' },
            },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: '{"matches":["a"]}\nok' },
        { role: 'tool', tool_call_id: 'call_2', content: 'Error: denied' },
        { role: 'user', content: 'and then?' },
      ],
      tools: [
        {
          type: 'function',
          function: {
            name: 'search_documents',
            description: 'Search',
            parameters: { type: 'object', properties: { query: { type: 'string' } } },
          },
        },
      ],
      tool_choice: 'required',
      max_tokens: 300,
      temperature: 0.2,
      top_p: 0.9,
      stop: ['END'],
    });
  });

  it('names a chosen tool, and asks a streamed answer to report usage', () => {
    const request = converseRequestOf({
      ...ask('hi'),
      toolConfig: {
        tools: [{ toolSpec: { name: 'recall', inputSchema: { json: { type: 'object' } } } }],
        toolChoice: { tool: { name: 'recall' } },
      },
    });

    const chat = chatRequestOf(request, 'm', true);

    expect(chat.tool_choice).toEqual({ type: 'function', function: { name: 'recall' } });
    expect(chat).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    expect(chatRequestOf(converseRequestOf(ask('hi')), 'm', false)).toEqual({
      model: 'm',
      messages: [{ role: 'user', content: 'hi' }],
    });
  });

  it('refuses content it cannot translate (an image) as a ValidationException, without calling the server', async () => {
    const { server, model } = await backendFor([{ kind: 'reply', text: 'never' }]);
    const image = { image: { format: 'png', source: { bytes: 'AAAA' } } };

    const answer = await model.converse(
      'm',
      false,
      { messages: [{ role: 'user', content: [image] }] },
      caller,
    );

    expect(answer.status).toBe(400);
    expect(answer.headers['x-amzn-errortype']).toBe('ValidationException');
    expect(server.requests).toEqual([]);
  });

  it('sends the configured model, the API key as a Bearer token, and the translated request', async () => {
    const { server, model } = await backendFor([{ kind: 'reply', text: 'hello' }], { apiKey: 'sk-local' });

    await model.converse(
      'us.anthropic.claude-test',
      false,
      { ...ask('hi'), inferenceConfig: { maxTokens: 5 } },
      caller,
    );

    expect(server.requests[0]?.path).toBe('/v1/chat/completions');
    expect(server.requests[0]?.headers.authorization).toBe('Bearer sk-local');
    expect(server.requests[0]?.body).toEqual({
      model: 'llama-test',
      messages: [{ role: 'user', content: 'hi' }],
      max_tokens: 5,
    });
  });
});

describe('chat completion → Converse answer', () => {
  it('answers text with end_turn and the server’s usage, and records it for the caller’s tenant', async () => {
    const { model, record } = await backendFor([
      { kind: 'reply', text: 'Hi there', usage: { prompt: 12, completion: 3 } },
    ]);

    const answer = await model.converse('model-a', false, ask('hi'), caller);

    expect(answer.status).toBe(200);
    expect(await jsonOf(answer)).toMatchObject({
      output: { message: { role: 'assistant', content: [{ text: 'Hi there' }] } },
      stopReason: 'end_turn',
      usage: { inputTokens: 12, outputTokens: 3, totalTokens: 15 },
    });
    expect(record.usageOf('acme')).toMatchObject({ inputTokens: 12, outputTokens: 3, calls: 1 });
    expect(record.requests()[0]).toMatchObject({
      operation: 'converse',
      modelId: 'model-a',
      tenantId: 'acme',
      userId: 'alice',
    });
  });

  it('turns tool_calls into toolUse blocks with parsed input, and gives an id to a call that has none', async () => {
    const { model, record } = await backendFor([
      {
        kind: 'reply',
        text: 'Let me look.',
        toolCalls: [
          { id: 'call_9', name: 'search_documents', arguments: '{"query":"anvils"}' },
          { name: 'recall', arguments: '' },
        ],
      },
    ]);

    const answer = await jsonOf(await model.converse('m', false, ask('find'), caller));

    expect(answer.stopReason).toBe('tool_use');
    const content = (answer.output as { message: { content: Record<string, unknown>[] } }).message.content;
    expect(content[0]).toEqual({ text: 'Let me look.' });
    expect(content[1]).toEqual({
      toolUse: { toolUseId: 'call_9', name: 'search_documents', input: { query: 'anvils' } },
    });
    expect(content[2]).toMatchObject({
      toolUse: { name: 'recall', input: {}, toolUseId: expect.stringMatching(/^[a-zA-Z0-9_-]{1,64}$/) },
    });
    expect(record.requests()[0]?.requestedTool).toEqual({ name: 'search_documents', injected: false });
  });

  it.each([
    ['stop', 'end_turn'],
    ['length', 'max_tokens'],
    ['content_filter', 'content_filtered'],
    ['something_new', 'end_turn'],
  ])('maps finish_reason %s to stopReason %s', async (finishReason, stopReason) => {
    const { model } = await backendFor([{ kind: 'reply', text: 'x', finishReason }]);

    expect((await jsonOf(await model.converse('m', false, ask('hi'), caller))).stopReason).toBe(stopReason);
  });

  it('answers a tool call cut off by the token limit with max_tokens and its unfinished arguments as text, streamed or not', async () => {
    const cutOff: FakeAnswer = {
      kind: 'reply',
      toolCalls: [{ id: 'call_1', name: 'search_documents', arguments: '{"query":"anv' }],
      finishReason: 'length',
    };
    const { model } = await backendFor([cutOff]);

    const answer = await model.converse('m', false, ask('find'), caller);

    expect(answer.status).toBe(200);
    const whole = await jsonOf(answer);
    expect(whole.stopReason).toBe('max_tokens');
    expect((whole.output as { message: { content: unknown[] } }).message.content).toEqual([
      { toolUse: { toolUseId: 'call_1', name: 'search_documents', input: '{"query":"anv' } },
    ]);

    const frames = await framesOf(await model.converse('m', true, ask('find'), caller));
    expect(frames.map(([type]) => type)).not.toContain('modelStreamErrorException');
    expect(frames.at(-2)).toEqual(['messageStop', { stopReason: 'max_tokens' }]);
    const input = frames
      .filter(([type]) => type === 'contentBlockDelta')
      .map(([, payload]) => (payload.delta as { toolUse: { input: string } }).toolUse.input)
      .join('');
    expect(input).toBe('{"query":"anv');
  });

  it('estimates usage (about 4 characters a token) when the server reports none, so metering never sees zero', async () => {
    const { model } = await backendFor([{ kind: 'reply', text: 'a'.repeat(40), usage: null }]);

    const answer = await jsonOf(await model.converse('m', false, ask('b'.repeat(100)), caller));

    expect(answer.usage).toMatchObject({ outputTokens: 10 });
    expect((answer.usage as { inputTokens: number }).inputTokens).toBeGreaterThanOrEqual(25);
  });

  it('counts the tool definitions in the estimated input when the server reports no usage', async () => {
    const { model } = await backendFor([{ kind: 'reply', text: 'ok', usage: null }]);
    const tool = (i: number) => ({
      toolSpec: {
        name: `tool_${i}`,
        description: 'd'.repeat(400),
        inputSchema: { json: { type: 'object', properties: { query: { type: 'string' } } } },
      },
    });
    const inputTokens = async (body: Record<string, unknown>) =>
      ((await jsonOf(await model.converse('m', false, body, caller))).usage as { inputTokens: number })
        .inputTokens;

    const bare = await inputTokens(ask('hi'));
    const withTools = await inputTokens({ ...ask('hi'), toolConfig: { tools: [tool(1), tool(2)] } });

    // Two 400-character descriptions alone are about 200 tokens.
    expect(withTools - bare).toBeGreaterThanOrEqual(200);
  });
});

describe('a streamed chat completion → ConverseStream events', () => {
  it('relays text and tool_calls deltas as blocks, then messageStop and the usage', async () => {
    const { model, record } = await backendFor([
      {
        kind: 'reply',
        text: 'Checking the handbook.',
        toolCalls: [{ id: 'call_1', name: 'search_documents', arguments: '{"query":"anvils"}' }],
        usage: { prompt: 20, completion: 9 },
      },
    ]);

    const frames = await framesOf(await model.converse('m', true, ask('find'), caller));

    const types = frames.map(([type]) => type);
    expect(types[0]).toBe('messageStart');
    expect(types.slice(-2)).toEqual(['messageStop', 'metadata']);
    const text = frames
      .filter(([type, payload]) => type === 'contentBlockDelta' && payload.contentBlockIndex === 0)
      .map(([, payload]) => (payload.delta as { text: string }).text)
      .join('');
    expect(text).toBe('Checking the handbook.');
    expect(frames).toContainEqual([
      'contentBlockStart',
      { contentBlockIndex: 1, start: { toolUse: { toolUseId: 'call_1', name: 'search_documents' } } },
    ]);
    const input = frames
      .filter(([type, payload]) => type === 'contentBlockDelta' && payload.contentBlockIndex === 1)
      .map(([, payload]) => (payload.delta as { toolUse: { input: string } }).toolUse.input)
      .join('');
    expect(JSON.parse(input)).toEqual({ query: 'anvils' });
    // The text block stops before the tool block starts; both stop before messageStop.
    expect(types.indexOf('contentBlockStop')).toBeLessThan(types.indexOf('contentBlockStart'));
    expect(
      frames.filter(([type]) => type === 'contentBlockStop').map(([, p]) => p.contentBlockIndex),
    ).toEqual([0, 1]);
    expect(frames.at(-2)).toEqual(['messageStop', { stopReason: 'tool_use' }]);
    expect(frames.at(-1)?.[1]).toMatchObject({
      usage: { inputTokens: 20, outputTokens: 9, totalTokens: 29 },
    });
    expect(record.requests()[0]).toMatchObject({
      operation: 'converse-stream',
      tenantId: 'acme',
      usage: { inputTokens: 20, outputTokens: 9 },
      requestedTool: { name: 'search_documents', injected: false },
    });
  });

  it('asks the server for a stream with usage', async () => {
    const { server, model } = await backendFor([{ kind: 'reply', text: 'ok' }]);

    await framesOf(await model.converse('m', true, ask('hi'), caller));

    expect(server.requests[0]?.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });
});

/** Tool calls with and without `index` (older Ollama sends each call whole, without one), across chunks. */
describe('tool calls with and without an index', () => {
  const call = (name: string, query: string, index?: number) => ({
    ...(index === undefined ? {} : { index }),
    id: `call_${name}`,
    function: { name, arguments: JSON.stringify({ query }) },
  });
  const toolUses = (content: Record<string, unknown>[]) =>
    content.map((block) => (block as { toolUse: { name: string; input: unknown } }).toolUse);
  const sse = (...deltas: unknown[]) =>
    deltas
      .map((delta, i) => {
        const finish = i === deltas.length - 1 ? 'tool_calls' : null;
        return `data: ${JSON.stringify({ choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
      })
      .join('');

  it('keeps every call of a whole answer apart, indexed or not', async () => {
    const message = {
      role: 'assistant',
      content: null,
      tool_calls: [call('a', '1'), call('b', '2'), call('c', '3', 2), call('d', '4')],
    };
    const { model } = await backendFor([
      {
        kind: 'raw-json',
        body: JSON.stringify({ choices: [{ index: 0, message, finish_reason: 'tool_calls' }] }),
      },
    ]);

    const answer = await jsonOf(await model.converse('m', false, ask('find'), caller));

    expect(
      toolUses((answer.output as { message: { content: Record<string, unknown>[] } }).message.content),
    ).toEqual([
      { toolUseId: 'call_a', name: 'a', input: { query: '1' } },
      { toolUseId: 'call_b', name: 'b', input: { query: '2' } },
      { toolUseId: 'call_c', name: 'c', input: { query: '3' } },
      { toolUseId: 'call_d', name: 'd', input: { query: '4' } },
    ]);
  });

  it('starts a block for every call streamed without an index, across chunks, beside indexed ones', async () => {
    const { model } = await backendFor([
      {
        kind: 'raw-stream',
        body: sse(
          { tool_calls: [call('a', '1'), call('b', '2')] },
          { tool_calls: [call('c', '3')] },
          { tool_calls: [{ index: 3, id: 'call_d', function: { name: 'd', arguments: '{"query":' } }] },
          { tool_calls: [call('e', '5')] },
          { tool_calls: [{ index: 3, function: { arguments: '"4"}' } }] },
          {},
        ),
      },
    ]);

    const frames = await framesOf(await model.converse('m', true, ask('find'), caller));

    const starts = frames.filter(([type]) => type === 'contentBlockStart');
    expect(starts.map(([, payload]) => payload)).toEqual(
      ['a', 'b', 'c', 'd', 'e'].map((name, contentBlockIndex) => ({
        contentBlockIndex,
        start: { toolUse: { toolUseId: `call_${name}`, name } },
      })),
    );
    const inputOf = (index: number) =>
      frames
        .filter(([type, payload]) => type === 'contentBlockDelta' && payload.contentBlockIndex === index)
        .map(([, payload]) => (payload.delta as { toolUse: { input: string } }).toolUse.input)
        .join('');
    expect([0, 1, 2, 3, 4].map((index) => JSON.parse(inputOf(index)))).toEqual(
      ['1', '2', '3', '4', '5'].map((query) => ({ query })),
    );
    expect(frames.at(-2)).toEqual(['messageStop', { stopReason: 'tool_use' }]);
  });
});

/** How each class of server failure reaches the caller: before a stream (a Bedrock error response) or in it (an exception event). */
describe('server failures', () => {
  const deadPort = async () => `http://127.0.0.1:${await freeLoopbackPort()}/v1`;

  const failures: { label: string; scripted: FakeAnswer; status: number; name: string }[] = [
    {
      label: 'a 500',
      scripted: { kind: 'status', status: 500, body: 'boom' },
      status: 503,
      name: 'ServiceUnavailableException',
    },
    {
      label: 'a 503 (model loading)',
      scripted: { kind: 'status', status: 503, body: '{"error":"loading"}' },
      status: 503,
      name: 'ServiceUnavailableException',
    },
    {
      label: 'a 429',
      scripted: { kind: 'status', status: 429, body: '{"error":{"message":"slow down"}}' },
      status: 429,
      name: 'ThrottlingException',
    },
    {
      label: 'a 404 (no such model)',
      scripted: { kind: 'status', status: 404, body: '{"error":{"message":"model not found"}}' },
      status: 404,
      name: 'ResourceNotFoundException',
    },
    {
      label: 'a 408 (the server timed out)',
      scripted: { kind: 'status', status: 408, body: 'request timeout' },
      status: 408,
      name: 'ModelTimeoutException',
    },
    {
      label: 'a 401 (bad API key)',
      scripted: { kind: 'status', status: 401, body: '{"error":{"message":"invalid api key"}}' },
      status: 503,
      name: 'ServiceUnavailableException',
    },
    {
      label: 'a 403 (key not allowed)',
      scripted: { kind: 'status', status: 403, body: 'forbidden' },
      status: 503,
      name: 'ServiceUnavailableException',
    },
    {
      label: 'a 400 (context too long)',
      scripted: { kind: 'status', status: 400, body: '{"error":{"message":"context too long"}}' },
      status: 400,
      name: 'ValidationException',
    },
    {
      label: 'a body that is not JSON',
      scripted: { kind: 'raw-json', body: '<html>proxy error</html>' },
      status: 424,
      name: 'ModelErrorException',
    },
    {
      label: 'JSON without choices',
      scripted: { kind: 'raw-json', body: '{"object":"chat.completion"}' },
      status: 424,
      name: 'ModelErrorException',
    },
    {
      label: 'tool arguments that are not JSON',
      scripted: { kind: 'reply', toolCalls: [{ id: 'c', name: 'recall', arguments: '{"query":' }] },
      status: 424,
      name: 'ModelErrorException',
    },
    { label: 'silence', scripted: { kind: 'silence' }, status: 408, name: 'ModelTimeoutException' },
  ];

  it.each(failures)(
    'answers $label as $status $name, and records the failure',
    async ({ scripted, status, name }) => {
      const { model, record } = await backendFor([scripted], { timeoutMs: 300 });

      const answer = await model.converse('m', false, ask('hi'), caller);

      expect(answer.status).toBe(status);
      expect(answer.headers['x-amzn-errortype']).toBe(name);
      expect(record.requests()[0]?.failure).toBe(status === 429 ? 'throttle' : 'fail');
      expect(record.usageOf('acme').calls).toBe(0);
    },
  );

  it('passes the server’s own error message on', async () => {
    const { model } = await backendFor([
      { kind: 'status', status: 400, body: '{"error":{"message":"context too long"}}' },
    ]);

    expect((await jsonOf(await model.converse('m', false, ask('hi'), caller))).message).toContain(
      'context too long',
    );
  });

  it('names BULKHEAD_MODEL_API_KEY when the server refuses the key', async () => {
    const { model } = await backendFor([{ kind: 'status', status: 401, body: 'invalid api key' }]);

    expect((await jsonOf(await model.converse('m', false, ask('hi'), caller))).message).toMatch(
      /answered 401: invalid api key .*BULKHEAD_MODEL_API_KEY/,
    );
  });

  it('answers an unreachable server as 503 ServiceUnavailableException', async () => {
    const model = await OpenAiCompatibleModel.connect(
      { endpoint: await deadPort(), modelName: 'm' },
      new ModelRecord(),
    );

    for (const streaming of [false, true]) {
      const answer = await model.converse('m', streaming, ask('hi'), caller);
      expect(answer.status).toBe(503);
      expect(answer.headers['x-amzn-errortype']).toBe('ServiceUnavailableException');
    }
  });

  it('fails a stream before it starts with an error response, not a broken stream', async () => {
    const { model } = await backendFor([{ kind: 'status', status: 429, body: 'busy' }]);

    const answer = await model.converse('m', true, ask('hi'), caller);

    expect('stream' in answer).toBe(false);
    expect(answer.headers['x-amzn-errortype']).toBe('ThrottlingException');
  });

  const chunk = (delta: unknown, finish: string | null = null) =>
    `data: ${JSON.stringify({ choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;

  it.each<[string, FakeAnswer, RegExp]>([
    [
      'an event that is not JSON',
      { kind: 'raw-stream', body: `${chunk({ content: 'Hel' })}data: {not json\n\n` },
      /not JSON/,
    ],
    [
      'an event that is not a chunk',
      { kind: 'raw-stream', body: `${chunk({ content: 'Hel' })}data: {"choices":"no"}\n\n` },
      /not a chat completion chunk/,
    ],
    [
      'a line that is not server-sent events',
      { kind: 'raw-stream', body: `${chunk({ content: 'Hel' })}garbage line\n\n` },
      /not server-sent events/,
    ],
    [
      'a stream cut short',
      { kind: 'raw-stream', body: chunk({ content: 'Hel' }) },
      /ended before a finish_reason/,
    ],
    [
      'the server’s error mid-answer',
      {
        kind: 'raw-stream',
        body: `${chunk({ content: 'Hel' })}data: {"error":{"message":"out of memory"}}\n\n`,
      },
      /out of memory/,
    ],
    ['silence mid-answer', { kind: 'silence', head: chunk({ content: 'Hel' }) }, /did not answer in time/],
    [
      'a tool call without a name',
      { kind: 'raw-stream', body: chunk({ tool_calls: [{ index: 0, function: { arguments: '{}' } }] }) },
      /without a function name/,
    ],
  ])('ends a stream broken by %s with a modelStreamErrorException event', async (_, scripted, message) => {
    const { model, record } = await backendFor([scripted], { timeoutMs: 300 });

    const frames = await framesOf(await model.converse('m', true, ask('hi'), caller));

    const last = frames.at(-1);
    expect(last?.[0]).toBe('modelStreamErrorException');
    expect(String(last?.[1].message)).toMatch(message);
    expect(frames.map(([type]) => type)).not.toContain('messageStop');
    expect(record.requests()[0]?.failure).toBe('fail');
  });

  it('answers failures a test queues on the record (/model/fail-next) without calling the server', async () => {
    const { server, model, record } = await backendFor([{ kind: 'reply', text: 'never' }]);
    record.failNext('throttle', 1, { tenantId: 'acme' });

    const answer = await model.converse('m', false, ask('hi'), caller);

    expect(answer.headers['x-amzn-errortype']).toBe('ThrottlingException');
    expect(server.requests).toEqual([]);
  });

  it.each([
    ['ThrottlingException', 429, 'unavailable'],
    ['ServiceUnavailableException', 503, 'unavailable'],
    ['ModelErrorException', 424, 'unavailable'],
    ['ModelStreamErrorException', undefined, 'unavailable'],
    ['ModelTimeoutException', 408, 'timeout'],
  ])('makes %s one the platform answers 503/504 with Retry-After', (name, httpStatusCode, fault) => {
    const sdkError = Object.assign(new Error(name), { name, $metadata: { httpStatusCode } });

    expect(dependencyFaultOf(sdkError)).toBe(fault);
  });
});

describe('embeddings', () => {
  const titan = { inputText: 'red anvils', dimensions: 1024, normalize: true };

  it('embeds with the server’s embedding model, normalised, with its token count', async () => {
    const { server, model, record } = await backendFor([], { embeddingModel: 'mxbai-embed-large' });

    const answer = await jsonOf(await model.embed('amazon.titan-embed-text-v2:0', titan, caller));

    expect(server.requests.at(-1)).toMatchObject({
      path: '/v1/embeddings',
      body: { model: 'mxbai-embed-large', input: 'red anvils' },
    });
    const embedding = answer.embedding as number[];
    expect(embedding).toHaveLength(1024);
    expect(embedding.slice(0, 2)).toEqual([0.6, 0.8]);
    expect(answer.inputTextTokenCount).toBe(5);
    expect(record.usageOf('acme')).toMatchObject({ inputTokens: 5, calls: 1 });
  });

  it('refuses a vector of another size than asked for with a ValidationException that says what to do', async () => {
    const { model } = await backendFor([], { embeddingModel: 'mxbai-embed-large' });

    const answer = await model.embed('amazon.titan-embed-text-v2:0', { ...titan, dimensions: 512 }, caller);

    expect(answer.status).toBe(400);
    expect(answer.headers['x-amzn-errortype']).toBe('ValidationException');
    expect((await jsonOf(answer)).message).toMatch(/1024-dimension vectors; 512 were asked for/);
  });

  it('stops the start with a named message when the embedding model’s vectors do not fit the index', async () => {
    await expect(
      backendFor([], { embeddingModel: 'nomic-embed-text', embeddingDimensions: 768 }),
    ).rejects.toThrow(
      /--embedding-model nomic-embed-text cannot be used: .*768-dimension vectors; 1024 were asked for/,
    );
  });

  it('answers an embedding server that has gone away as 503', async () => {
    const { server, model } = await backendFor([], { embeddingModel: 'mxbai-embed-large' });
    await server.close();

    expect((await model.embed('t', titan, caller)).status).toBe(503);
  });
});

describe('connecting', () => {
  it('takes the first model the server lists when none is named', async () => {
    const server = await startFakeOpenAiServer({ models: ['qwen2.5:7b', 'other'] });
    servers.push(server);

    const model = await OpenAiCompatibleModel.connect({ endpoint: `${server.endpoint}/` }, new ModelRecord());

    expect(model.modelName).toBe('qwen2.5:7b');
  });

  it('fails with a named message when the server cannot list its models', async () => {
    const endpoint = `http://127.0.0.1:${await freeLoopbackPort()}/v1`;

    await expect(OpenAiCompatibleModel.connect({ endpoint }, new ModelRecord())).rejects.toThrow(
      /did not list its models .* --model-name/,
    );
  });
});

describe('the npm start flags', () => {
  it('reads the flags, or else the environment; the API key only from the environment', () => {
    expect(
      modelServerSettings(
        { 'model-endpoint': 'http://127.0.0.1:11434/v1', 'model-name': 'llama3.2' },
        {
          BULKHEAD_MODEL_NAME: 'ignored',
          BULKHEAD_EMBEDDING_MODEL: 'mxbai-embed-large',
          BULKHEAD_MODEL_API_KEY: 'k',
        },
      ),
    ).toEqual({
      endpoint: 'http://127.0.0.1:11434/v1',
      modelName: 'llama3.2',
      embeddingModel: 'mxbai-embed-large',
      apiKey: 'k',
    });
    expect(modelServerSettings({}, { BULKHEAD_MODEL_ENDPOINT: 'http://127.0.0.1:8080/v1' })).toEqual({
      endpoint: 'http://127.0.0.1:8080/v1',
    });
  });

  it('keeps the stand-in without an endpoint, and refuses settings that need one or a URL that is not http', () => {
    expect(modelServerSettings({}, {})).toBeUndefined();
    expect(() => modelServerSettings({ 'model-name': 'llama3.2' }, {})).toThrow(/need --model-endpoint/);
    expect(() => modelServerSettings({ 'model-endpoint': 'localhost:11434' }, {})).toThrow(
      /not an http\(s\) URL/,
    );
  });
});

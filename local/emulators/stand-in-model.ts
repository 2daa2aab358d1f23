/**
 * A deterministic stand-in for a Bedrock model behind Converse and ConverseStream.
 *
 * - It echoes the last user text (`Stand-in reply: ...`), or summarises tool results it was given.
 * - `use tool <name> {json}` (or `use tool <name>`) makes it request that tool — only if the
 *   request's toolConfig offers it; otherwise it says the tool is unavailable.
 * - `[[throttle]]` / `[[fail]]` in the last user text, or `failNext()`, make it answer
 *   429 ThrottlingException / 500 InternalServerException.
 * - Usage: ~4 characters per token, counted over everything it was sent and everything it says.
 * - InvokeModel with a Titan Text Embeddings body (`inputText`, `dimensions`) answers a
 *   normalised bag-of-words vector: texts sharing words are close, so vector search is testable.
 */
import { createHash } from 'node:crypto';
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { isRecord } from '../json-value.js';
import { type EmulatorResponse, jsonResponse, namedJsonError } from './emulator-response.js';

export type ModelFailure = 'throttle' | 'fail';

type ContentBlock =
  | { readonly text: string }
  | { readonly toolUse: { readonly toolUseId: string; readonly name: string; readonly input: unknown } };

interface Reply {
  readonly content: readonly ContentBlock[];
  readonly stopReason: 'end_turn' | 'tool_use';
  readonly usage: {
    readonly inputTokens: number;
    readonly outputTokens: number;
    readonly totalTokens: number;
  };
}

const TOOL_REQUEST = /use tool ([A-Za-z0-9_-]+)\s*(\{.*\})?/s;
const codec = new EventStreamCodec(toUtf8, fromUtf8);

export class StandInModel {
  private readonly queuedFailures: ModelFailure[] = [];
  /** Every call's model id, in order (lets tests check which model a tier used). */
  readonly calls: string[] = [];

  /** Makes the next `times` calls fail the given way. */
  failNext(failure: ModelFailure, times = 1): void {
    for (let n = 0; n < times; n++) this.queuedFailures.push(failure);
  }

  /** InvokeModel for a Titan-style embedding request. */
  embed(modelId: string, body: Record<string, unknown>): EmulatorResponse {
    this.calls.push(modelId);
    const failure = this.queuedFailures.shift();
    if (failure !== undefined) return failureResponse(failure);
    const { inputText, dimensions } = body;
    if (typeof inputText !== 'string' || inputText.length === 0) {
      return namedJsonError(400, 'ValidationException', 'inputText is required');
    }
    const size =
      typeof dimensions === 'number' && Number.isInteger(dimensions) && dimensions > 0 ? dimensions : 1024;
    return jsonResponse(200, {
      embedding: bagOfWords(inputText, size),
      inputTextTokenCount: tokens(inputText),
    });
  }

  handle(modelId: string, streaming: boolean, body: Record<string, unknown>): EmulatorResponse {
    this.calls.push(modelId);
    const lastText = lastUserText(body.messages);
    const failure =
      this.queuedFailures.shift() ??
      (lastText.includes('[[throttle]]') ? 'throttle' : lastText.includes('[[fail]]') ? 'fail' : undefined);
    if (failure === 'throttle')
      return namedJsonError(429, 'ThrottlingException', 'Too many requests (stand-in model)');
    if (failure === 'fail') return namedJsonError(500, 'InternalServerException', 'stand-in model failure');
    const reply = replyTo(body, lastText);
    return streaming ? streamReply(reply) : jsonResponse(200, converseOutput(reply));
  }
}

function failureResponse(failure: ModelFailure): EmulatorResponse {
  return failure === 'throttle'
    ? namedJsonError(429, 'ThrottlingException', 'Too many requests (stand-in model)')
    : namedJsonError(500, 'InternalServerException', 'stand-in model failure');
}

/** Each lower-cased word adds 1 at a hashed position; the vector is L2-normalised. */
function bagOfWords(text: string, size: number): number[] {
  const vector = new Array<number>(size).fill(0);
  for (const word of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
    const position = createHash('sha256').update(word).digest().readUInt32BE(0) % size;
    vector[position] = (vector[position] ?? 0) + 1;
  }
  const norm = Math.sqrt(vector.reduce((sum, x) => sum + x * x, 0));
  return norm === 0 ? vector : vector.map((x) => x / norm);
}

function replyTo(body: Record<string, unknown>, lastText: string): Reply {
  const toolResults = lastUserToolResults(body.messages);
  let content: ContentBlock[];
  const request = TOOL_REQUEST.exec(lastText);
  if (toolResults.length > 0) {
    content = [{ text: `Stand-in summary of tool results: ${toolResults.join(' | ').slice(0, 500)}` }];
  } else if (request?.[1] !== undefined) {
    const name = request[1];
    const offered = offeredTools(body.toolConfig);
    content = offered.includes(name)
      ? [{ toolUse: { toolUseId: toolUseId(name, lastText), name, input: parseInput(request[2]) } }]
      : [{ text: `Tool ${name} is not available to me.` }];
  } else {
    content = [{ text: `Stand-in reply: ${lastText.slice(0, 400)}` }];
  }
  const inputTokens = tokens(JSON.stringify([body.system ?? [], body.messages ?? [], body.toolConfig ?? {}]));
  const outputTokens = tokens(JSON.stringify(content));
  return {
    content,
    stopReason: content.some((block) => 'toolUse' in block) ? 'tool_use' : 'end_turn',
    usage: { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens },
  };
}

function converseOutput(reply: Reply): unknown {
  return {
    output: { message: { role: 'assistant', content: reply.content } },
    stopReason: reply.stopReason,
    usage: reply.usage,
    metrics: { latencyMs: 1 },
  };
}

/** The same reply as ConverseStream events in AWS event-stream framing. */
function streamReply(reply: Reply): EmulatorResponse {
  const events: [string, unknown][] = [['messageStart', { role: 'assistant' }]];
  reply.content.forEach((block, contentBlockIndex) => {
    if ('text' in block) {
      for (const piece of block.text.match(/.{1,40}/gs) ?? ['']) {
        events.push(['contentBlockDelta', { contentBlockIndex, delta: { text: piece } }]);
      }
    } else {
      const { toolUseId: id, name, input } = block.toolUse;
      events.push(['contentBlockStart', { contentBlockIndex, start: { toolUse: { toolUseId: id, name } } }]);
      events.push([
        'contentBlockDelta',
        { contentBlockIndex, delta: { toolUse: { input: JSON.stringify(input) } } },
      ]);
    }
    events.push(['contentBlockStop', { contentBlockIndex }]);
  });
  events.push(['messageStop', { stopReason: reply.stopReason }]);
  events.push(['metadata', { usage: reply.usage, metrics: { latencyMs: 1 } }]);
  const frames = events.map(([eventType, payload]) =>
    codec.encode({
      headers: {
        ':event-type': { type: 'string', value: eventType },
        ':content-type': { type: 'string', value: 'application/json' },
        ':message-type': { type: 'string', value: 'event' },
      },
      body: fromUtf8(JSON.stringify(payload)),
    }),
  );
  return {
    status: 200,
    headers: { 'content-type': 'application/vnd.amazon.eventstream' },
    body: Buffer.concat(frames),
  };
}

function lastUserMessageContent(messages: unknown): unknown[] {
  if (!Array.isArray(messages)) return [];
  const last = [...messages].reverse().find((message) => isRecord(message) && message.role === 'user');
  return isRecord(last) && Array.isArray(last.content) ? last.content : [];
}

function lastUserText(messages: unknown): string {
  return lastUserMessageContent(messages)
    .flatMap((block) => (isRecord(block) && typeof block.text === 'string' ? [block.text] : []))
    .join('\n');
}

function lastUserToolResults(messages: unknown): string[] {
  return lastUserMessageContent(messages).flatMap((block) =>
    isRecord(block) && isRecord(block.toolResult) ? [JSON.stringify(block.toolResult.content ?? [])] : [],
  );
}

function offeredTools(toolConfig: unknown): string[] {
  if (!isRecord(toolConfig) || !Array.isArray(toolConfig.tools)) return [];
  return toolConfig.tools.flatMap((tool) =>
    isRecord(tool) && isRecord(tool.toolSpec) && typeof tool.toolSpec.name === 'string'
      ? [tool.toolSpec.name]
      : [],
  );
}

function parseInput(json: string | undefined): unknown {
  if (json === undefined) return {};
  try {
    return JSON.parse(json);
  } catch {
    return {};
  }
}

/** Deterministic, so repeated runs give identical transcripts. */
function toolUseId(name: string, text: string): string {
  return `tooluse_${createHash('sha256').update(`${name}\n${text}`).digest('hex').slice(0, 20)}`;
}

function tokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

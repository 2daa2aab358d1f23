/**
 * A deterministic stand-in for a Bedrock model behind Converse and ConverseStream.
 *
 * - It echoes the last user text (`Stand-in reply: ...`).
 * - `use tool <name> {json}` in the last user text makes it request that tool — only if the
 *   request's toolConfig offers it; otherwise it says the tool is unavailable.
 * - It is deliberately GULLIBLE about tool results: a `use tool <name> {json}` found inside the
 *   tool results it is handed is obeyed — even for a tool it was never offered — as a model
 *   hijacked by prompt injection would. It obeys such an injected instruction once per
 *   conversation (it sees its own earlier injected call in the messages), so it cannot loop.
 *   Tests use it to show the platform (catalog filter, execution check, strict tool input
 *   schemas, IAM) is what stops an injection, not the model's good manners.
 * - Otherwise it summarises tool results, quoting the passages and the `documentId`s it sees,
 *   so answers are grounded with citations.
 * - `[[throttle]]` / `[[fail]]` in the last user text, or the record's `failNext()` (optionally
 *   only for one model id and/or one caller tenant), make it answer 429 ThrottlingException /
 *   500 InternalServerException.
 * - `[[slow:<ms>]]` in the last user text delays its answer (≤ 10 s): a slow model, for tests
 *   of what happens when a client gives up before the platform has answered.
 * - Usage: ~4 characters per token, counted over everything it was sent and everything it says.
 *   Its record (model-record.ts) keeps a running total of the usage it reported, per caller
 *   tenant, so tests can hold the platform's metering against what the model really billed.
 * - InvokeModel with a Titan Text Embeddings body (`inputText`, `dimensions`) answers a
 *   normalised bag-of-words vector: texts sharing words are close, so vector search is testable.
 * - It records every request in its record: operation, model, the caller's session tags and the
 *   tool names offered, so tests can assert what the model was shown.
 */
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { isRecord } from '../../lambdas/is-record.js';
import {
  type ConverseStreamEvent,
  EVENT_STREAM_CONTENT_TYPE,
  eventFrame,
} from '../model-backend/bedrock-event-stream.js';
import type { ModelBackend, ModelResponse } from '../model-backend/model-backend.js';
import { failureResponse, type ModelCaller, ModelRecord } from '../model-backend/model-record.js';
import {
  assistantToolUses,
  documentReferences,
  lastToolResults,
  lastUserText,
  offeredTools,
  stringsIn,
  type ToolInstruction,
  type ToolResultSeen,
  toolInstructions,
} from './conversation-reading.js';
import { type EmulatorResponse, jsonResponse, namedJsonError } from './emulator-response.js';

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

/** The longest `[[slow:<ms>]]` delay. */
const MAX_LATENCY_MS = 10_000;
const MAX_SUMMARY_LENGTH = 2_000;
/** Marks tool calls made on an injected instruction, so the model obeys only one per conversation. */
const INJECTED_ID_PREFIX = 'tooluse_injected_';

export class StandInModel implements ModelBackend {
  /** `record`: where requests, usage and queued failures are kept (the inspector reads it). */
  constructor(readonly record: ModelRecord = new ModelRecord()) {}

  /** InvokeModel for a Titan-style embedding request. */
  async embed(
    modelId: string,
    body: Record<string, unknown>,
    caller: ModelCaller = {},
  ): Promise<ModelResponse> {
    const failure = this.record.takeFailure(modelId, caller);
    if (failure !== undefined) {
      this.record.record('invoke', modelId, caller, [], { failure });
      return failureResponse(failure);
    }
    const { inputText, dimensions } = body;
    if (typeof inputText !== 'string' || inputText.length === 0) {
      this.record.record('invoke', modelId, caller, [], {});
      return namedJsonError(400, 'ValidationException', 'inputText is required');
    }
    const size =
      typeof dimensions === 'number' && Number.isInteger(dimensions) && dimensions > 0 ? dimensions : 1024;
    const inputTextTokenCount = tokens(inputText);
    this.record.record('invoke', modelId, caller, [], {
      usage: { inputTokens: inputTextTokenCount, outputTokens: 0 },
    });
    return jsonResponse(200, { embedding: bagOfWords(inputText, size), inputTextTokenCount });
  }

  /** Converse (`streaming` false) or ConverseStream, after the `[[slow:<ms>]]` delay asked for. */
  async converse(
    modelId: string,
    streaming: boolean,
    body: Record<string, unknown>,
    caller: ModelCaller = {},
  ): Promise<ModelResponse> {
    await sleep(latencyOf(body));
    const offered = offeredTools(body.toolConfig);
    const lastText = lastUserText(body.messages);
    const operation = streaming ? 'converse-stream' : 'converse';
    const secretMark = this.record.secretMarkOf(body);
    const failure =
      this.record.takeFailure(modelId, caller) ??
      (lastText.includes('[[throttle]]') ? 'throttle' : lastText.includes('[[fail]]') ? 'fail' : undefined);
    if (failure !== undefined) {
      this.record.record(operation, modelId, caller, offered, { failure, ...secretMark });
      return failureResponse(failure);
    }
    const reply = replyTo(body, lastText, offered);
    const toolUse = reply.content.find((block) => 'toolUse' in block);
    const { inputTokens, outputTokens } = reply.usage;
    this.record.record(operation, modelId, caller, offered, {
      ...secretMark,
      usage: { inputTokens, outputTokens },
      ...(toolUse === undefined || !('toolUse' in toolUse)
        ? {}
        : {
            requestedTool: {
              name: toolUse.toolUse.name,
              injected: toolUse.toolUse.toolUseId.startsWith(INJECTED_ID_PREFIX),
            },
          }),
    });
    return streaming ? streamReply(reply) : jsonResponse(200, converseOutput(reply));
  }
}

/** How long to hold the answer to a Converse request back (`[[slow:<ms>]]`), in ms. */
function latencyOf(body: Record<string, unknown>): number {
  const asked = /\[\[slow:(\d{1,5})\]\]/.exec(lastUserText(body.messages))?.[1];
  return Math.min(Number(asked ?? 0), MAX_LATENCY_MS);
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

function replyTo(body: Record<string, unknown>, lastText: string, offered: readonly string[]): Reply {
  const results = lastToolResults(body.messages);
  let content: ContentBlock[];
  if (results.length > 0) {
    const injected = alreadyObeyedInjection(body.messages) ? undefined : injectedInstruction(results);
    content =
      injected === undefined
        ? [{ text: summarise(results) }]
        : [{ toolUse: { toolUseId: toolUseId(INJECTED_ID_PREFIX, injected), ...injected } }];
  } else {
    const [request] = toolInstructions(lastText);
    if (request === undefined) content = [{ text: `Stand-in reply: ${lastText.slice(0, 400)}` }];
    else if (offered.includes(request.name))
      content = [{ toolUse: { toolUseId: toolUseId('tooluse_', request), ...request } }];
    else content = [{ text: `Tool ${request.name} is not available to me.` }];
  }
  const inputTokens = tokens(JSON.stringify([body.system ?? [], body.messages ?? [], body.toolConfig ?? {}]));
  const outputTokens = tokens(JSON.stringify(content));
  return {
    content,
    stopReason: content.some((block) => 'toolUse' in block) ? 'tool_use' : 'end_turn',
    usage: { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens },
  };
}

/** The first `use tool` instruction inside the tool results (the platform's note is not data). */
function injectedInstruction(results: readonly ToolResultSeen[]): ToolInstruction | undefined {
  const texts = results.flatMap((result) => stringsIn(withoutNotes(result.content)));
  return texts.flatMap(toolInstructions)[0];
}

function alreadyObeyedInjection(messages: unknown): boolean {
  return assistantToolUses(messages).some(
    (toolUse) => typeof toolUse.toolUseId === 'string' && toolUse.toolUseId.startsWith(INJECTED_ID_PREFIX),
  );
}

/** Drops top-level `note` fields of JSON results (the platform's "this is untrusted data" label). */
function withoutNotes(content: readonly unknown[]): unknown[] {
  return content.map((block) => {
    if (!isRecord(block) || !isRecord(block.json)) return block;
    const { note: _note, ...rest } = block.json;
    return { json: rest };
  });
}

/** Quotes every passage with its documentId; other results are shown as compact JSON. */
function summarise(results: readonly ToolResultSeen[]): string {
  const parts = results.map((result) => {
    const content = withoutNotes(result.content);
    const label = result.toolName ?? 'tool';
    const seen = new Set<string>();
    const quotes = documentReferences(content).flatMap((reference) => {
      const id = String(reference.documentId);
      const passage = typeof reference.text === 'string' ? reference.text : String(reference.title ?? '');
      const key = `${id}\n${passage}`;
      if (seen.has(key)) return [];
      seen.add(key);
      return [`"${passage}" [${id}]`];
    });
    if (quotes.length > 0) return `${label}: ${quotes.join(' ')}`;
    return `${label}${result.status === 'error' ? ' (error)' : ''}: ${JSON.stringify(content)}`;
  });
  return `Stand-in summary of tool results: ${parts.join(' | ')}`.slice(0, MAX_SUMMARY_LENGTH);
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
  const events: ConverseStreamEvent[] = [['messageStart', { role: 'assistant' }]];
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
  return {
    status: 200,
    headers: { 'content-type': EVENT_STREAM_CONTENT_TYPE },
    body: Buffer.concat(events.map(eventFrame)),
  };
}

/** Deterministic, so repeated runs give identical transcripts. */
function toolUseId(prefix: string, instruction: ToolInstruction): string {
  const digest = createHash('sha256').update(`${instruction.name}\n${JSON.stringify(instruction.input)}`);
  return `${prefix}${digest.digest('hex').slice(0, 20)}`;
}

function tokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

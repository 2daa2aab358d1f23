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
 * - `[[throttle]]` / `[[fail]]` in the last user text, or `failNext()` (optionally only for one
 *   model id and/or one caller tenant), make it answer 429 ThrottlingException / 500
 *   InternalServerException.
 * - `[[slow:<ms>]]` in the last user text delays its answer (≤ 10 s): a slow model, for tests
 *   of what happens when a client gives up before the platform has answered.
 * - Usage: ~4 characters per token, counted over everything it was sent and everything it says.
 *   It keeps a running total of the usage it reported, per caller tenant (`usageOf`), so tests
 *   can hold the platform's metering against what the model really billed.
 * - InvokeModel with a Titan Text Embeddings body (`inputText`, `dimensions`) answers a
 *   normalised bag-of-words vector: texts sharing words are close, so vector search is testable.
 * - It records every request (`requests`): operation, model, the caller's session tags and the
 *   tool names offered, so tests can assert what the model was shown.
 */
import { createHash } from 'node:crypto';
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { isRecord } from '../../lambdas/is-record.js';
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

export type ModelFailure = 'throttle' | 'fail';
export type ModelOperation = 'converse' | 'converse-stream' | 'invoke';

/** Who called, as the front door saw it: the session tags of the signing principal. */
export type ModelCaller = Readonly<Record<string, string>>;

/** One request the model received. */
export interface RecordedModelRequest {
  /** Increases by one per request, from 1. */
  readonly sequence: number;
  readonly operation: ModelOperation;
  readonly modelId: string;
  /** The caller's `TenantId` / `UserId` session tags (absent for a function's own credentials). */
  readonly tenantId?: string;
  readonly userId?: string;
  /** Tool names the request's toolConfig offered, in order. */
  readonly offeredTools: readonly string[];
  /** The tool the model asked for in its answer; `injected` when a tool result told it to. */
  readonly requestedTool?: { readonly name: string; readonly injected: boolean };
  /** How the request failed on purpose; absent when it was answered. */
  readonly failure?: ModelFailure;
  /** The usage the answer reported (absent for a failed request). */
  readonly usage?: TokenCounts;
  /** The request held a secret value (a connector key): DESIGN invariant 9 says it never may. */
  readonly carriesSecret?: true;
}

export interface TokenCounts {
  readonly inputTokens: number;
  readonly outputTokens: number;
}

/** Usage the model reported to one tenant's callers: in all, and per model id. */
export interface TenantModelUsage extends TokenCounts {
  /** Answered requests (failed ones report no usage). */
  readonly calls: number;
  readonly byModel: Readonly<Record<string, TokenCounts & { readonly calls: number }>>;
}

/** Which requests a queued failure hits: all, or only one model's and/or one tenant's. */
export interface FailureScope {
  readonly modelId?: string;
  readonly tenantId?: string;
}

interface QueuedFailure extends FailureScope {
  readonly failure: ModelFailure;
}

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

/** Recorded requests kept (the oldest are dropped), so a long `npm start` does not grow without bound. */
/** The longest `[[slow:<ms>]]` delay. */
const MAX_LATENCY_MS = 10_000;
const MAX_RECORDED_REQUESTS = 10_000;
const MAX_SUMMARY_LENGTH = 2_000;
/** Marks tool calls made on an injected instruction, so the model obeys only one per conversation. */
const INJECTED_ID_PREFIX = 'tooluse_injected_';
const codec = new EventStreamCodec(toUtf8, fromUtf8);

export class StandInModel {
  private readonly queuedFailures: QueuedFailure[] = [];
  private readonly recorded: RecordedModelRequest[] = [];
  /** Not bounded like `recorded`: totals must cover the whole run. One entry per tenant. */
  private readonly usageTotals = new Map<string, TenantModelUsage>();
  private sequence = 0;
  /** Not bounded: the run's verdict on secrets must cover every request. */
  private secretSightings = 0;

  /** `secretValues`: what no request may contain (the local Secrets Manager's values). */
  constructor(private readonly secretValues: () => readonly string[] = () => []) {}

  /** How many Converse requests so far held a secret value (should stay 0). */
  requestsCarryingSecrets(): number {
    return this.secretSightings;
  }

  /**
   * Makes the next `times` calls within `scope` fail the given way. Scoping to a tenant keeps
   * a test's failures away from other tests' requests running at the same time.
   */
  failNext(failure: ModelFailure, times = 1, scope: FailureScope = {}): void {
    for (let n = 0; n < times; n++) this.queuedFailures.push({ failure, ...scope });
  }

  /** The usage reported to callers of one tenant so far (zeros when none). */
  usageOf(tenantId: string): TenantModelUsage {
    return this.usageTotals.get(tenantId) ?? { inputTokens: 0, outputTokens: 0, calls: 0, byModel: {} };
  }

  /** Recorded requests with a sequence number above `after`, oldest first. */
  requests(after = 0): RecordedModelRequest[] {
    return this.recorded.filter((request) => request.sequence > after);
  }

  /** InvokeModel for a Titan-style embedding request. */
  embed(modelId: string, body: Record<string, unknown>, caller: ModelCaller = {}): EmulatorResponse {
    const failure = this.takeFailure(modelId, caller);
    if (failure !== undefined) {
      this.record('invoke', modelId, caller, [], { failure });
      return failureResponse(failure);
    }
    const { inputText, dimensions } = body;
    if (typeof inputText !== 'string' || inputText.length === 0) {
      this.record('invoke', modelId, caller, [], {});
      return namedJsonError(400, 'ValidationException', 'inputText is required');
    }
    const size =
      typeof dimensions === 'number' && Number.isInteger(dimensions) && dimensions > 0 ? dimensions : 1024;
    const inputTextTokenCount = tokens(inputText);
    this.record('invoke', modelId, caller, [], {
      usage: { inputTokens: inputTextTokenCount, outputTokens: 0 },
    });
    return jsonResponse(200, { embedding: bagOfWords(inputText, size), inputTextTokenCount });
  }

  /** How long to hold the answer to a Converse request back (`[[slow:<ms>]]`), in ms. */
  latencyOf(body: Record<string, unknown>): number {
    const asked = /\[\[slow:(\d{1,5})\]\]/.exec(lastUserText(body.messages))?.[1];
    return Math.min(Number(asked ?? 0), MAX_LATENCY_MS);
  }

  /** Converse (`streaming` false) or ConverseStream. */
  handle(
    modelId: string,
    streaming: boolean,
    body: Record<string, unknown>,
    caller: ModelCaller = {},
  ): EmulatorResponse {
    const offered = offeredTools(body.toolConfig);
    const lastText = lastUserText(body.messages);
    const operation = streaming ? 'converse-stream' : 'converse';
    const text = JSON.stringify(body);
    const carriesSecret = this.secretValues().some((value) => text.includes(value));
    if (carriesSecret) this.secretSightings += 1;
    const secretMark = carriesSecret ? { carriesSecret: true as const } : {};
    const failure =
      this.takeFailure(modelId, caller) ??
      (lastText.includes('[[throttle]]') ? 'throttle' : lastText.includes('[[fail]]') ? 'fail' : undefined);
    if (failure !== undefined) {
      this.record(operation, modelId, caller, offered, { failure, ...secretMark });
      return failureResponse(failure);
    }
    const reply = replyTo(body, lastText, offered);
    const toolUse = reply.content.find((block) => 'toolUse' in block);
    const { inputTokens, outputTokens } = reply.usage;
    this.record(operation, modelId, caller, offered, {
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

  /** Removes and returns the first queued failure whose scope covers this request. */
  private takeFailure(modelId: string, caller: ModelCaller): ModelFailure | undefined {
    const index = this.queuedFailures.findIndex(
      (queued) =>
        (queued.modelId === undefined || queued.modelId === modelId) &&
        (queued.tenantId === undefined || queued.tenantId === caller.TenantId),
    );
    if (index === -1) return undefined;
    return this.queuedFailures.splice(index, 1)[0]?.failure;
  }

  private record(
    operation: ModelOperation,
    modelId: string,
    caller: ModelCaller,
    offered: readonly string[],
    outcome: Pick<RecordedModelRequest, 'requestedTool' | 'failure' | 'usage' | 'carriesSecret'>,
  ): void {
    this.sequence += 1;
    this.recorded.push({
      sequence: this.sequence,
      operation,
      modelId,
      ...(caller.TenantId === undefined ? {} : { tenantId: caller.TenantId }),
      ...(caller.UserId === undefined ? {} : { userId: caller.UserId }),
      offeredTools: offered,
      ...outcome,
    });
    if (this.recorded.length > MAX_RECORDED_REQUESTS) this.recorded.shift();
    if (outcome.usage !== undefined && caller.TenantId !== undefined) {
      this.addUsage(caller.TenantId, modelId, outcome.usage);
    }
  }

  private addUsage(tenantId: string, modelId: string, usage: TokenCounts): void {
    const total = this.usageOf(tenantId);
    const ofModel = total.byModel[modelId] ?? { inputTokens: 0, outputTokens: 0, calls: 0 };
    this.usageTotals.set(tenantId, {
      inputTokens: total.inputTokens + usage.inputTokens,
      outputTokens: total.outputTokens + usage.outputTokens,
      calls: total.calls + 1,
      byModel: {
        ...total.byModel,
        [modelId]: {
          inputTokens: ofModel.inputTokens + usage.inputTokens,
          outputTokens: ofModel.outputTokens + usage.outputTokens,
          calls: ofModel.calls + 1,
        },
      },
    });
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

/** Deterministic, so repeated runs give identical transcripts. */
function toolUseId(prefix: string, instruction: ToolInstruction): string {
  const digest = createHash('sha256').update(`${instruction.name}\n${JSON.stringify(instruction.input)}`);
  return `${prefix}${digest.digest('hex').slice(0, 20)}`;
}

function tokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

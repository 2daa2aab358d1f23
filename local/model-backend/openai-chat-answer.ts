/**
 * OpenAI chat completion answers → Bedrock Converse answers. One assembler serves both: a
 * streamed answer is fed chunk by chunk (each giving the ConverseStream events it stands for),
 * a whole answer is fed as one chunk; either way it ends with the Converse output — content
 * blocks (text, toolUse), stopReason and usage.
 */
import { randomUUID } from 'node:crypto';
import * as z from 'zod';
import type { ConverseStreamEvent } from './bedrock-event-stream.js';
import type { TokenCounts } from './model-record.js';
import { malformedAnswer } from './model-server-faults.js';

const Usage = z.object({
  prompt_tokens: z.number().int().nonnegative(),
  completion_tokens: z.number().int().nonnegative(),
});

const ToolCallDelta = z.object({
  /** Which tool call a piece belongs to; some servers (older Ollama) leave it out and send each call whole. */
  index: z.number().int().nonnegative().optional(),
  id: z.string().nullish(),
  function: z.object({ name: z.string().nullish(), arguments: z.string().nullish() }).optional(),
});

const Delta = z.object({
  content: z.string().nullish(),
  tool_calls: z.array(ToolCallDelta).nullish(),
});

/** One `data:` event of a streamed answer (the last one may carry only `usage`). */
export const ChatCompletionChunk = z.object({
  choices: z.array(z.object({ delta: Delta.optional(), finish_reason: z.string().nullish() })),
  usage: Usage.nullish(),
});

/** A whole (not streamed) answer. */
export const ChatCompletion = z.object({
  choices: z.array(z.object({ message: Delta, finish_reason: z.string().nullish() })).min(1),
  usage: Usage.nullish(),
});

export type ChatDelta = z.infer<typeof Delta>;

/** Bedrock's stopReason for OpenAI's finish_reason. */
const STOP_REASONS: Readonly<Record<string, string>> = {
  stop: 'end_turn',
  length: 'max_tokens',
  tool_calls: 'tool_use',
  function_call: 'tool_use',
  content_filter: 'content_filtered',
};

type Block =
  | { readonly kind: 'text'; text: string; open: boolean }
  | {
      readonly kind: 'tool';
      readonly toolUseId: string;
      readonly name: string;
      input: string;
      open: boolean;
    };

export type ConverseContentBlock =
  | { readonly text: string }
  | { readonly toolUse: { readonly toolUseId: string; readonly name: string; readonly input: unknown } };

export interface ConverseAnswer {
  readonly output: {
    readonly message: { readonly role: 'assistant'; readonly content: ConverseContentBlock[] };
  };
  readonly stopReason: string;
  readonly usage: TokenCounts & { readonly totalTokens: number };
  readonly metrics: { readonly latencyMs: number };
}

export class ConverseAnswerAssembler {
  private readonly blocks: Block[] = [];
  /**
   * Block position of each OpenAI tool call index. A call without an `index` (sent whole) is a call
   * of its own: it is never looked up, so it can neither join nor be joined by another.
   */
  private readonly toolBlocks = new Map<number, number>();
  private started = false;
  private finishReason: string | undefined;
  private reportedUsage: z.infer<typeof Usage> | undefined;
  private readonly startedAt = Date.now();

  /** `promptCharacters`: the request's size, for an estimate when the server reports no usage. */
  constructor(private readonly promptCharacters: number) {}

  /** Takes one streamed chunk; the ConverseStream events it stands for. */
  addChunk(chunk: z.infer<typeof ChatCompletionChunk>): ConverseStreamEvent[] {
    if (chunk.usage != null) this.reportedUsage = chunk.usage;
    const [choice] = chunk.choices;
    if (choice === undefined) return [];
    return this.add(choice.delta ?? {}, choice.finish_reason);
  }

  /** Takes a piece of the answer and its finish reason, if it came with one. */
  add(delta: ChatDelta, finishReason?: string | null): ConverseStreamEvent[] {
    const events: ConverseStreamEvent[] = this.start();
    if (finishReason != null) this.finishReason = finishReason;
    if (delta.content != null && delta.content !== '') events.push(...this.addText(delta.content));
    for (const call of delta.tool_calls ?? []) events.push(...this.addToolCall(call));
    return events;
  }

  /** Whether the answer said it was complete (a finish reason), so a stream cut short is told from a whole one. */
  get finished(): boolean {
    return this.finishReason !== undefined;
  }

  /** The last events: open blocks stopped, messageStop, metadata with usage. */
  finish(): ConverseStreamEvent[] {
    const events: ConverseStreamEvent[] = this.start();
    this.blocks.forEach((block, contentBlockIndex) => {
      if (block.open) events.push(this.stop(block, contentBlockIndex));
    });
    events.push(['messageStop', { stopReason: this.stopReason() }]);
    events.push(['metadata', { usage: this.usage(), metrics: { latencyMs: this.latencyMs() } }]);
    return events;
  }

  /** The whole answer as Converse output (tool inputs parsed). */
  output(): ConverseAnswer {
    return {
      output: {
        message: {
          role: 'assistant',
          content: this.blocks.map((block) => contentOf(block, this.finishReason === 'length')),
        },
      },
      stopReason: this.stopReason(),
      usage: this.usage(),
      metrics: { latencyMs: this.latencyMs() },
    };
  }

  /** The first tool the model asked for. */
  requestedTool(): string | undefined {
    return this.blocks.find((block) => block.kind === 'tool')?.name;
  }

  /** What the server reported; an estimate (~4 characters a token, as the stand-in) when it reported none. */
  usage(): TokenCounts & { totalTokens: number } {
    const inputTokens = this.reportedUsage?.prompt_tokens ?? estimateTokens(this.promptCharacters);
    const outputTokens =
      this.reportedUsage?.completion_tokens ??
      estimateTokens(
        this.blocks.reduce(
          (sum, block) => sum + (block.kind === 'text' ? block.text : block.input).length,
          0,
        ),
      );
    return { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens };
  }

  private stopReason(): string {
    if (this.finishReason === 'length') return 'max_tokens';
    if (this.blocks.some((block) => block.kind === 'tool')) return 'tool_use';
    return STOP_REASONS[this.finishReason ?? 'stop'] ?? 'end_turn';
  }

  private start(): ConverseStreamEvent[] {
    if (this.started) return [];
    this.started = true;
    return [['messageStart', { role: 'assistant' }]];
  }

  private addText(text: string): ConverseStreamEvent[] {
    const last = this.blocks.at(-1);
    if (last?.kind === 'text' && last.open) {
      last.text += text;
    } else {
      this.blocks.push({ kind: 'text', text, open: true });
    }
    return [['contentBlockDelta', { contentBlockIndex: this.blocks.length - 1, delta: { text } }]];
  }

  private addToolCall(call: z.infer<typeof ToolCallDelta>): ConverseStreamEvent[] {
    const events: ConverseStreamEvent[] = [];
    let position = call.index === undefined ? undefined : this.toolBlocks.get(call.index);
    if (position === undefined) {
      const name = call.function?.name;
      if (name == null || name === '') throw malformedAnswer('a tool call without a function name');
      // Text before a tool call is finished: Bedrock's blocks do not interleave.
      this.blocks.forEach((block, blockIndex) => {
        if (block.kind === 'text' && block.open) events.push(this.stop(block, blockIndex));
      });
      const toolUseId = toolUseIdOf(call.id);
      this.blocks.push({ kind: 'tool', toolUseId, name, input: '', open: true });
      position = this.blocks.length - 1;
      if (call.index !== undefined) this.toolBlocks.set(call.index, position);
      events.push([
        'contentBlockStart',
        { contentBlockIndex: position, start: { toolUse: { toolUseId, name } } },
      ]);
    }
    const block = this.blocks[position];
    const piece = call.function?.arguments;
    if (block?.kind === 'tool' && piece != null && piece !== '') {
      block.input += piece;
      events.push([
        'contentBlockDelta',
        { contentBlockIndex: position, delta: { toolUse: { input: piece } } },
      ]);
    }
    return events;
  }

  private stop(block: Block, contentBlockIndex: number): ConverseStreamEvent {
    block.open = false;
    return ['contentBlockStop', { contentBlockIndex }];
  }

  private latencyMs(): number {
    return Date.now() - this.startedAt;
  }
}

/**
 * A block as Converse output. A tool call cut off by the token limit (`truncated`) keeps its
 * unfinished arguments as text, with stopReason max_tokens, as the streamed answer relays them;
 * arguments that are not JSON in a complete answer are a malformed answer.
 */
function contentOf(block: Block, truncated: boolean): ConverseContentBlock {
  if (block.kind === 'text') return { text: block.text };
  let input: unknown;
  try {
    input = JSON.parse(block.input === '' ? '{}' : block.input);
  } catch (err) {
    if (!truncated)
      throw malformedAnswer(`the arguments of tool call ${block.name} are not JSON (${String(err)})`);
    input = block.input;
  }
  return { toolUse: { toolUseId: block.toolUseId, name: block.name, input } };
}

/** Bedrock's toolUseId allows `[a-zA-Z0-9_-]{1,64}`; servers' ids are mostly like that, or absent. */
function toolUseIdOf(id: string | null | undefined): string {
  const cleaned = (id ?? '').replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, 64);
  return cleaned === '' ? `tooluse_${randomUUID().replaceAll('-', '')}` : cleaned;
}

/** ~4 characters a token, at least 1: the stand-in's rule, for servers that report no usage. */
export function estimateTokens(characters: number): number {
  return Math.max(1, Math.ceil(characters / 4));
}

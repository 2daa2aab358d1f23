/**
 * A Bedrock Converse request body → an OpenAI `POST /chat/completions` body: the system prompt,
 * every turn (assistant toolUse → `tool_calls`, toolResult → a `role: tool` message), the tools
 * offered (toolSpec → function JSON schema), the tool choice and the inference settings.
 */
import * as z from 'zod';
import { ModelServerFault } from './model-server-faults.js';

const Text = z.object({ text: z.string() });
const ToolUse = z.object({
  toolUse: z.object({ toolUseId: z.string(), name: z.string(), input: z.json() }),
});
const ToolResult = z.object({
  toolResult: z.object({
    toolUseId: z.string(),
    content: z.array(z.union([Text, z.object({ json: z.json() })])),
    status: z.enum(['success', 'error']).optional(),
  }),
});
/** A prompt-caching hint: meaningless to an OpenAI-compatible server, so it is dropped. */
const CachePoint = z.object({ cachePoint: z.object({}) });
const ContentBlock = z.union([Text, ToolUse, ToolResult, CachePoint]);

const ConverseBody = z.object({
  messages: z.array(z.object({ role: z.enum(['user', 'assistant']), content: z.array(ContentBlock) })),
  system: z.array(z.union([Text, CachePoint])).optional(),
  inferenceConfig: z
    .object({
      maxTokens: z.number().int().positive().optional(),
      temperature: z.number().optional(),
      topP: z.number().optional(),
      stopSequences: z.array(z.string()).optional(),
    })
    .optional(),
  toolConfig: z
    .object({
      tools: z.array(
        z.union([
          z.object({
            toolSpec: z.object({
              name: z.string(),
              description: z.string().optional(),
              inputSchema: z.object({ json: z.json() }),
            }),
          }),
          CachePoint,
        ]),
      ),
      toolChoice: z
        .union([
          z.object({ auto: z.object({}) }),
          z.object({ any: z.object({}) }),
          z.object({ tool: z.object({ name: z.string() }) }),
        ])
        .optional(),
    })
    .optional(),
});

export type ConverseRequestBody = z.infer<typeof ConverseBody>;

export interface OpenAiToolCall {
  readonly id: string;
  readonly type: 'function';
  readonly function: { readonly name: string; readonly arguments: string };
}

export type OpenAiMessage =
  | { readonly role: 'system' | 'user'; readonly content: string }
  | { readonly role: 'assistant'; readonly content: string | null; readonly tool_calls?: OpenAiToolCall[] }
  | { readonly role: 'tool'; readonly tool_call_id: string; readonly content: string };

export interface OpenAiChatRequest {
  readonly model: string;
  readonly messages: OpenAiMessage[];
  readonly tools?: {
    readonly type: 'function';
    readonly function: { readonly name: string; readonly description?: string; readonly parameters: unknown };
  }[];
  readonly tool_choice?: 'auto' | 'required' | { type: 'function'; function: { name: string } };
  readonly max_tokens?: number;
  readonly temperature?: number;
  readonly top_p?: number;
  readonly stop?: string[];
  readonly stream?: true;
  readonly stream_options?: { readonly include_usage: true };
}

/** Reads a Converse body; a shape this adapter cannot translate is the caller's ValidationException. */
export function converseRequestOf(body: Record<string, unknown>): ConverseRequestBody {
  const parsed = ConverseBody.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ModelServerFault(
      'ValidationException',
      `the OpenAI-compatible model cannot take this request (${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}); it takes text, toolUse and toolResult blocks`,
    );
  }
  return parsed.data;
}

/** The chat completions body for a Converse request, for the server's `model`. */
export function chatRequestOf(
  request: ConverseRequestBody,
  model: string,
  streaming: boolean,
): OpenAiChatRequest {
  const system = textOf(request.system ?? []);
  const tools = (request.toolConfig?.tools ?? []).flatMap((tool) =>
    'toolSpec' in tool
      ? [
          {
            type: 'function' as const,
            function: {
              name: tool.toolSpec.name,
              ...(tool.toolSpec.description === undefined ? {} : { description: tool.toolSpec.description }),
              parameters: tool.toolSpec.inputSchema.json,
            },
          },
        ]
      : [],
  );
  const choice = request.toolConfig?.toolChoice;
  const inference = request.inferenceConfig ?? {};
  return {
    model,
    messages: [
      ...(system === '' ? [] : [{ role: 'system' as const, content: system }]),
      ...request.messages.flatMap(messagesOf),
    ],
    ...(tools.length === 0 ? {} : { tools }),
    ...(choice === undefined || tools.length === 0 ? {} : { tool_choice: toolChoiceOf(choice) }),
    ...(inference.maxTokens === undefined ? {} : { max_tokens: inference.maxTokens }),
    ...(inference.temperature === undefined ? {} : { temperature: inference.temperature }),
    ...(inference.topP === undefined ? {} : { top_p: inference.topP }),
    ...(inference.stopSequences === undefined || inference.stopSequences.length === 0
      ? {}
      : { stop: inference.stopSequences }),
    ...(streaming ? { stream: true as const, stream_options: { include_usage: true as const } } : {}),
  };
}

/** The tool names a Converse request offers, in order. */
export function offeredToolNames(request: ConverseRequestBody): string[] {
  return (request.toolConfig?.tools ?? []).flatMap((tool) =>
    'toolSpec' in tool ? [tool.toolSpec.name] : [],
  );
}

type Message = ConverseRequestBody['messages'][number];

/**
 * One Converse message as OpenAI messages. A user turn's tool results come first, one `tool`
 * message each, since they must follow the assistant's `tool_calls` directly; its text after.
 */
function messagesOf(message: Message): OpenAiMessage[] {
  const text = textOf(message.content);
  if (message.role === 'assistant') {
    const calls = message.content.flatMap((block) =>
      'toolUse' in block
        ? [
            {
              id: block.toolUse.toolUseId,
              type: 'function' as const,
              function: { name: block.toolUse.name, arguments: JSON.stringify(block.toolUse.input) },
            },
          ]
        : [],
    );
    return [
      calls.length === 0
        ? { role: 'assistant', content: text }
        : { role: 'assistant', content: text === '' ? null : text, tool_calls: calls },
    ];
  }
  const results = message.content.flatMap((block) =>
    'toolResult' in block
      ? [
          {
            role: 'tool' as const,
            tool_call_id: block.toolResult.toolUseId,
            content: toolResultText(block.toolResult),
          },
        ]
      : [],
  );
  return [...results, ...(text === '' ? [] : [{ role: 'user' as const, content: text }])];
}

/** A tool result as the text a `tool` message carries: its text blocks, and its JSON blocks as JSON. */
function toolResultText(
  result: Extract<z.infer<typeof ContentBlock>, { toolResult: unknown }>['toolResult'],
): string {
  const parts = result.content.map((block) => ('text' in block ? block.text : JSON.stringify(block.json)));
  const text = parts.join('\n');
  return result.status === 'error' ? `Error: ${text}` : text;
}

function textOf(blocks: readonly z.infer<typeof ContentBlock>[]): string {
  return blocks.flatMap((block) => ('text' in block ? [block.text] : [])).join('\n\n');
}

function toolChoiceOf(
  choice: NonNullable<NonNullable<ConverseRequestBody['toolConfig']>['toolChoice']>,
): NonNullable<OpenAiChatRequest['tool_choice']> {
  if ('tool' in choice) return { type: 'function', function: { name: choice.tool.name } };
  return 'any' in choice ? 'required' : 'auto';
}

/**
 * The narrow model interface the agent depends on: Bedrock Converse's message
 * shapes, reduced to what the agent sends and reads. ScopedModel satisfies it
 * structurally, so the agent never imports the SDK and a unit test can stand
 * in for the model.
 */

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface TextBlock {
  text: string;
}

export interface ToolUseBlock {
  toolUse: { toolUseId: string; name: string; input: JsonValue };
}

export interface ToolResultBlock {
  toolResult: { toolUseId: string; status: 'success' | 'error'; content: Array<{ json: JsonValue }> };
}

export type ContentBlock = TextBlock | ToolUseBlock | ToolResultBlock;

export interface ChatMessage {
  role: 'user' | 'assistant';
  content: ContentBlock[];
}

export interface ToolSpecification {
  toolSpec: { name: string; description: string; inputSchema: { json: JsonValue } };
}

export interface ConverseRequest {
  system: Array<{ text: string }>;
  messages: ChatMessage[];
  toolConfig?: { tools: ToolSpecification[] };
  inferenceConfig: { maxTokens: number };
}

/** What the agent reads from an answer; every field is optional, as the SDK's output type says. */
export interface ModelContentBlock {
  text?: string;
  toolUse?: { toolUseId?: string; name?: string; input?: unknown };
}

export interface ModelUsage {
  inputTokens?: number;
  outputTokens?: number;
}

export interface ConverseAnswer {
  output?: { message?: { content?: ModelContentBlock[] } };
  stopReason?: string;
  usage?: ModelUsage;
}

/** One ConverseStream event, reduced to the members the agent reads. */
export interface ModelStreamEvent {
  contentBlockStart?: {
    contentBlockIndex?: number;
    start?: { toolUse?: { toolUseId?: string; name?: string } };
  };
  contentBlockDelta?: { contentBlockIndex?: number; delta?: { text?: string; toolUse?: { input?: string } } };
  messageStop?: { stopReason?: string };
  metadata?: { usage?: ModelUsage };
}

export interface ConverseModel {
  readonly modelId: string;
  converse(request: ConverseRequest, options: { abortSignal?: AbortSignal }): Promise<ConverseAnswer>;
}

export interface ConverseStreamModel extends ConverseModel {
  converseStream(
    request: ConverseRequest,
    options: { abortSignal?: AbortSignal },
  ): Promise<{ stream?: AsyncIterable<ModelStreamEvent> }>;
}

/**
 * Model answers for tests, at the SDK boundary: Converse answers built from a
 * script, and "obedient" behaviour that follows any `use tool <name> {json}`
 * it reads in the last user turn — including inside tool results, the way an
 * injected document would try to steer a model. An obedient model is the
 * worst case: it shows what the platform, not the model, prevents.
 */
import type {
  ServiceInputTypes as BedrockInput,
  ConverseCommandInput,
} from '@aws-sdk/client-bedrock-runtime';
import { metadata, type SentCommand } from './fake-sdk.js';
import { titanEmbeddingAnswer } from './memory-cloud.js';

export interface ToolUseAnswer {
  readonly name: string;
  readonly input: unknown;
}

const TOOL_REQUEST = /use tool ([A-Za-z0-9_-]+)\s*(\{[^{}]*\})?/g;

/** A Converse answer: text, or tool calls (stopReason tool_use). */
export function converseAnswer(reply: string | readonly ToolUseAnswer[]): object {
  const content =
    typeof reply === 'string'
      ? [{ text: reply }]
      : reply.map((toolUse, index) => ({
          toolUse: {
            toolUseId: `tooluse_${index}_${toolUse.name}`,
            name: toolUse.name,
            input: toolUse.input,
          },
        }));
  return {
    ...metadata,
    output: { message: { role: 'assistant', content } },
    stopReason: typeof reply === 'string' ? 'end_turn' : 'tool_use',
    usage: { inputTokens: 10, outputTokens: 5, totalTokens: 15 },
    metrics: { latencyMs: 1 },
  };
}

export function isConverseInput(input: object): input is ConverseCommandInput {
  return 'messages' in input && 'modelId' in input;
}

/** Everything the last user turn says: its text and the JSON of any tool results. */
export function lastUserTurnText(input: ConverseCommandInput): string {
  const last = [...(input.messages ?? [])].reverse().find((message) => message.role === 'user');
  return (last?.content ?? [])
    .map((block) => block.text ?? JSON.stringify(block.toolResult?.content ?? []))
    .join('\n');
}

/** Follows every `use tool` instruction in the last user turn once, then answers with text. */
export function obedientModel(input: ConverseCommandInput): object {
  const lastTurn = lastUserTurnText(input).replaceAll('\\"', '"');
  const requests = [...lastTurn.matchAll(TOOL_REQUEST)].map((match) => ({
    name: match[1] ?? '',
    input: match[2] === undefined ? {} : JSON.parse(match[2]),
  }));
  // Each instruction is followed once: a tool call already made with the same input is not repeated.
  const made = new Set(
    (input.messages ?? []).flatMap((message) =>
      (message.content ?? []).flatMap((block) =>
        block.toolUse === undefined ? [] : [`${block.toolUse.name}:${JSON.stringify(block.toolUse.input)}`],
      ),
    ),
  );
  const fresh = requests.filter((request) => !made.has(`${request.name}:${JSON.stringify(request.input)}`));
  return converseAnswer(fresh.length > 0 ? fresh : `Done: ${lastTurn.slice(0, 200)}`);
}

/** The Bedrock responder of a memory-backed runtime: Titan embeddings plus a Converse script. */
export function bedrockResponder(converse: (input: ConverseCommandInput) => object) {
  return (command: SentCommand<BedrockInput>): object => {
    if (command.name === 'InvokeModelCommand') return titanEmbeddingAnswer(command);
    if (command.name === 'ConverseCommand' && isConverseInput(command.input)) return converse(command.input);
    throw new Error(`unexpected model command ${command.name}`);
  };
}

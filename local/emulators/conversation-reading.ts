/**
 * How the stand-in model reads a Converse request: the last user text, the tool results it was
 * handed, the tools it was offered, and `use tool <name> {json}` instructions anywhere in text.
 */
import { isRecord } from '../../lambdas/is-record.js';

/** A `use tool` instruction: the tool's name and its JSON input (`{}` when none was given). */
export interface ToolInstruction {
  readonly name: string;
  readonly input: unknown;
}

/** One toolResult block of the last user message. */
export interface ToolResultSeen {
  readonly toolName: string | undefined;
  readonly status: string | undefined;
  /** The result's content blocks (`{ text }` or `{ json }`), as sent. */
  readonly content: readonly unknown[];
}

const INSTRUCTION = /use tool ([A-Za-z0-9_-]+)/g;

/** Every `use tool` instruction in a text, in order. The input is the balanced JSON object after the name. */
export function toolInstructions(text: string): ToolInstruction[] {
  return [...text.matchAll(INSTRUCTION)].flatMap((match) => {
    const name = match[1];
    if (name === undefined) return [];
    const rest = text.slice(match.index + match[0].length);
    const json = /^\s*\{/.test(rest) ? balancedObject(rest.slice(rest.indexOf('{'))) : undefined;
    return [{ name, input: parseObject(json) }];
  });
}

/** The leading `{...}` of a text, honouring strings and escapes; undefined when it never closes. */
function balancedObject(text: string): string | undefined {
  let depth = 0;
  let inString = false;
  for (let n = 0; n < text.length; n++) {
    const char = text[n];
    if (inString) {
      if (char === '\\') n++;
      else if (char === '"') inString = false;
    } else if (char === '"') inString = true;
    else if (char === '{') depth++;
    else if (char === '}' && --depth === 0) return text.slice(0, n + 1);
  }
  return undefined;
}

function parseObject(json: string | undefined): unknown {
  if (json === undefined) return {};
  try {
    return JSON.parse(json);
  } catch {
    return {};
  }
}

function lastUserContent(messages: unknown): unknown[] {
  if (!Array.isArray(messages)) return [];
  const last = messages.findLast((message) => isRecord(message) && message.role === 'user');
  return isRecord(last) && Array.isArray(last.content) ? last.content : [];
}

export function lastUserText(messages: unknown): string {
  return lastUserContent(messages)
    .flatMap((block) => (isRecord(block) && typeof block.text === 'string' ? [block.text] : []))
    .join('\n');
}

/** The toolUse blocks of every assistant message. */
export function assistantToolUses(messages: unknown): Record<string, unknown>[] {
  if (!Array.isArray(messages)) return [];
  return messages
    .flatMap((message) =>
      isRecord(message) && message.role === 'assistant' && Array.isArray(message.content)
        ? message.content
        : [],
    )
    .flatMap((block) => (isRecord(block) && isRecord(block.toolUse) ? [block.toolUse] : []));
}

/** The tool results of the last user message, each with the name of the tool that produced it. */
export function lastToolResults(messages: unknown): ToolResultSeen[] {
  const names = new Map(
    assistantToolUses(messages).map((toolUse) => [toolUse.toolUseId, toolUse.name] as const),
  );
  return lastUserContent(messages).flatMap((block) => {
    if (!isRecord(block) || !isRecord(block.toolResult)) return [];
    const result = block.toolResult;
    const toolName = names.get(result.toolUseId);
    return [
      {
        toolName: typeof toolName === 'string' ? toolName : undefined,
        status: typeof result.status === 'string' ? result.status : undefined,
        content: Array.isArray(result.content) ? result.content : [],
      },
    ];
  });
}

export function offeredTools(toolConfig: unknown): string[] {
  if (!isRecord(toolConfig) || !Array.isArray(toolConfig.tools)) return [];
  return toolConfig.tools.flatMap((tool) =>
    isRecord(tool) && isRecord(tool.toolSpec) && typeof tool.toolSpec.name === 'string'
      ? [tool.toolSpec.name]
      : [],
  );
}

/** Every string value in a JSON tree, depth first. */
export function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (isRecord(value)) return Object.values(value).flatMap(stringsIn);
  return [];
}

/** Every object in a JSON tree that carries a string `documentId`, depth first. */
export function documentReferences(value: unknown): Record<string, unknown>[] {
  if (Array.isArray(value)) return value.flatMap(documentReferences);
  if (!isRecord(value)) return [];
  const own = typeof value.documentId === 'string' ? [value] : [];
  return [...own, ...Object.values(value).flatMap(documentReferences)];
}

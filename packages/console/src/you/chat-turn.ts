/**
 * One answer of the agent as the chat stream builds it: each `ChatStreamEvent` of
 * `POST /v1/chat/stream` folded into what the chat view shows — the text so far, the tool calls,
 * a call waiting for approval, a connection the person must make first, the documents the answer
 * cites, or the error that ended it.
 */
import { BulkheadApiError, BulkheadStreamError, type ChatStreamEvent, type Schemas } from '@bulkhead/client';
import { type ApiRefusal, unreachable } from '../api-refusal.js';

type ChatResponse = Schemas['ChatResponse'];
export type ToolCall = ChatResponse['toolCalls'][number] & {
  /** The call's arguments, when the API shows them (a call waiting for approval). */
  readonly input?: unknown;
};

export interface AgentTurn {
  readonly text: string;
  readonly tools: readonly ToolCall[];
  readonly approval?: Schemas['PendingApproval'];
  readonly connection?: NonNullable<ChatResponse['connectionRequired']>;
  readonly citations: ChatResponse['citations'];
  /** The stream has ended (with `done`, an error, a break, or the person's Stop). */
  readonly finished: boolean;
  /** The person stopped the answer before it was done. */
  readonly stopped?: boolean;
  readonly refusal?: ApiRefusal;
}

export const STARTED: AgentTurn = { text: '', tools: [], citations: [], finished: false };

/** The turn after `event`. */
export function withEvent(turn: AgentTurn, event: ChatStreamEvent): AgentTurn {
  switch (event.event) {
    case 'text':
      return { ...turn, text: turn.text + event.data.text };
    case 'tool':
      return { ...turn, tools: [...turn.tools, event.data] };
    case 'approval': {
      const { approval } = event.data;
      return {
        ...turn,
        approval,
        tools: turn.tools.map((tool) =>
          tool.name === approval.tool && tool.status === 'pending_approval'
            ? { ...tool, input: approval.input }
            : tool,
        ),
      };
    }
    case 'connection_required':
      return { ...turn, connection: event.data.connection };
    case 'done':
      return { ...turn, text: event.data.reply, citations: event.data.citations, finished: true };
    case 'error':
      return {
        ...turn,
        finished: true,
        refusal: { status: 0, code: event.data.error.code, message: event.data.error.message },
      };
  }
}

/** The turn after the stream threw: the API refused the message, the stream broke, or the API was unreachable. */
export function withFailure(turn: AgentTurn, err: unknown): AgentTurn {
  const refusal: ApiRefusal =
    err instanceof BulkheadApiError
      ? {
          status: err.status,
          code: err.body?.error.code ?? 'unknown',
          message: err.body?.error.message ?? err.message,
        }
      : err instanceof BulkheadStreamError
        ? { status: 0, code: 'stream_broken', message: err.message }
        : unreachable(err);
  return { ...turn, finished: true, refusal };
}

/** The turn after the person stopped it: what arrived so far stays. */
export function withStop(turn: AgentTurn): AgentTurn {
  return { ...turn, finished: true, stopped: true };
}

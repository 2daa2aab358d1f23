/**
 * One chat turn: load the caller's session history (or start a new session),
 * run the agent, then store the turn. A new session is written only after the
 * agent answered, so a failed chat leaves nothing behind. Usage is metered per
 * model call by the guarded turn taker, not here.
 */
import * as z from 'zod';
import { type AgentEvent, type AgentResult, agentEvents, type TurnTaker } from '../agent/agent-loop.js';
import type { AgentSettings } from '../agent/agent-settings.js';
import { PendingApprovalSchema } from '../agent/approvals.js';
import type { ChatMessage } from '../agent/converse-model.js';
import { ModelResponseError } from '../agent/errors.js';
import type { AgentTool, ToolServices } from '../agent/tool.js';
import type { RequestContext } from '../tenancy/request-context.js';
import { type ChatSessions, SessionIdSchema, type SessionMessage } from './chat-sessions.js';

export const MAX_MESSAGE_LENGTH = 8000;
/** How many earlier messages the model sees. */
export const HISTORY_MESSAGES = 20;

export const ChatRequestSchema = z
  .object({
    message: z.string().trim().min(1).max(MAX_MESSAGE_LENGTH),
    sessionId: SessionIdSchema.optional(),
  })
  .strict()
  .meta({ id: 'ChatRequest', description: 'A message to the agent; without sessionId a new session starts' });
export type ChatRequest = z.infer<typeof ChatRequestSchema>;

export const ChatResponseSchema = z
  .object({
    sessionId: SessionIdSchema,
    reply: z.string(),
    toolCalls: z.array(
      z.object({
        name: z.string(),
        status: z.enum([
          'success',
          'refused',
          'invalid',
          'failed',
          'pending_approval',
          'connection_required',
        ]),
      }),
    ),
    /** Set when a side-effecting tool call waits for the user's approval (`POST /v1/approvals/{id}`). */
    pendingApproval: PendingApprovalSchema.optional(),
    /** Set when a per-user connector's tool needs the user to connect first: open `authorizeUrl`. */
    connectionRequired: z.object({ connector: z.string(), authorizeUrl: z.string() }).optional(),
    citations: z.array(
      z.object({ documentId: z.string(), title: z.string(), chunk: z.number().int().nonnegative() }),
    ),
    usage: z.object({
      inputTokens: z.number().int().nonnegative(),
      outputTokens: z.number().int().nonnegative(),
    }),
  })
  .meta({
    id: 'ChatResponse',
    description: 'One agent turn: the reply, the tools it called, its citations and token usage',
  });
export type ChatResponse = z.infer<typeof ChatResponseSchema>;

export type ChatEvent =
  | Exclude<AgentEvent, { type: 'done' }>
  | { readonly type: 'done'; readonly result: ChatResponse };

export interface ChatDependencies {
  readonly context: RequestContext;
  readonly sessions: Pick<ChatSessions, 'require' | 'recent' | 'create' | 'append'>;
  readonly services: ToolServices;
  /** The tenant's agent settings. @default none */
  readonly settings?: AgentSettings;
  /** The request's tools (built-in and the tenant's connector tools). @default the built-in tools */
  readonly tools?: ReadonlyArray<AgentTool<unknown>>;
  readonly takeTurn: TurnTaker;
  readonly signal: AbortSignal;
  /** Told about failures that must not fail the chat (tool errors). */
  readonly reportFailure: (what: string, err: unknown) => void;
  /** Resolves when the turn's model calls are metered (ModelCallGuard.completed); awaited before the answer. */
  readonly metered: () => Promise<void>;
}

function historyMessages(messages: readonly SessionMessage[]): ChatMessage[] {
  return messages.map((message) => ({ role: message.role, content: [{ text: message.text }] }));
}

/** Runs one chat turn, yielding the agent's events; the last one is `done` with the response. */
export async function* chatEvents(
  dependencies: ChatDependencies,
  request: ChatRequest,
): AsyncGenerator<ChatEvent> {
  try {
    yield* chatTurn(dependencies, request);
  } finally {
    // Metering ran beside the chat's own writes; no answer (or failure) leaves before it lands.
    await dependencies.metered();
  }
}

async function* chatTurn(dependencies: ChatDependencies, request: ChatRequest): AsyncGenerator<ChatEvent> {
  const { sessions } = dependencies;
  const existing = request.sessionId === undefined ? undefined : await sessions.require(request.sessionId);
  const history = existing === undefined ? [] : await sessions.recent(existing.id, HISTORY_MESSAGES);
  let result: AgentResult | undefined;
  for await (const event of agentEvents(
    {
      context: dependencies.context,
      services: dependencies.services,
      history: historyMessages(history),
      message: request.message,
      signal: dependencies.signal,
      ...(dependencies.settings === undefined ? {} : { settings: dependencies.settings }),
      ...(dependencies.tools === undefined ? {} : { tools: dependencies.tools }),
      reportToolFailure: (err) => dependencies.reportFailure('tool', err),
    },
    dependencies.takeTurn,
  )) {
    if (event.type === 'done') result = event.result;
    else yield event;
  }
  if (result === undefined) return;
  const turn = [
    { role: 'user', text: request.message },
    { role: 'assistant', text: result.reply },
  ] as const;
  const session = existing ?? (await sessions.create(request.message, turn));
  if (existing !== undefined) await sessions.append(existing.id, turn);
  // The decision on a waiting call is told in this session, so the model hears it next turn.
  if (result.pendingApproval !== undefined)
    await dependencies.services.approvals?.attachSession(result.pendingApproval.id, session.id);
  yield { type: 'done', result: { sessionId: session.id, ...result } };
}

/** Runs one chat turn and returns the response (the plain form). */
export async function chat(dependencies: ChatDependencies, request: ChatRequest): Promise<ChatResponse> {
  for await (const event of chatEvents(dependencies, request)) {
    if (event.type === 'done') return event.result;
  }
  throw new ModelResponseError('the chat ended without a result');
}

/**
 * The caller's workspace: the domain services of one request, each built on
 * the scoped clients of the caller's own tenant session.
 */
import { converseStreamTurns, converseTurns, deadlineSignal } from '../agent/agent-loop.js';
import type { ToolServices } from '../agent/tool.js';
import type { ChatDependencies } from '../conversations/chat.js';
import { ChatSessions } from '../conversations/chat-sessions.js';
import { DocumentLibrary } from '../documents/document-library.js';
import { LongTermMemory } from '../memory/long-term-memory.js';
import { MonthlyUsage } from '../metering/monthly-usage.js';
import { describeError, jsonLogger, type Logger, redactIdentity } from '../observability/logger.js';
import type { ServiceRuntime } from '../service-runtime.js';
import type { RequestContext } from '../tenancy/request-context.js';

/** Time kept back from the agent so the answer (or the timeout error) still gets out. */
export const DEADLINE_SAFETY_MARGIN_MS = 2_000;

export type WorkspaceRuntime = Pick<
  ServiceRuntime,
  'table' | 'bucket' | 'vectorIndex' | 'embedder' | 'model'
>;

export async function memoryFor(runtime: WorkspaceRuntime, context: RequestContext): Promise<LongTermMemory> {
  return new LongTermMemory(await runtime.table(context));
}

export async function sessionsFor(runtime: WorkspaceRuntime, context: RequestContext): Promise<ChatSessions> {
  return new ChatSessions(await runtime.table(context));
}

export async function documentsFor(
  runtime: WorkspaceRuntime,
  context: RequestContext,
): Promise<DocumentLibrary> {
  const [table, bucket, vectors, embedder] = await Promise.all([
    runtime.table(context),
    runtime.bucket(context),
    runtime.vectorIndex(context),
    runtime.embedder(context),
  ]);
  return new DocumentLibrary(context, { table, bucket, vectors, embedder });
}

/** Everything one chat turn needs, plain (`converse`) or streaming (`converseStream`). */
export async function chatDependencies(
  runtime: WorkspaceRuntime,
  context: RequestContext,
  options: { remainingTimeMs: number; streaming: boolean; logger?: Logger },
): Promise<ChatDependencies> {
  const logger = options.logger ?? jsonLogger;
  const [table, documents, model] = await Promise.all([
    runtime.table(context),
    documentsFor(runtime, context),
    runtime.model(context),
  ]);
  const usage = new MonthlyUsage(table);
  const services: ToolServices = { documents, memory: new LongTermMemory(table), usage };
  const redact = redactIdentity(context);
  return {
    context,
    sessions: new ChatSessions(table),
    usage,
    services,
    takeTurn: options.streaming ? converseStreamTurns(model) : converseTurns(model),
    signal: deadlineSignal(options.remainingTimeMs, DEADLINE_SAFETY_MARGIN_MS),
    reportFailure: (what, err) =>
      logger.error(`chat ${what} failed`, {
        requestId: context.requestId,
        tenantTag: context.tenantTag,
        ...describeError(err, redact),
      }),
  };
}

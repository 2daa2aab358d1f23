/**
 * A user's own data, exported (GDPR article 20): everything the platform keeps for them in their
 * private partitions and prefix — chat sessions with every message, memory facts, private
 * documents with their text, pending approvals, connections (never a token) and this month's
 * usage — read through their own tenant session, as one JSON document. Tenant-visible documents
 * are the tenant's, not the user's, and the audit trail names them only by an opaque id.
 */
import * as z from 'zod';
import { type Approvals, PendingApprovalSchema } from '../agent/approvals.js';
import { type Connections, ConnectionViewSchema } from '../connections/connections.js';
import {
  type ChatSessions,
  SessionMessageSchema,
  SessionSummarySchema,
} from '../conversations/chat-sessions.js';
import { type DocumentLibrary, StoredDocumentSchema } from '../documents/document-library.js';
import { type LongTermMemory, MemoryFactSchema } from '../memory/long-term-memory.js';
import { type MonthlyUsage, MonthlyUsageSchema } from '../metering/monthly-usage.js';
import type { RequestContext } from '../tenancy/request-context.js';

export const UserExportSchema = z
  .object({
    exportedAt: z.iso.datetime(),
    tenantId: z.string(),
    userId: z.string(),
    sessions: z.array(SessionSummarySchema.extend({ messages: z.array(SessionMessageSchema) })),
    memory: z.array(MemoryFactSchema),
    documents: z.array(StoredDocumentSchema),
    approvals: z.array(PendingApprovalSchema),
    connections: z.array(ConnectionViewSchema),
    usage: MonthlyUsageSchema,
  })
  .meta({ id: 'UserExport', description: 'Everything the platform keeps for one user (GDPR article 20)' });
export type UserExport = z.infer<typeof UserExportSchema>;

export interface UserDataSources {
  readonly sessions: Pick<ChatSessions, 'list' | 'messages'>;
  readonly memory: Pick<LongTermMemory, 'list'>;
  readonly documents: Pick<DocumentLibrary, 'list' | 'get'>;
  readonly approvals: Pick<Approvals, 'pending'>;
  readonly connections: Pick<Connections, 'list'>;
  readonly usage: Pick<MonthlyUsage, 'current'>;
}

/** Every page of a listing. */
async function drain<T>(
  page: (cursor?: string) => Promise<{ items: T[]; cursor?: string | undefined }>,
): Promise<T[]> {
  const all: T[] = [];
  let cursor: string | undefined;
  do {
    const next = await page(cursor);
    all.push(...next.items);
    cursor = next.cursor;
  } while (cursor !== undefined);
  return all;
}

const from = (cursor?: string) => (cursor === undefined ? {} : { cursor });

export async function exportUserData(
  context: Pick<RequestContext, 'tenantId' | 'userId'>,
  sources: UserDataSources,
  now: () => Date = () => new Date(),
): Promise<UserExport> {
  const summaries = await drain(async (cursor) => {
    const page = await sources.sessions.list(from(cursor));
    return { items: page.sessions, cursor: page.cursor };
  });
  const sessions = await Promise.all(
    summaries.map(async (summary) => ({
      ...summary,
      messages: await drain(async (cursor) => {
        const page = await sources.sessions.messages(summary.id, from(cursor));
        return { items: page.messages, cursor: page.cursor };
      }),
    })),
  );
  const listed = await drain(async (cursor) => {
    const page = await sources.documents.list(from(cursor));
    return { items: page.documents, cursor: page.cursor };
  });
  const documents = await Promise.all(
    listed
      .filter((document) => document.visibility === 'private')
      .map((document) => sources.documents.get(document.id)),
  );
  const [memory, approvals, connections, usage] = await Promise.all([
    sources.memory.list(),
    sources.approvals.pending(),
    sources.connections.list(),
    sources.usage.current(),
  ]);
  return {
    exportedAt: now().toISOString(),
    tenantId: context.tenantId,
    userId: context.userId,
    sessions,
    memory,
    documents,
    approvals,
    connections,
    usage,
  };
}

/**
 * A user's chat sessions, user-private in the tenant table, so only their
 * owner's tenant session can read them:
 *   session   <tenantId>#u#<userId>#sessions           sk session#<id>
 *   messages  <tenantId>#u#<userId>#messages#<id>      sk msg#<createdAt>#<n>
 * Session ids are time-ordered, so listing newest first is a reverse query.
 */
import * as z from 'zod';
import { expiryAttribute } from '../privacy/retention.js';
import type { ItemAddress, PartitionAddress, ScopedTable } from '../tenancy/scoped-table.js';
import { SessionNotFoundError } from './errors.js';
import { timeOrderedId } from './time-ordered-id.js';

export const SESSIONS_COLLECTION = 'sessions';
export const MESSAGES_COLLECTION = 'messages';
export const SESSION_SK_PREFIX = 'session#';
const MESSAGE_SK_PREFIX = 'msg#';
const TITLE_LENGTH = 80;

export const SessionIdSchema = z.uuid();
export const MessageRoleSchema = z.enum(['user', 'assistant']);

export const SessionSummarySchema = z
  .object({
    id: SessionIdSchema,
    title: z.string(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'SessionSummary', description: 'One of the caller’s chat sessions' });
export type SessionSummary = z.infer<typeof SessionSummarySchema>;

export const SessionMessageSchema = z
  .object({
    role: MessageRoleSchema,
    text: z.string(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'SessionMessage', description: 'One message of a chat session' });
export type SessionMessage = z.infer<typeof SessionMessageSchema>;

const StoredSessionSchema = SessionSummarySchema.omit({ id: true });

export interface Page {
  readonly limit?: number;
  readonly cursor?: string;
}

export interface ChatSessionsOptions {
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** Days a message, and a session after its last message, are kept (DynamoDB TTL). @default kept */
  readonly retentionDays?: number;
}

function sessionAddress(id: string): ItemAddress {
  return { visibility: 'private', collection: SESSIONS_COLLECTION, sk: `${SESSION_SK_PREFIX}${id}` };
}

/** The partition of one chat session's messages (in its owner's private space). */
export function messagesPartition(id: string): PartitionAddress {
  return { visibility: 'private', collection: MESSAGES_COLLECTION, segments: [id] };
}

export class ChatSessions {
  readonly #now: () => Date;
  readonly #retentionDays: number | undefined;

  constructor(
    private readonly table: Pick<ScopedTable, 'put' | 'get' | 'update' | 'delete' | 'query' | 'batchWrite'>,
    options: ChatSessionsOptions = {},
  ) {
    this.#now = options.now ?? (() => new Date());
    this.#retentionDays = options.retentionDays;
  }

  /**
   * Starts a session titled by its first message, with its first messages: the session item first
   * (erasure finds messages through it), then the messages — no update after, the session is new.
   */
  async create(
    firstMessage: string,
    messages: ReadonlyArray<Pick<SessionMessage, 'role' | 'text'>>,
  ): Promise<SessionSummary> {
    const now = this.#now();
    const createdAt = now.toISOString();
    const session = {
      id: timeOrderedId(now.getTime()),
      title: firstMessage.trim().slice(0, TITLE_LENGTH),
      createdAt,
      updatedAt: createdAt,
    };
    const { id, ...stored } = session;
    await this.table.put(
      sessionAddress(id),
      { ...stored, ...expiryAttribute(now, this.#retentionDays) },
      { ifNotExists: true },
    );
    await this.#putMessages(id, messages, now);
    return session;
  }

  /** The caller's session; throws SessionNotFoundError for any id that is not one of theirs. */
  async require(id: string): Promise<SessionSummary> {
    if (!SessionIdSchema.safeParse(id).success) throw new SessionNotFoundError();
    const item = await this.table.get(sessionAddress(id));
    if (item === undefined) throw new SessionNotFoundError();
    return { id, ...StoredSessionSchema.parse(item.attributes) };
  }

  /** One page of the caller's sessions, newest first. */
  async list(page: Page = {}): Promise<{ sessions: SessionSummary[]; cursor?: string }> {
    const result = await this.table.query(
      { visibility: 'private', collection: SESSIONS_COLLECTION },
      { skBeginsWith: SESSION_SK_PREFIX, newestFirst: true, ...pageOptions(page) },
    );
    const sessions = result.items.map((item) => ({
      id: item.sk.slice(SESSION_SK_PREFIX.length),
      ...StoredSessionSchema.parse(item.attributes),
    }));
    return result.cursor === undefined ? { sessions } : { sessions, cursor: result.cursor };
  }

  /** One page of a session's messages, oldest first. */
  async messages(id: string, page: Page = {}): Promise<{ messages: SessionMessage[]; cursor?: string }> {
    await this.require(id);
    const result = await this.table.query(messagesPartition(id), {
      skBeginsWith: MESSAGE_SK_PREFIX,
      ...pageOptions(page),
    });
    const messages = result.items.map((item) => SessionMessageSchema.parse(item.attributes));
    return result.cursor === undefined ? { messages } : { messages, cursor: result.cursor };
  }

  /** The last `count` messages, oldest first, starting with a user message (as Converse requires). */
  async recent(id: string, count: number): Promise<SessionMessage[]> {
    const result = await this.table.query(messagesPartition(id), {
      skBeginsWith: MESSAGE_SK_PREFIX,
      newestFirst: true,
      limit: count,
    });
    const messages = result.items.map((item) => SessionMessageSchema.parse(item.attributes)).reverse();
    const firstUser = messages.findIndex((message) => message.role === 'user');
    return firstUser === -1 ? [] : messages.slice(firstUser);
  }

  /** Appends messages (in order) and marks the session updated. */
  async append(id: string, messages: ReadonlyArray<Pick<SessionMessage, 'role' | 'text'>>): Promise<void> {
    const now = this.#now();
    const createdAt = now.toISOString();
    await this.#putMessages(id, messages, now);
    await this.table.update(
      sessionAddress(id),
      { updatedAt: createdAt, ...expiryAttribute(now, this.#retentionDays) },
      { mustExist: true },
    );
  }

  /** Writes messages (in order) at `now`, in one batch. */
  async #putMessages(
    id: string,
    messages: ReadonlyArray<Pick<SessionMessage, 'role' | 'text'>>,
    now: Date,
  ): Promise<void> {
    const createdAt = now.toISOString();
    await this.table.batchWrite({
      puts: messages.map((message, index) => ({
        address: {
          ...messagesPartition(id),
          sk: `${MESSAGE_SK_PREFIX}${createdAt}#${String(index).padStart(3, '0')}`,
        },
        attributes: {
          role: message.role,
          text: message.text,
          createdAt,
          ...expiryAttribute(now, this.#retentionDays),
        },
      })),
    });
  }

  /** Deletes a session and every message in it. */
  async delete(id: string): Promise<void> {
    await this.require(id);
    let cursor: string | undefined;
    do {
      const page = await this.table.query(messagesPartition(id), {
        skBeginsWith: MESSAGE_SK_PREFIX,
        ...(cursor === undefined ? {} : { cursor }),
      });
      const deletes = page.items.map((item) => ({ ...messagesPartition(id), sk: item.sk }));
      if (deletes.length > 0) await this.table.batchWrite({ deletes });
      cursor = page.cursor;
    } while (cursor !== undefined);
    // The session item goes last, so a failed delete can be retried by id.
    await this.table.delete(sessionAddress(id));
  }
}

function pageOptions(page: Page): { limit?: number; cursor?: string } {
  return {
    ...(page.limit === undefined ? {} : { limit: page.limit }),
    ...(page.cursor === undefined ? {} : { cursor: page.cursor }),
  };
}

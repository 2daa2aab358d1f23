/**
 * Human approval of risky tool calls (DESIGN invariant 10). Once untrusted
 * content (any tool result: a document passage, a fact, a usage report) has
 * entered a turn, a tool with side effects the model asks for is NOT run: the
 * turn ends with a pending approval instead, kept in the caller's own private
 * partition (`<tenant>#u#<user>#approvals`), so only that user's sessions can
 * read or decide it. A decision is single-use (a conditional swap from
 * `pending`), expires, and is audited; an approved call runs exactly once with
 * the recorded input, through the same checks as any tool call.
 */
import * as z from 'zod';
import type { EventAudit } from '../audit/request-audit.js';
import { timeOrderedId } from '../conversations/time-ordered-id.js';
import { TABLE_TTL_ATTRIBUTE } from '../tenancy/key-layout.js';
import type { ItemAddress, ScopedTable } from '../tenancy/scoped-table.js';
import type { JsonValue } from './converse-model.js';
import { ApprovalClosedError, ApprovalNotFoundError } from './errors.js';

/** How long a pending approval waits for its user. */
export const APPROVAL_TTL_SECONDS = 15 * 60;
export const APPROVALS_COLLECTION = 'approvals';
const APPROVAL_SK_PREFIX = 'approval#';
/** How many of the newest approval records a listing reads. */
const PENDING_LOOKBACK = 100;
/** Decided approvals stay readable a day (for the user's own history), then DynamoDB removes them. */
const DECIDED_RETENTION_SECONDS = 24 * 3600;

export const ApprovalIdSchema = z.uuid();
export const ApprovalDecisionSchema = z
  .object({ decision: z.enum(['approve', 'deny']) })
  .strict()
  .meta({ id: 'ApprovalDecision', description: 'Approve or deny a pending tool call' });
export type ApprovalDecision = z.infer<typeof ApprovalDecisionSchema>['decision'];

export const PendingApprovalSchema = z
  .object({
    id: z.string(),
    tool: z.string(),
    input: z.unknown(),
    reason: z.string(),
    expiresAt: z.iso.datetime(),
  })
  .meta({ id: 'PendingApproval', description: 'A tool call waiting for its user’s approval' });
export type PendingApproval = z.infer<typeof PendingApprovalSchema>;

const StoredApprovalSchema = z.object({
  tool: z.string(),
  input: z.string(),
  reason: z.string(),
  status: z.enum(['pending', 'approved', 'denied']),
  expiresAtIso: z.iso.datetime(),
  /** The chat session whose turn ended waiting; the decision is told there. */
  sessionId: z.string().optional(),
});

function approvalAddress(id: string): ItemAddress {
  return { visibility: 'private', collection: APPROVALS_COLLECTION, sk: `${APPROVAL_SK_PREFIX}${id}` };
}

/** A recorded tool call waiting for (or decided by) its user. */
export interface RecordedCall {
  readonly id: string;
  readonly tool: string;
  readonly input: JsonValue;
  /** The chat session the call was asked in (absent if the session was never stored). */
  readonly sessionId?: string;
}

export interface ApprovalsOptions {
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** Time-ordered, so the newest approvals are read first. @default timeOrderedId */
  readonly newId?: () => string;
}

export class Approvals {
  readonly #now: () => Date;
  readonly #newId: () => string;

  constructor(
    private readonly table: Pick<ScopedTable, 'get' | 'put' | 'update' | 'query' | 'transactWrite'>,
    private readonly audit: EventAudit,
    options: ApprovalsOptions = {},
  ) {
    this.#now = options.now ?? (() => new Date());
    this.#newId = options.newId ?? (() => timeOrderedId(this.#now().getTime()));
  }

  /** Records a tool call for the user to decide; audited as an attempt. */
  async request(tool: string, input: JsonValue, reason: string): Promise<PendingApproval> {
    const id = this.#newId();
    const expires = new Date(this.#now().getTime() + APPROVAL_TTL_SECONDS * 1000);
    await this.table.put(approvalAddress(id), {
      tool,
      input: JSON.stringify(input),
      reason,
      status: 'pending',
      expiresAtIso: expires.toISOString(),
      [TABLE_TTL_ATTRIBUTE]: Math.floor(expires.getTime() / 1000) + DECIDED_RETENTION_SECONDS,
    });
    await this.audit.note({
      kind: 'tool_call',
      action: `approval.request.${tool}`.slice(0, 128),
      resource: `approval/${id}`,
      outcome: 'attempted',
    });
    return { id, tool, input, reason, expiresAt: expires.toISOString() };
  }

  /** Notes the chat session a pending call was asked in, so its decision can be told there. */
  async attachSession(id: string, sessionId: string): Promise<void> {
    await this.table.update(approvalAddress(id), { sessionId }, { mustExist: true });
  }

  /**
   * The caller's approvals still waiting, oldest first. Ids sort by time and a pending approval
   * is at most 15 minutes old, so the newest PENDING_LOOKBACK records hold every pending one
   * (decided ones linger a day for the user's history).
   */
  async pending(): Promise<PendingApproval[]> {
    const page = await this.table.query(
      { visibility: 'private', collection: APPROVALS_COLLECTION },
      { skBeginsWith: APPROVAL_SK_PREFIX, limit: PENDING_LOOKBACK, newestFirst: true },
    );
    const now = this.#now().toISOString();
    return [...page.items].reverse().flatMap((item) => {
      const stored = StoredApprovalSchema.safeParse(item.attributes);
      if (!stored.success || stored.data.status !== 'pending' || stored.data.expiresAtIso <= now) return [];
      const { tool, input, reason, expiresAtIso } = stored.data;
      return [
        {
          id: item.sk.slice(APPROVAL_SK_PREFIX.length),
          tool,
          input: JSON.parse(input),
          reason,
          expiresAt: expiresAtIso,
        },
      ];
    });
  }

  /**
   * Closes a pending approval with the user's decision, exactly once; returns
   * the recorded call. Throws ApprovalNotFoundError or ApprovalClosedError.
   */
  async decide(id: string, decision: ApprovalDecision): Promise<RecordedCall> {
    if (!ApprovalIdSchema.safeParse(id).success) throw new ApprovalNotFoundError();
    const item = await this.table.get(approvalAddress(id));
    const stored = StoredApprovalSchema.safeParse(item?.attributes);
    if (!stored.success) throw new ApprovalNotFoundError();
    if (stored.data.status !== 'pending') throw new ApprovalClosedError('decided');
    if (stored.data.expiresAtIso <= this.#now().toISOString()) throw new ApprovalClosedError('expired');
    const closed = await this.table.transactWrite([
      {
        kind: 'swap',
        address: approvalAddress(id),
        set: { status: decision === 'approve' ? 'approved' : 'denied', decidedAt: this.#now().toISOString() },
        expect: { status: 'pending' },
      },
    ]);
    // Another request decided it between the read and the swap.
    if (!closed) throw new ApprovalClosedError('decided');
    await this.audit.note({
      kind: 'tool_call',
      action: `approval.${decision}.${stored.data.tool}`.slice(0, 128),
      resource: `approval/${id}`,
      outcome: decision === 'approve' ? 'succeeded' : 'refused',
    });
    const { tool, input, sessionId } = stored.data;
    return { id, tool, input: JSON.parse(input), ...(sessionId === undefined ? {} : { sessionId }) };
  }
}

/**
 * The per-tenant audit trail: append-only, hash-chained records of tool
 * calls, data writes and deletes, admin actions and access denials, in the
 * tenant's audit partitions (`<tenant>#a#audit#s<chain>`): written through
 * the audit writer role only — the tenant role denies them, so no tenant
 * session can add, change or delete a record.
 *
 * The trail is AUDIT_CHAINS parallel chains, so appends do not all race for
 * one head. Each chain's head item holds its last sequence number and hash;
 * an append picks a chain at random and, in one transaction, moves that head
 * from (n, h) to (n+1, h') on condition that it still says n, and puts record
 * n+1 (condition: new). Two concurrent appends cannot both win the same n on
 * a chain, so no chain forks; a loser tries again on another random chain.
 * Verification (trail-verifier.ts) checks every chain against its head and the signed digests.
 */

import type { GuardedWrite, GuardrailTable } from '../guardrails/guardrail-table.js';
import { expiryAttribute } from '../privacy/retention.js';
import { fullJitterDelay, type Random, realSleep, type Sleep } from '../resilience/backoff.js';
import { TransactionConflictError } from '../tenancy/errors.js';
import type { RequestContext } from '../tenancy/request-context.js';
import { cursorAfter, type ItemAddress, type PartitionAddress } from '../tenancy/scoped-table.js';
import {
  type AuditEvent,
  AuditEventSchema,
  type AuditHead,
  type AuditRecord,
  AuditRecordSchema,
  auditRecordHash,
  GENESIS_HASH,
} from './audit-chain.js';
import { AuditAppendError, AuditRecordError } from './errors.js';
import type { ChainEvidence } from './trail-verifier.js';

/** Parallel chains per tenant: 200 concurrent appends spread to ~12 per head. */
export const AUDIT_CHAINS = 16;
const RECORD_PREFIX = 'e#';
/** Appends tried (each on a random chain) before the caller gets a 503 with Retry-After. */
const DEFAULT_APPEND_ATTEMPTS = 30;
const APPEND_BACKOFF = { baseDelayMs: 10, maxDelayMs: 400 } as const;
/** Zero-padded so sort-key order is sequence order. */
const SEQ_DIGITS = 12;
const DEFAULT_PAGE = 50;

export interface AuditTrailOptions {
  /** Appends tried before AuditAppendError. @default DEFAULT_APPEND_ATTEMPTS (30) */
  readonly maxAttempts?: number;
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** @default setTimeout */
  readonly sleep?: Sleep;
  /** @default Math.random */
  readonly random?: Random;
  /**
   * Days a record is kept (DynamoDB TTL, plus a day so the digest covering it is older than the
   * retention by then: verification accepts a missing record only in that case). @default kept
   */
  readonly retentionDays?: number;
}

/** A record's TTL runs a day past the retention (see AuditTrailOptions.retentionDays). */
const EXPIRY_MARGIN_DAYS = 1;

export interface AuditPage {
  readonly records: AuditRecord[];
  readonly cursor?: string;
}

function chainPartition(chain: number): PartitionAddress {
  return { visibility: 'audit', collection: 'audit', segments: [`s${chain}`] };
}

function headAddress(chain: number): ItemAddress {
  return { ...chainPartition(chain), sk: 'head' };
}

function recordAddress(chain: number, seq: number): ItemAddress {
  return { ...chainPartition(chain), sk: `${RECORD_PREFIX}${String(seq).padStart(SEQ_DIGITS, '0')}` };
}

/** Trail order: by time, then chain, then position. */
function byTrailOrder(a: AuditRecord, b: AuditRecord): number {
  if (a.at !== b.at) return a.at < b.at ? -1 : 1;
  return a.chain - b.chain || a.seq - b.seq;
}

/** A listing position: per chain, the sort key last returned (absent: from the start). */
type Positions = Record<string, string>;

function positionsOf(cursor: string | undefined): Positions {
  if (cursor === undefined) return {};
  try {
    const parsed: unknown = JSON.parse(cursor);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
      return Object.fromEntries(
        Object.entries(parsed).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
      );
  } catch {
    // An unreadable position starts over; cursors are sealed before they reach here.
  }
  return {};
}

export class AuditTrail {
  readonly #maxAttempts: number;
  readonly #now: () => Date;
  readonly #sleep: Sleep;
  readonly #random: Random;
  readonly #retentionDays: number | undefined;
  /** The last `at` this trail wrote: a request's records never share a time, so trail order is causal. */
  #lastAt = 0;

  constructor(
    private readonly table: Pick<GuardrailTable, 'get' | 'query' | 'transactWrite'>,
    /** The opaque id a user's records carry (`actorTagFor`): raw user ids never enter the trail. */
    private readonly actorOf: (userId: string) => string,
    options: AuditTrailOptions = {},
  ) {
    this.#maxAttempts = options.maxAttempts ?? DEFAULT_APPEND_ATTEMPTS;
    this.#now = options.now ?? (() => new Date());
    this.#sleep = options.sleep ?? realSleep;
    this.#random = options.random ?? Math.random;
    this.#retentionDays = options.retentionDays;
  }

  /** Appends one record to one of the tenant's chains; throws AuditAppendError if contention outlasts the retries. */
  async append(
    context: Pick<RequestContext, 'userId' | 'requestId'>,
    event: AuditEvent,
  ): Promise<AuditRecord> {
    const valid = AuditEventSchema.parse(event);
    for (let attempt = 0; attempt < this.#maxAttempts; attempt += 1) {
      if (attempt > 0) {
        await this.#sleep(fullJitterDelay(attempt - 1, APPEND_BACKOFF, this.#random));
      }
      const chain = Math.floor(this.#random() * AUDIT_CHAINS) % AUDIT_CHAINS;
      const head = await this.head(chain);
      const fields = {
        ...valid,
        chain,
        seq: (head?.seq ?? 0) + 1,
        at: this.#nextAt(),
        actor: this.actorOf(context.userId),
        requestId: context.requestId,
        prevHash: head?.hash ?? GENESIS_HASH,
      };
      const record: AuditRecord = { ...fields, hash: auditRecordHash(fields) };
      const appended = await this.#tryAppend([
        {
          kind: 'swap',
          address: headAddress(chain),
          set: { seq: record.seq, hash: record.hash },
          expect: { seq: head?.seq ?? null },
        },
        {
          kind: 'put',
          address: recordAddress(chain, record.seq),
          attributes: {
            ...record,
            ...expiryAttribute(
              new Date(record.at),
              this.#retentionDays === undefined ? undefined : this.#retentionDays + EXPIRY_MARGIN_DAYS,
            ),
          },
          ifNotExists: true,
        },
      ]);
      if (appended) return record;
    }
    throw new AuditAppendError(`audit append lost ${this.#maxAttempts} races for a chain head`);
  }

  /** Now, or a millisecond after this trail's last record when the clock has not moved on. */
  #nextAt(): string {
    this.#lastAt = Math.max(this.#now().getTime(), this.#lastAt + 1);
    return new Date(this.#lastAt).toISOString();
  }

  /** False when another append won the head (a failed condition or a conflicting transaction). */
  async #tryAppend(writes: readonly GuardedWrite[]): Promise<boolean> {
    try {
      return await this.table.transactWrite(writes);
    } catch (err) {
      if (err instanceof TransactionConflictError) return false;
      throw err;
    }
  }

  /** A chain's head, or undefined before its first record. */
  async head(chain: number): Promise<AuditHead | undefined> {
    const item = await this.table.get(headAddress(chain));
    if (item === undefined) return undefined;
    const { seq, hash } = item.attributes;
    if (typeof seq !== 'number' || typeof hash !== 'string')
      throw new AuditRecordError('malformed chain head');
    return { seq, hash };
  }

  /**
   * One page of the trail, in trail order (time, chain, position), merged from every chain;
   * pass `cursor` back for the next. The cursor holds each chain's position.
   */
  async page(options: { limit?: number; cursor?: string } = {}): Promise<AuditPage> {
    const limit = options.limit ?? DEFAULT_PAGE;
    const positions = positionsOf(options.cursor);
    const chains = await Promise.all(
      Array.from({ length: AUDIT_CHAINS }, async (_, chain) => {
        const after = positions[chain];
        const page = await this.table.query(chainPartition(chain), {
          skBeginsWith: RECORD_PREFIX,
          limit,
          ...(after === undefined ? {} : { cursor: cursorAfter(after) }),
        });
        return {
          records: page.items.map((item) => parseRecord(item.sk, item.attributes)),
          more: page.cursor !== undefined,
        };
      }),
    );
    const merged = chains.flatMap((chain) => chain.records).sort(byTrailOrder);
    const taken = merged.slice(0, limit);
    const next: Positions = { ...positions };
    for (const record of taken) next[record.chain] = recordAddress(record.chain, record.seq).sk;
    const more = merged.length > limit || chains.some((chain) => chain.more);
    return more ? { records: taken, cursor: JSON.stringify(next) } : { records: taken };
  }

  /** Every record of one chain from `fromSeq` on, in sequence order. */
  async chainRecords(chain: number, fromSeq = 1): Promise<AuditRecord[]> {
    const records: AuditRecord[] = [];
    let cursor: string | undefined =
      fromSeq > 1 ? cursorAfter(recordAddress(chain, fromSeq - 1).sk) : undefined;
    do {
      const page = await this.table.query(chainPartition(chain), {
        skBeginsWith: RECORD_PREFIX,
        ...(cursor === undefined ? {} : { cursor }),
      });
      records.push(...page.items.map((item) => parseRecord(item.sk, item.attributes)));
      cursor = page.cursor;
    } while (cursor !== undefined);
    return records;
  }

  /**
   * Every chain's head and records, for verification (trail-verifier.ts). Each head is read
   * before its records, so records appended meanwhile are past the head and ignored.
   */
  async chainEvidence(): Promise<ChainEvidence[]> {
    return Promise.all(
      Array.from({ length: AUDIT_CHAINS }, async (_, chain): Promise<ChainEvidence> => {
        const head = await this.head(chain);
        const records = await this.chainRecords(chain);
        return head === undefined ? { chain, records } : { chain, head, records };
      }),
    );
  }
}

function parseRecord(sk: string, attributes: unknown): AuditRecord {
  const parsed = AuditRecordSchema.safeParse(attributes);
  if (!parsed.success) throw new AuditRecordError(`malformed audit record ${sk}`, { cause: parsed.error });
  return parsed.data;
}

/**
 * The per-tenant audit trail: append-only, hash-chained records of tool
 * calls, data writes and deletes, admin actions and access denials, in the
 * tenant's audit partition (`<tenant>#a#audit`): written through the audit
 * writer role only — the tenant role denies it, so no tenant session can add,
 * change or delete a record.
 *
 * A chain head item holds the last sequence number and hash. An append reads
 * the head and, in one transaction, moves the head from (n, h) to (n+1, h')
 * on condition that it still says n, and puts record n+1 (condition: new).
 * Two concurrent appends cannot both win the same n, so the chain never
 * forks; the loser re-reads the head and tries again.
 */

import type { GuardedWrite, GuardrailTable } from '../guardrails/guardrail-table.js';
import { fullJitterDelay, type Random, realSleep, type Sleep } from '../resilience/backoff.js';
import { TransactionConflictError } from '../tenancy/errors.js';
import type { RequestContext } from '../tenancy/request-context.js';
import type { ItemAddress, PartitionAddress } from '../tenancy/scoped-table.js';
import {
  type AuditEvent,
  AuditEventSchema,
  type AuditHead,
  type AuditRecord,
  AuditRecordSchema,
  auditRecordHash,
  type ChainVerdict,
  GENESIS_HASH,
  verifyAuditChain,
} from './audit-chain.js';
import { AuditAppendError, AuditRecordError } from './errors.js';

const AUDIT_PARTITION: PartitionAddress = { visibility: 'audit', collection: 'audit' };
const HEAD_ADDRESS: ItemAddress = { ...AUDIT_PARTITION, sk: 'head' };
const RECORD_PREFIX = 'e#';
/**
 * Every append in a tenant races for the one chain head, so a burst needs
 * many short tries; past them the caller gets a 503 with Retry-After (the
 * sharded chain of the audit redesign removes the race).
 */
const DEFAULT_APPEND_ATTEMPTS = 30;
const APPEND_BACKOFF = { baseDelayMs: 10, maxDelayMs: 400 } as const;
/** Zero-padded so sort-key order is sequence order. */
const SEQ_DIGITS = 12;

export interface AuditTrailOptions {
  /** Appends tried before AuditAppendError. @default DEFAULT_APPEND_ATTEMPTS (30) */
  readonly maxAttempts?: number;
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** @default setTimeout */
  readonly sleep?: Sleep;
  /** @default Math.random */
  readonly random?: Random;
}

export interface AuditPage {
  readonly records: AuditRecord[];
  readonly cursor?: string;
}

function recordAddress(seq: number): ItemAddress {
  return { ...AUDIT_PARTITION, sk: `${RECORD_PREFIX}${String(seq).padStart(SEQ_DIGITS, '0')}` };
}

export class AuditTrail {
  readonly #maxAttempts: number;
  readonly #now: () => Date;
  readonly #sleep: Sleep;
  readonly #random: Random;

  constructor(
    private readonly table: Pick<GuardrailTable, 'get' | 'query' | 'transactWrite'>,
    options: AuditTrailOptions = {},
  ) {
    this.#maxAttempts = options.maxAttempts ?? DEFAULT_APPEND_ATTEMPTS;
    this.#now = options.now ?? (() => new Date());
    this.#sleep = options.sleep ?? realSleep;
    this.#random = options.random ?? Math.random;
  }

  /** Appends one record to the tenant's chain; throws AuditAppendError if contention outlasts the retries. */
  async append(
    context: Pick<RequestContext, 'userId' | 'requestId'>,
    event: AuditEvent,
  ): Promise<AuditRecord> {
    const valid = AuditEventSchema.parse(event);
    for (let attempt = 0; attempt < this.#maxAttempts; attempt += 1) {
      if (attempt > 0) {
        await this.#sleep(fullJitterDelay(attempt - 1, APPEND_BACKOFF, this.#random));
      }
      const head = await this.head();
      const fields = {
        ...valid,
        seq: (head?.seq ?? 0) + 1,
        at: this.#now().toISOString(),
        actor: context.userId,
        requestId: context.requestId,
        prevHash: head?.hash ?? GENESIS_HASH,
      };
      const record: AuditRecord = { ...fields, hash: auditRecordHash(fields) };
      const appended = await this.#tryAppend([
        {
          kind: 'swap',
          address: HEAD_ADDRESS,
          set: { seq: record.seq, hash: record.hash },
          expect: { seq: head?.seq ?? null },
        },
        { kind: 'put', address: recordAddress(record.seq), attributes: record, ifNotExists: true },
      ]);
      if (appended) return record;
    }
    throw new AuditAppendError(`audit append lost ${this.#maxAttempts} races for the chain head`);
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

  /** The chain head, or undefined before the first record. */
  async head(): Promise<AuditHead | undefined> {
    const item = await this.table.get(HEAD_ADDRESS);
    if (item === undefined) return undefined;
    const { seq, hash } = item.attributes;
    if (typeof seq !== 'number' || typeof hash !== 'string')
      throw new AuditRecordError('malformed chain head');
    return { seq, hash };
  }

  /** One page of records, in sequence order; pass `cursor` back for the next. */
  async page(options: { limit?: number; cursor?: string } = {}): Promise<AuditPage> {
    const page = await this.table.query(AUDIT_PARTITION, {
      skBeginsWith: RECORD_PREFIX,
      ...(options.limit === undefined ? {} : { limit: options.limit }),
      ...(options.cursor === undefined ? {} : { cursor: options.cursor }),
    });
    const records = page.items.map((item) => {
      const parsed = AuditRecordSchema.safeParse(item.attributes);
      if (!parsed.success)
        throw new AuditRecordError(`malformed audit record ${item.sk}`, { cause: parsed.error });
      return parsed.data;
    });
    return page.cursor === undefined ? { records } : { records, cursor: page.cursor };
  }

  /** Every record, in sequence order. */
  async records(): Promise<AuditRecord[]> {
    const records: AuditRecord[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.page(cursor === undefined ? {} : { cursor });
      records.push(...page.records);
      cursor = page.cursor;
    } while (cursor !== undefined);
    return records;
  }

  /**
   * Reads the chain up to its head and verifies it. The head is read first, so
   * records appended while reading are past it and ignored, not misreported.
   */
  async verify(): Promise<ChainVerdict> {
    const head = (await this.head()) ?? { seq: 0, hash: GENESIS_HASH };
    const records = await this.records();
    return verifyAuditChain(records.slice(0, head.seq), head);
  }
}

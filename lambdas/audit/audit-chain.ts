/**
 * The audit record and its hash chain, as pure functions. Each record stores
 * the hash of the one before it; the hash covers every field but itself, in a
 * fixed order. Verification finds a changed record (its hash no longer
 * matches), a removed one (a sequence gap or a broken link), a reordering (a
 * sequence out of place) and a cut-off or forged tail (the chain head disagrees).
 */
import { createHash } from 'node:crypto';
import * as z from 'zod';

export const AUDIT_KINDS = [
  'tool_call',
  'data_write',
  'data_delete',
  'admin_action',
  'access_denied',
] as const;
/**
 * `attempted` is the record a data write or admin action appends BEFORE it
 * runs (fail closed); the record of what then happened follows with the same
 * request id, kind, action and resource: `succeeded`, `refused` (the caller's
 * fault, e.g. the item did not exist) or `failed` (a fault). `denied` is an
 * access refusal, recorded alone.
 */
export const AUDIT_OUTCOMES = ['attempted', 'succeeded', 'refused', 'failed', 'denied'] as const;

/** The hash a chain's first record points back to. */
export const GENESIS_HASH = '0'.repeat(64);

/** What happened; no document text, prompts or secrets, only names and ids inside the tenant. */
export const AuditEventSchema = z.object({
  kind: z.enum(AUDIT_KINDS),
  /** e.g. `documents.delete`, `tool.search_documents`, `admin.set_roles`. */
  action: z.string().min(1).max(128),
  /** e.g. `document/<id>`; ids only, never content. */
  resource: z.string().max(512),
  outcome: z.enum(AUDIT_OUTCOMES),
});
export type AuditEvent = z.infer<typeof AuditEventSchema>;

export const AuditRecordSchema = AuditEventSchema.extend({
  /** Which of the tenant's parallel chains the record is on (appends spread over them). */
  chain: z.number().int().nonnegative(),
  /** Position in its chain, from 1. */
  seq: z.number().int().positive(),
  at: z.iso.datetime(),
  /** The acting user, as an opaque id (`a_…`, see `actorTagFor`): never the raw user id. */
  actor: z.string().min(1),
  requestId: z.string().min(1),
  prevHash: z.string().regex(/^[0-9a-f]{64}$/),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
}).meta({ id: 'AuditRecord', description: 'One record of the tenant’s hash-chained audit trail' });
export type AuditRecord = z.infer<typeof AuditRecordSchema>;

/** The chain head: the last record's sequence number and hash. */
export interface AuditHead {
  readonly seq: number;
  readonly hash: string;
}

/** The hash of a record: SHA-256 over its fields in a fixed order (JSON array, so no field can bleed into another). */
export function auditRecordHash(record: Omit<AuditRecord, 'hash'>): string {
  const fields = [
    record.chain,
    record.seq,
    record.at,
    record.actor,
    record.requestId,
    record.kind,
    record.action,
    record.resource,
    record.outcome,
    record.prevHash,
  ];
  return createHash('sha256').update(JSON.stringify(fields)).digest('hex');
}

/**
 * `changed`: a record's hash no longer matches it; `removed`: a record is missing (a gap in the
 * sequence, or the head points past the last record); `out_of_sequence`: a record out of place;
 * `broken_link`: a record does not point back to the one before; `head_mismatch`: the chain's
 * head disagrees with its last record.
 */
export const CHAIN_PROBLEMS = [
  'changed',
  'removed',
  'out_of_sequence',
  'broken_link',
  'head_mismatch',
] as const;
export type ChainProblem = (typeof CHAIN_PROBLEMS)[number];

export type ChainVerdict =
  | { readonly ok: true; readonly count: number }
  | {
      readonly ok: false;
      readonly problem: ChainProblem;
      /** The chain that breaks (set when a trail of several chains is verified). */
      readonly chain?: number;
      /** Position in the given list where the chain first breaks. */
      readonly index: number;
      /** The sequence number expected at that position. */
      readonly expectedSeq: number;
    };

/** Where a chain starts: before its first record. */
export const CHAIN_START: AuditHead = { seq: 0, hash: GENESIS_HASH };

/**
 * Verifies records in the order given: a whole chain, or the part after `from` (a position
 * already trusted: the records must continue from its sequence number and hash).
 * With `head`, also checks that nothing was cut off the end.
 */
export function verifyAuditChain(
  records: readonly AuditRecord[],
  head?: AuditHead,
  from: AuditHead = CHAIN_START,
): ChainVerdict {
  let prevHash = from.hash;
  for (const [index, record] of records.entries()) {
    const expectedSeq = from.seq + index + 1;
    const failure = (problem: ChainProblem): ChainVerdict => ({ ok: false, problem, index, expectedSeq });
    const { hash, ...fields } = record;
    if (auditRecordHash(fields) !== hash) return failure('changed');
    if (record.seq !== expectedSeq) {
      // The expected record further on: the order was changed; nowhere: it was removed.
      const later = records.slice(index + 1).some((candidate) => candidate.seq === expectedSeq);
      return failure(later ? 'out_of_sequence' : 'removed');
    }
    if (record.prevHash !== prevHash) return failure('broken_link');
    prevHash = hash;
  }
  const lastSeq = from.seq + records.length;
  if (head !== undefined && (head.seq !== lastSeq || head.hash !== prevHash)) {
    const problem = head.seq > lastSeq ? 'removed' : 'head_mismatch';
    return { ok: false, problem, index: records.length, expectedSeq: lastSeq + 1 };
  }
  return { ok: true, count: records.length };
}

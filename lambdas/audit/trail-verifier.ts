/**
 * Verifies a tenant's whole audit trail against its signed digests, as a pure function over the
 * evidence (what the platform read, or what a tenant exported): the digests first — each one
 * present, unreplaced, signed by the platform's key and linked to the one before — then every
 * chain against its head, then every digest against the records it vouches for. The first break
 * is reported and named. Used by `GET /v1/audit/verify`, `GET /v1/audit/export` and the
 * standalone verifier (`npm run audit -- verify`), which needs only the public key.
 */
import { createPublicKey, verify } from 'node:crypto';
import {
  type AuditHead,
  type AuditRecord,
  CHAIN_PROBLEMS,
  CHAIN_START,
  GENESIS_HASH,
  verifyAuditChain,
} from './audit-chain.js';
import { type AuditDigestBody, digestHash, parseDigestBody, type SignedDigest } from './audit-digest.js';

/** One stored version of a digest object, oldest first; Object Lock keeps the first one. */
export interface StoredDigestVersion {
  readonly versionId: string;
  readonly deleteMarker: boolean;
  /** The object's content (absent for a delete marker). */
  readonly signed?: SignedDigest;
}

/** A digest object: its number and every version stored under its key. */
export interface StoredDigest {
  readonly seq: number;
  readonly versions: readonly StoredDigestVersion[];
}

/** One chain as read: its head (absent before the first record) and its records in sequence order. */
export interface ChainEvidence {
  readonly chain: number;
  readonly head?: AuditHead;
  readonly records: readonly AuditRecord[];
}

export interface TrailEvidence {
  readonly tenantId: string;
  readonly chains: readonly ChainEvidence[];
  /** In digest order. */
  readonly digests: readonly StoredDigest[];
}

export const TRAIL_PROBLEMS = [
  ...CHAIN_PROBLEMS,
  /** A record a digest vouches for has another hash: the chain was rewritten and re-hashed. */
  'rewritten',
  /** A chain holds fewer records than a digest saw: its tail was cut off. */
  'truncated',
  /** No record at all, though digests saw some. */
  'emptied',
  /** A digest's key holds another version or a delete marker on top of the locked original. */
  'digest_replaced',
  /** A digest that is not the platform's: bad signature, another tenant or number, unreadable. */
  'digest_invalid',
  /** A digest number is missing, or a digest does not name its predecessor. */
  'digest_missing',
] as const;
export type TrailProblem = (typeof TRAIL_PROBLEMS)[number];

export type TrailVerdict =
  | {
      readonly ok: true;
      /** Records verified. */
      readonly records: number;
      /** Digests verified. */
      readonly digests: number;
      /** Records after the newest digest: chained, not yet signed. */
      readonly unsignedRecords: number;
    }
  | {
      readonly ok: false;
      readonly problem: TrailProblem;
      readonly message: string;
      readonly chain?: number;
      readonly digest?: number;
      /** The sequence number expected where a chain breaks. */
      readonly expectedSeq?: number;
    };

/** Checks a digest's signature with the platform's public key (DER SubjectPublicKeyInfo, as KMS gives it). */
export type SignatureCheck = (signed: SignedDigest) => boolean;

export function signatureCheckWith(publicKeyDer: Uint8Array): SignatureCheck {
  const key = createPublicKey({ key: Buffer.from(publicKeyDer), format: 'der', type: 'spki' });
  return (signed) => {
    try {
      return verify('sha256', Buffer.from(signed.body, 'utf8'), key, Buffer.from(signed.signature, 'base64'));
    } catch {
      return false;
    }
  };
}

type Failure = Extract<TrailVerdict, { ok: false }>;

/**
 * How old a record may be and still be required. Records carry a TTL of the tenant's audit
 * retention (plus a day), so a record may be missing once a digest older than the retention
 * vouched for it — never before. Absent: every record is required.
 */
export interface RetentionWindow {
  readonly now: Date;
  readonly retentionDays: number;
}

/** Per chain, the highest sequence number that may have expired (vouched by a digest older than the retention). */
function expirable(
  bodies: readonly AuditDigestBody[],
  window: RetentionWindow | undefined,
): Map<number, number> {
  const upTo = new Map<number, number>();
  if (window === undefined) return upTo;
  const cutoff = window.now.getTime() - window.retentionDays * 86_400_000;
  for (const body of bodies) {
    if (Date.parse(body.at) > cutoff) continue;
    for (const head of body.chains) upTo.set(head.chain, Math.max(upTo.get(head.chain) ?? 0, head.seq));
  }
  return upTo;
}

export function verifyTrail(
  evidence: TrailEvidence,
  signatureValid: SignatureCheck,
  window?: RetentionWindow,
): TrailVerdict {
  const digests = verifyDigests(evidence, signatureValid);
  if ('problem' in digests) return digests;
  const mayBeExpired = expirable(digests.bodies, window);
  let records = 0;
  for (const { chain, head, records: chainRecords } of evidence.chains) {
    const trusted = head ?? CHAIN_START;
    const present = chainRecords.filter((record) => record.seq <= trusted.seq);
    const expired = mayBeExpired.get(chain) ?? 0;
    // Records before the first present one may have expired; the chain then starts from its link.
    const first = present[0];
    const from =
      first !== undefined && first.seq > 1 && first.seq - 1 <= expired
        ? { seq: first.seq - 1, hash: first.prevHash }
        : first === undefined && trusted.seq <= expired
          ? trusted
          : CHAIN_START;
    const verdict = verifyAuditChain(present, trusted, from);
    if (!verdict.ok) {
      return {
        ok: false,
        problem: verdict.problem,
        chain,
        expectedSeq: verdict.expectedSeq,
        message: `chain ${chain} breaks at record ${verdict.expectedSeq}: ${verdict.problem}`,
      };
    }
    records += verdict.count;
  }
  const byChain = new Map(evidence.chains.map((chain) => [chain.chain, chain]));
  for (const digest of digests.bodies) {
    for (const vouched of digest.chains) {
      if (vouched.seq <= (mayBeExpired.get(vouched.chain) ?? 0)) continue;
      const chain = byChain.get(vouched.chain);
      const present = (chain?.records ?? []).filter((record) => record.seq <= (chain?.head?.seq ?? 0));
      const seen = present.at(-1)?.seq ?? 0;
      const at = { chain: vouched.chain, digest: digest.seq, expectedSeq: vouched.seq };
      if (records === 0)
        return {
          ok: false,
          problem: 'emptied',
          ...at,
          message: `the trail is empty, but digest ${digest.seq} saw records`,
        };
      if (seen < vouched.seq)
        return {
          ok: false,
          problem: 'truncated',
          ...at,
          message: `chain ${vouched.chain} ends at ${seen}, but digest ${digest.seq} saw ${vouched.seq} records`,
        };
      if (present.find((record) => record.seq === vouched.seq)?.hash !== vouched.hash)
        return {
          ok: false,
          problem: 'rewritten',
          ...at,
          message: `record ${vouched.seq} of chain ${vouched.chain} is not the one digest ${digest.seq} signed`,
        };
    }
  }
  const newest = new Map(digests.bodies.at(-1)?.chains.map((head) => [head.chain, head.seq]) ?? []);
  const unsignedRecords = evidence.chains.reduce(
    (sum, chain) =>
      sum +
      chain.records.filter(
        (record) => record.seq <= (chain.head?.seq ?? 0) && record.seq > (newest.get(chain.chain) ?? 0),
      ).length,
    0,
  );
  return { ok: true, records, digests: digests.bodies.length, unsignedRecords };
}

/** The digests' bodies in order, once each is present, original, the platform's and linked; else the first break. */
function verifyDigests(
  evidence: TrailEvidence,
  signatureValid: SignatureCheck,
): Failure | { bodies: AuditDigestBody[] } {
  const bodies: AuditDigestBody[] = [];
  let previousHash = GENESIS_HASH;
  for (const [index, stored] of evidence.digests.entries()) {
    const seq = index + 1;
    const fail = (problem: TrailProblem, message: string): Failure => ({
      ok: false,
      problem,
      digest: seq,
      message,
    });
    if (stored.seq !== seq) return fail('digest_missing', `digest ${seq} is missing`);
    const [original, ...later] = stored.versions;
    if (original?.signed === undefined) return fail('digest_invalid', `digest ${seq} has no content`);
    const sameAsOriginal = (version: StoredDigestVersion): boolean =>
      !version.deleteMarker &&
      version.signed?.body === original.signed?.body &&
      version.signed?.signature === original.signed?.signature;
    if (!later.every(sameAsOriginal))
      return fail('digest_replaced', `digest ${seq} was overwritten or hidden after it was locked`);
    const body = parseDigestBody(original.signed);
    if (
      body === undefined ||
      body.tenantId !== evidence.tenantId ||
      body.seq !== seq ||
      !signatureValid(original.signed)
    )
      return fail('digest_invalid', `digest ${seq} is not a digest the platform signed for this tenant`);
    if (body.previousDigestHash !== previousHash)
      return fail('digest_missing', `digest ${seq} does not follow digest ${seq - 1}`);
    previousHash = digestHash(original.signed);
    bodies.push(body);
  }
  return { bodies };
}

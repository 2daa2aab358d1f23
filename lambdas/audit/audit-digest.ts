/**
 * Signed digests of a tenant's audit trail, as pure functions (after CloudTrail's log file
 * integrity validation). At intervals the digester writes digest n of a tenant: every chain's
 * head (sequence number and hash) at that moment and the hash of digest n-1, signed with the
 * platform's asymmetric KMS key (ECDSA P-256, SHA-256) and stored under S3 Object Lock in
 * compliance mode, so no one — tenant, operator, the account's root — can change or remove it
 * before its retention ends. A trail that was rewritten (every later hash recomputed, the head
 * moved), cut short or emptied then disagrees with a digest no one can forge.
 */
import { createHash } from 'node:crypto';
import * as z from 'zod';
import { TenantIdSchema } from '../tenancy/key-layout.js';

/** KMS's name for the one algorithm digests are signed with (ECDSA P-256 over SHA-256, DER). */
export const DIGEST_SIGNING_ALGORITHM = 'ECDSA_SHA_256';
/** Digests live under `<root>/<tenantId>/` in the digest bucket. */
export const DIGEST_ROOT = 'digests';
const DIGEST_SEQ_DIGITS = 12;

const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);

/** One chain's head as a digest saw it (`seq` 0: the chain had no record yet). */
export const DigestChainHeadSchema = z.object({
  chain: z.number().int().nonnegative(),
  seq: z.number().int().nonnegative(),
  hash: Sha256Hex,
});
export type DigestChainHead = z.infer<typeof DigestChainHeadSchema>;

export const AuditDigestBodySchema = z.object({
  format: z.literal(1),
  tenantId: TenantIdSchema,
  /** Position in the tenant's digest chain, from 1. */
  seq: z.number().int().positive(),
  at: z.iso.datetime(),
  /** `digestHash` of digest seq-1 (GENESIS_HASH for the first). */
  previousDigestHash: Sha256Hex,
  /** Every chain's head, by chain number. */
  chains: z.array(DigestChainHeadSchema),
  /** The KMS key that signed it. */
  keyId: z.string().min(1),
  signingAlgorithm: z.literal(DIGEST_SIGNING_ALGORITHM),
});
export type AuditDigestBody = z.infer<typeof AuditDigestBodySchema>;

/** A stored digest: its body exactly as signed (JSON text) and the DER signature, base64. */
export const SignedDigestSchema = z.object({
  body: z.string().min(1).max(4096),
  signature: z.string().min(1),
});
export type SignedDigest = z.infer<typeof SignedDigestSchema>;

/** The body's bytes, as signed: JSON with the fields in schema order (KMS signs at most 4,096 bytes RAW). */
export function digestBodyText(body: AuditDigestBody): string {
  const { format, tenantId, seq, at, previousDigestHash, chains, keyId, signingAlgorithm } = body;
  const ordered = {
    format,
    tenantId,
    seq,
    at,
    previousDigestHash,
    chains: chains.map(({ chain, seq: headSeq, hash }) => ({ chain, seq: headSeq, hash })),
    keyId,
    signingAlgorithm,
  };
  return JSON.stringify(ordered);
}

/** What digest n+1 names as its predecessor: SHA-256 of digest n's signed text. */
export function digestHash(signed: SignedDigest): string {
  return createHash('sha256').update(signed.body).digest('hex');
}

/** The S3 key of a tenant's digest n; zero-padded so key order is digest order. */
export function digestObjectKey(tenantId: string, seq: number): string {
  return `${digestPrefix(tenantId)}${String(seq).padStart(DIGEST_SEQ_DIGITS, '0')}.json`;
}

/** The S3 prefix (ending in `/`) of a tenant's digests. */
export function digestPrefix(tenantId: string): string {
  return `${DIGEST_ROOT}/${tenantId}/`;
}

/** The digest number a key names, or undefined for a key that is not a digest of `tenantId`. */
export function digestSeqOf(tenantId: string, key: string): number | undefined {
  const prefix = digestPrefix(tenantId);
  if (!key.startsWith(prefix)) return undefined;
  const match = new RegExp(`^(\\d{${DIGEST_SEQ_DIGITS}})\\.json$`).exec(key.slice(prefix.length));
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/** Parses a signed digest's body; undefined when it is not a digest body. */
export function parseDigestBody(signed: SignedDigest): AuditDigestBody | undefined {
  try {
    const parsed = AuditDigestBodySchema.safeParse(JSON.parse(signed.body));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The audit export: a tenant's whole trail, its signed digests (every stored version) and the
 * digests' public key, as one JSON document. The standalone verifier checks it offline; a tenant
 * that pins the public key (and the newest digest it has seen) needs to trust nothing else.
 */
import { createPublicKey } from 'node:crypto';
import * as z from 'zod';
import { AuditRecordSchema } from './audit-chain.js';
import { SignedDigestSchema } from './audit-digest.js';
import { signatureCheckWith, type TrailEvidence, type TrailVerdict, verifyTrail } from './trail-verifier.js';

const HeadSchema = z.object({
  seq: z.number().int().nonnegative(),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
});

export const AuditExportSchema = z
  .object({
    format: z.literal(1),
    tenantId: z.string().min(1),
    exportedAt: z.iso.datetime(),
    /** The digest key's public key: DER SubjectPublicKeyInfo, base64. */
    publicKey: z.string().min(1),
    /** The tenant's audit retention: records older than this may have expired. */
    auditRetentionDays: z.number().int().positive().optional(),
    chains: z.array(
      z.object({
        chain: z.number().int().nonnegative(),
        head: HeadSchema.optional(),
        records: z.array(AuditRecordSchema),
      }),
    ),
    digests: z.array(
      z.object({
        seq: z.number().int().positive(),
        versions: z.array(
          z.object({
            versionId: z.string(),
            deleteMarker: z.boolean(),
            signed: SignedDigestSchema.optional(),
          }),
        ),
      }),
    ),
  })
  .meta({
    id: 'AuditExport',
    description:
      'The whole audit trail with its signed digests and the public key, for the standalone verifier',
  });
export type AuditExport = z.infer<typeof AuditExportSchema>;

export function auditExport(
  evidence: TrailEvidence,
  publicKey: Uint8Array,
  exportedAt: Date,
  auditRetentionDays?: number,
): AuditExport {
  return {
    format: 1,
    tenantId: evidence.tenantId,
    exportedAt: exportedAt.toISOString(),
    publicKey: Buffer.from(publicKey).toString('base64'),
    ...(auditRetentionDays === undefined ? {} : { auditRetentionDays }),
    chains: evidence.chains.map((chain) => ({ ...chain, records: [...chain.records] })),
    digests: evidence.digests.map((digest) => ({ seq: digest.seq, versions: [...digest.versions] })),
  };
}

/**
 * Verifies an export offline. With `pinnedPublicKey` (DER or PEM, obtained once from the
 * platform), a key inside the export that differs is refused: an export cannot vouch for itself.
 */
export function verifyAuditExport(
  exported: AuditExport,
  pinnedPublicKey?: Uint8Array | string,
): TrailVerdict {
  const embedded = Buffer.from(exported.publicKey, 'base64');
  if (pinnedPublicKey !== undefined && !derOf(pinnedPublicKey).equals(embedded))
    return {
      ok: false,
      problem: 'digest_invalid',
      message: 'the export names another public key than the pinned one',
    };
  // Records may be missing only where they had expired when the export was taken.
  const window =
    exported.auditRetentionDays === undefined
      ? undefined
      : { now: new Date(exported.exportedAt), retentionDays: exported.auditRetentionDays };
  return verifyTrail(
    { tenantId: exported.tenantId, chains: exported.chains, digests: exported.digests },
    signatureCheckWith(embedded),
    window,
  );
}

/** A public key as DER SubjectPublicKeyInfo, from DER bytes or PEM text. */
function derOf(key: Uint8Array | string): Buffer {
  return typeof key === 'string'
    ? createPublicKey(key).export({ type: 'spki', format: 'der' })
    : Buffer.from(key);
}

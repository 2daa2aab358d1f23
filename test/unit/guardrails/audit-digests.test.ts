/**
 * Signed audit digests as pure logic (issue 11): the digester signs moved heads, refuses a chain
 * rewritten since its last digest, finishes a claimed digest after a crash with the same bytes;
 * the verifier names a missing digest, a digest signed by another key or for another tenant, a
 * broken digest link, and accepts a digest stored twice with the same bytes (a retried store).
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type AuditEvent, auditRecordHash } from '../../../lambdas/audit/audit-chain.js';
import type { SignedDigest } from '../../../lambdas/audit/audit-digest.js';
import {
  AuditDigester,
  type DigestSigner,
  type TenantDigestTarget,
} from '../../../lambdas/audit/audit-digester.js';
import { AuditTrail } from '../../../lambdas/audit/audit-trail.js';
import { type StoredDigest, signatureCheckWith, verifyTrail } from '../../../lambdas/audit/trail-verifier.js';
import { contextFor } from './support/contexts.js';
import { MemoryGuardrailTable } from './support/memory-guardrail-table.js';

const EVENT: AuditEvent = {
  kind: 'data_write',
  action: 'documents.upload',
  resource: 'document/d1',
  outcome: 'succeeded',
};

function keyPair() {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const signer: DigestSigner = {
    keyId: 'arn:aws:kms:us-east-1:000000000000:key/digests',
    sign: async (text) => sign('sha256', Buffer.from(text), privateKey).toString('base64'),
  };
  return { signer, check: signatureCheckWith(publicKey.export({ type: 'spki', format: 'der' })) };
}

/** A tenant's trail on one chain, a digester over it, and a digest store that keeps every version. */
function setup(tenantId = 'acme') {
  const table = new MemoryGuardrailTable({ tenantId, userId: 'audit-digester' });
  const trail = new AuditTrail(table, (user) => user, { random: () => 0 });
  const stored = new Map<number, SignedDigest[]>();
  let failStores = 0;
  const target: TenantDigestTarget = {
    tenantId,
    trail,
    table,
    store: {
      put: async (seq, signed) => {
        if (failStores > 0) {
          failStores -= 1;
          throw new Error('the bucket is unavailable');
        }
        stored.set(seq, [...(stored.get(seq) ?? []), signed]);
      },
    },
  };
  const digests = (): StoredDigest[] =>
    [...stored.entries()]
      .sort(([a], [b]) => a - b)
      .map(([seq, versions]) => ({
        seq,
        versions: versions.map((signed, index) => ({ versionId: `v${index}`, deleteMarker: false, signed })),
      }));
  const evidence = async () => ({ tenantId, chains: await trail.chainEvidence(), digests: digests() });
  return { table, trail, target, stored, evidence, failNextStores: (times: number) => (failStores = times) };
}

const append = (trail: AuditTrail, times: number) =>
  Promise.all(
    Array.from({ length: times }, (_, n) => trail.append(contextFor('acme', 'alice', `r${n}`), EVENT)),
  );

describe('AuditDigester', () => {
  it('signs moved heads once, then nothing until a head moves again', async () => {
    const { signer, check } = keyPair();
    const digester = new AuditDigester(signer);
    const { trail, target, evidence } = setup();
    await append(trail, 3);

    expect(await digester.digest(target)).toBe('signed');
    expect(await digester.digest(target)).toBe('unchanged');
    await append(trail, 1);
    expect(await digester.digest(target)).toBe('signed');
    expect(verifyTrail(await evidence(), check)).toEqual({
      ok: true,
      records: 4,
      digests: 2,
      unsignedRecords: 0,
    });
  });

  it('refuses to sign a chain rewritten since its last digest', async () => {
    const { signer } = keyPair();
    const digester = new AuditDigester(signer);
    const { trail, target, table, stored } = setup();
    await append(trail, 2);
    await digester.digest(target);
    // The last digest's record (the head, seq 2) rewritten, its hash recomputed and the head moved.
    const [, second] = await trail.chainRecords(0);
    if (second === undefined) throw new Error('two records');
    const { hash: _hash, ...fields } = { ...second, resource: 'document/other' };
    const hash = auditRecordHash(fields);
    const chain0 = { visibility: 'audit', collection: 'audit', segments: ['s0'] } as const;
    table.overwrite({ ...chain0, sk: 'e#000000000002' }, { ...fields, hash });
    table.overwrite({ ...chain0, sk: 'head' }, { seq: 2, hash });
    await append(trail, 1);

    expect(await digester.digest(target)).toBe('refused');
    expect(stored.size).toBe(1);
  });

  it('finishes a claimed digest after a crash, storing the same bytes again', async () => {
    const { signer, check } = keyPair();
    const digester = new AuditDigester(signer);
    const { trail, target, stored, evidence, failNextStores } = setup();
    await append(trail, 2);
    failNextStores(1);

    await expect(digester.digest(target)).rejects.toThrow('unavailable');
    expect(await digester.digest(target)).toBe('unchanged');
    expect(stored.get(1)).toHaveLength(1);
    expect(verifyTrail(await evidence(), check)).toMatchObject({ ok: true, digests: 1 });
  });
});

describe('verifyTrail on digests', () => {
  async function signedTrail() {
    const keys = keyPair();
    const context = setup();
    const digester = new AuditDigester(keys.signer);
    for (const times of [2, 1, 1]) {
      await append(context.trail, times);
      await digester.digest(context.target);
    }
    return { ...keys, ...context };
  }

  it('accepts a digest stored twice with the same bytes (a retried store)', async () => {
    const { check, evidence, stored } = await signedTrail();
    const [original] = stored.get(2) ?? [];
    if (original === undefined) throw new Error('no digest 2');
    stored.set(2, [original, { ...original }]);
    expect(verifyTrail(await evidence(), check)).toMatchObject({ ok: true, digests: 3 });
  });

  it('names a missing digest, a digest another key signed, and one for another tenant', async () => {
    const { check, evidence, stored } = await signedTrail();
    const whole = await evidence();
    expect(
      verifyTrail({ ...whole, digests: whole.digests.filter((digest) => digest.seq !== 2) }, check),
    ).toMatchObject({
      ok: false,
      problem: 'digest_missing',
      digest: 2,
    });
    expect(verifyTrail(whole, keyPair().check)).toMatchObject({
      ok: false,
      problem: 'digest_invalid',
      digest: 1,
    });
    expect(verifyTrail({ ...whole, tenantId: 'globex' }, check)).toMatchObject({
      ok: false,
      problem: 'digest_invalid',
    });
    expect(stored.size).toBe(3);
  });

  it('names a digest that does not follow the one before', async () => {
    const { check, evidence, signer } = await signedTrail();
    const whole = await evidence();
    const third = whole.digests[2]?.versions[0]?.signed;
    if (third === undefined) throw new Error('no digest 3');
    // Re-signed by the platform's own key, but pointing at no digest: a forged insertion.
    const body = third.body.replace(
      /"previousDigestHash":"[0-9a-f]{64}"/,
      `"previousDigestHash":"${'1'.repeat(64)}"`,
    );
    const forged = { body, signature: await signer.sign(body) };
    const digests = whole.digests.map((digest) =>
      digest.seq === 3
        ? { seq: 3, versions: [{ versionId: 'v0', deleteMarker: false, signed: forged }] }
        : digest,
    );
    expect(verifyTrail({ ...whole, digests }, check)).toMatchObject({
      ok: false,
      problem: 'digest_missing',
      digest: 3,
    });
  });
});

describe('verifyTrail with a retention window', () => {
  it('accepts records missing only where a digest older than the retention vouched for them', async () => {
    const { signer, check } = keyPair();
    let clock = Date.parse('2026-01-01T00:00:00Z');
    const now = () => new Date(clock);
    const context = setup();
    const trail = new AuditTrail(context.table, (user) => user, { random: () => 0, now });
    const digester = new AuditDigester(signer, now);
    const target = { ...context.target, trail };
    await append(trail, 2);
    await digester.digest(target); // vouches seq 2, on 2026-01-01
    clock = Date.parse('2026-06-01T00:00:00Z');
    await append(trail, 1);
    await digester.digest(target); // vouches seq 3, on 2026-06-01
    const expire = (upTo: number) => {
      for (let seq = 1; seq <= upTo; seq += 1)
        context.table.remove({
          visibility: 'audit',
          collection: 'audit',
          segments: ['s0'],
          sk: `e#${String(seq).padStart(12, '0')}`,
        });
    };
    const verify = async (when: string) =>
      verifyTrail(await context.evidence(), check, { now: new Date(when), retentionDays: 100 });

    expect(await verify('2026-07-01T00:00:00Z')).toMatchObject({ ok: true, records: 3 });
    expire(2);
    // 2026-01-01's digest is older than 100 days by 2026-07-01: records 1 and 2 may have expired.
    expect(await verify('2026-07-01T00:00:00Z')).toMatchObject({ ok: true, records: 1 });
    // Without the window, or before that digest is old enough, their absence is a removal.
    expect(verifyTrail(await context.evidence(), check)).toMatchObject({ ok: false, problem: 'removed' });
    expect(await verify('2026-03-01T00:00:00Z')).toMatchObject({ ok: false, problem: 'removed' });
    // A record the old digest never vouched for is never allowed to go.
    expire(3);
    expect(await verify('2026-07-01T00:00:00Z')).toMatchObject({ ok: false });
  });
});

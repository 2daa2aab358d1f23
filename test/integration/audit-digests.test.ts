/**
 * An audit trail no one can rewrite (issue 11): the digester signs every tenant's chain heads with
 * the platform's KMS key into the Object Lock bucket, and verification — `GET /v1/audit/verify`,
 * and the standalone verifier on an export — names each forgery, even one made by the account's
 * root user straight on the emulators (no IAM in the way): a changed record, a removed record, a
 * rewritten chain with every later hash recomputed and its head moved, a tail cut off with the
 * head moved back, an emptied trail, and a locked digest replaced by a new version.
 */
import {
  type AttributeValue,
  DeleteItemCommand,
  PutItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import {
  DeleteObjectCommand,
  GetObjectRetentionCommand,
  ListObjectVersionsCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { runAuditCli } from '../../bin/audit/cli.js';
import { type AuditRecord, auditRecordHash } from '../../lambdas/audit/audit-chain.js';
import { AuditExportSchema, verifyAuditExport } from '../../lambdas/audit/audit-export.js';
import { AUDIT_CHAINS } from '../../lambdas/audit/audit-trail.js';
import { TIER_RETENTION } from '../../lambdas/privacy/retention.js';
import { type Caller, callAs, onboard } from './support/api-client.js';
import { runSchedules, SCHEDULED } from './support/inspector.js';
import { apiEnv, rootClients, uniqueSuffix } from './support/local-cloud.js';

const suffix = uniqueSuffix();
const TABLE = apiEnv('TENANT_TABLE_NAME');
const DIGESTS = apiEnv('AUDIT_DIGEST_BUCKET_NAME');
const root = rootClients();

const FORGERIES = ['changed', 'removed', 'rewritten', 'truncated', 'emptied', 'replaced'] as const;
type Forgery = (typeof FORGERIES)[number];
const adminOf = (name: string): Caller => ({
  sub: 'audra',
  tenantId: `zq-dig-${name}-${suffix}`,
  groups: ['admin'],
});
const admins = Object.fromEntries(FORGERIES.map((name) => [name, adminOf(name)])) as Record<Forgery, Caller>;
const intact = adminOf('intact');

interface Verdict {
  ok: boolean;
  problem?: string;
  digests?: number;
  records?: number;
  unsignedRecords?: number;
  digest?: number;
  chain?: number;
}

const verify = async (admin: Caller): Promise<Verdict> => {
  const answer = await callAs(admin, 'GET', '/v1/audit/verify');
  expect(answer.status).toBe(200);
  return answer.body as Verdict;
};

/** Audited writes through the API: three uploads (each an attempt and an outcome). */
async function produceRecords(admin: Caller): Promise<void> {
  for (const n of [1, 2, 3]) {
    const upload = await callAs(admin, 'POST', '/v1/documents', {
      title: `Ledger ${n}`,
      content: `Ledger ${n} ${suffix}: the books balance.`,
      visibility: 'tenant',
    });
    expect(upload.status).toBe(201);
  }
}

/** Every record of a tenant's longest chain, raw, in sequence order. */
async function longestChain(tenantId: string): Promise<{ pk: string; records: AuditRecord[] }> {
  let longest = { pk: '', records: [] as AuditRecord[] };
  for (let chain = 0; chain < AUDIT_CHAINS; chain += 1) {
    const pk = `${tenantId}#a#audit#s${chain}`;
    const { Items = [] } = await root.dynamodb.send(
      new QueryCommand({
        TableName: TABLE,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :e)',
        ExpressionAttributeValues: { ':pk': { S: pk }, ':e': { S: 'e#' } },
      }),
    );
    const records = Items.map((item) => {
      const { pk: _pk, sk: _sk, ...record } = unmarshall(item);
      return record as AuditRecord;
    });
    if (records.length > longest.records.length) longest = { pk, records };
  }
  return longest;
}

const recordSk = (seq: number): string => `e#${String(seq).padStart(12, '0')}`;
const putRaw = (item: Record<string, unknown>): Promise<unknown> =>
  root.dynamodb.send(new PutItemCommand({ TableName: TABLE, Item: marshall(item) }));
const deleteRaw = (pk: string, sk: string): Promise<unknown> =>
  root.dynamodb.send(
    new DeleteItemCommand({
      TableName: TABLE,
      Key: { pk: { S: pk }, sk: { S: sk } } as Record<string, AttributeValue>,
    }),
  );
const moveHead = (pk: string, seq: number, hash: string): Promise<unknown> =>
  putRaw({ pk, sk: 'head', seq, hash });

/** The forgeries, each on its own tenant, all by the account's root user on the raw table or bucket. */
const forge: Record<Forgery, (tenantId: string) => Promise<void>> = {
  async changed(tenantId) {
    const { pk, records } = await longestChain(tenantId);
    const [first] = records;
    if (first === undefined) throw new Error('no record');
    await putRaw({ ...first, pk, sk: recordSk(first.seq), resource: 'document/nothing-to-see' });
  },
  async removed(tenantId) {
    const { pk, records } = await longestChain(tenantId);
    expect(records.length).toBeGreaterThan(0);
    await deleteRaw(pk, recordSk(1));
  },
  async rewritten(tenantId) {
    // Change record 1, then recompute every later hash and move the head: the chain itself verifies.
    const { pk, records } = await longestChain(tenantId);
    let prevHash = '0'.repeat(64);
    for (const [index, record] of records.entries()) {
      const fields = { ...record, prevHash, ...(index === 0 ? { resource: 'document/nothing-to-see' } : {}) };
      const { hash: _old, ...unhashed } = fields;
      const hash = auditRecordHash(unhashed);
      await putRaw({ ...unhashed, hash, pk, sk: recordSk(record.seq) });
      prevHash = hash;
    }
    await moveHead(pk, records.length, prevHash);
  },
  async truncated(tenantId) {
    const { pk, records } = await longestChain(tenantId);
    const last = records.at(-1);
    if (last === undefined) throw new Error('no record');
    await deleteRaw(pk, recordSk(last.seq));
    // The head moved back one record — or, on a chain of one, gone as if the chain never began.
    const kept = records.at(-2);
    if (kept === undefined) await deleteRaw(pk, 'head');
    else await moveHead(pk, kept.seq, kept.hash);
  },
  async emptied(tenantId) {
    for (let chain = 0; chain < AUDIT_CHAINS; chain += 1) {
      const pk = `${tenantId}#a#audit#s${chain}`;
      const { Items = [] } = await root.dynamodb.send(
        new QueryCommand({
          TableName: TABLE,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': { S: pk } },
        }),
      );
      for (const item of Items) await deleteRaw(pk, item.sk?.S ?? '');
    }
  },
  async replaced(tenantId) {
    const Key = `digests/${tenantId}/000000000001.json`;
    const [original] =
      (await root.s3.send(new ListObjectVersionsCommand({ Bucket: DIGESTS, Prefix: Key }))).Versions ?? [];
    // Object Lock refuses to delete the locked version, even to root; a new version on top is possible.
    await expect(
      root.s3.send(new DeleteObjectCommand({ Bucket: DIGESTS, Key, VersionId: original?.VersionId })),
    ).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 } });
    await root.s3.send(
      new PutObjectCommand({
        Bucket: DIGESTS,
        Key,
        Body: JSON.stringify({ body: '{}', signature: 'forged' }),
      }),
    );
    await root.s3.send(new DeleteObjectCommand({ Bucket: DIGESTS, Key }));
  },
};

const EXPECTED: Record<Forgery, string> = {
  changed: 'changed',
  removed: 'removed',
  rewritten: 'rewritten',
  truncated: 'truncated',
  emptied: 'emptied',
  replaced: 'digest_replaced',
};

const exportOf = async (admin: Caller) => {
  const answer = await callAs(admin, 'GET', '/v1/audit/export');
  expect(answer.status).toBe(200);
  return AuditExportSchema.parse(answer.body);
};

describe('signed audit digests', () => {
  beforeAll(async () => {
    for (const admin of [intact, ...Object.values(admins)]) await onboard(admin.tenantId, 'basic');
    await Promise.all([intact, ...Object.values(admins)].map(produceRecords));
    await runSchedules({ only: SCHEDULED.digester });
  });

  it('signs every tenant with new records, locks each digest for the tenant’s audit retention, and verifies them whole', async () => {
    const retention = await root.s3.send(
      new GetObjectRetentionCommand({ Bucket: DIGESTS, Key: `digests/${intact.tenantId}/000000000001.json` }),
    );
    const until = retention.Retention?.RetainUntilDate?.getTime() ?? 0;
    const expected = Date.now() + TIER_RETENTION.basic.auditRecordsDays * 86_400_000;
    expect(retention.Retention?.Mode).toBe('COMPLIANCE');
    expect(Math.abs(until - expected)).toBeLessThan(3_600_000);
    const verdict = await verify(intact);
    expect(verdict).toMatchObject({ ok: true, digests: 1, unsignedRecords: 0 });
    expect(verdict.records).toBeGreaterThanOrEqual(8);
    // A run with nothing new signs nothing more.
    await runSchedules({ only: SCHEDULED.digester });
    expect(await verify(intact)).toMatchObject({ ok: true, digests: 1 });
    await produceRecords(intact);
    await runSchedules({ only: SCHEDULED.digester });
    expect(await verify(intact)).toMatchObject({ ok: true, digests: 2, unsignedRecords: 0 });
  });

  it.each(FORGERIES)('names a %s forgery', async (name) => {
    const admin = admins[name];
    expect((await verify(admin)).ok).toBe(true);
    await forge[name](admin.tenantId);

    const verdict = await verify(admin);
    expect(verdict).toMatchObject({ ok: false, problem: EXPECTED[name] });
    // The standalone verifier, on the export with the key pinned, finds the same.
    const exported = await exportOf(admin);
    expect(verifyAuditExport(exported, Buffer.from(exported.publicKey, 'base64'))).toMatchObject({
      ok: false,
      problem: EXPECTED[name],
    });
  });

  it('will not sign a trail rewritten since its last digest', async () => {
    const before = (await exportOf(admins.rewritten)).digests.length;
    const [summary] = (await runSchedules({ only: SCHEDULED.digester })) as { refused: number }[];
    expect(summary?.refused).toBeGreaterThanOrEqual(1);
    expect((await exportOf(admins.rewritten)).digests).toHaveLength(before);
  });

  it('gives each tenant admin their own trail and digests only, and refuses the rest of the tenant', async () => {
    const [mine, theirs] = await Promise.all([exportOf(intact), exportOf(admins.changed)]);
    expect(mine.tenantId).toBe(intact.tenantId);
    expect(mine.digests.length).toBeGreaterThan(0);
    const bodies = mine.digests.flatMap((digest) =>
      digest.versions.map((version) => version.signed?.body ?? ''),
    );
    expect(bodies.every((body) => body.includes(`"tenantId":"${intact.tenantId}"`))).toBe(true);
    const theirHashes = new Set(theirs.chains.flatMap((chain) => chain.records.map((record) => record.hash)));
    expect(mine.chains.flatMap((chain) => chain.records).some((record) => theirHashes.has(record.hash))).toBe(
      false,
    );
    const reader: Caller = { sub: 'rita', tenantId: intact.tenantId, groups: ['reader'] };
    for (const path of ['/v1/audit/export', '/v1/audit/verify'])
      expect((await callAs(reader, 'GET', path)).status).toBe(403);
  });

  it('runs offline: `npm run audit -- verify` passes an intact export and fails a forged one, and refuses another key', async () => {
    const files = new Map<string, Buffer>([
      ['intact.json', Buffer.from(JSON.stringify(await exportOf(intact)))],
      ['forged.json', Buffer.from(JSON.stringify(await exportOf(admins.rewritten)))],
    ]);
    const exported = await exportOf(intact);
    files.set('key.der', Buffer.from(exported.publicKey, 'base64'));
    const { generateKeyPairSync } = await import('node:crypto');
    const other = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({
      type: 'spki',
      format: 'pem',
    });
    files.set('other.pem', Buffer.from(other));
    const run = async (...args: string[]) => {
      let out = '';
      const code = await runAuditCli(args, {
        stdout: (text) => {
          out += text;
        },
        stderr: (text) => {
          out += text;
        },
        readFile: async (path) => files.get(path) ?? Promise.reject(new Error(`no ${path}`)),
      });
      return { code, out };
    };

    expect(await run('verify', 'intact.json', '--public-key', 'key.der')).toMatchObject({
      code: 0,
      out: expect.stringMatching(/^ok: /),
    });
    expect(await run('verify', 'forged.json', '--public-key', 'key.der')).toMatchObject({
      code: 1,
      out: expect.stringContaining('rewritten'),
    });
    expect(await run('verify', 'intact.json', '--public-key', 'other.pem')).toMatchObject({
      code: 1,
      out: expect.stringContaining('pinned'),
    });
    expect(await run('verify')).toMatchObject({ code: 2 });
  });
});

import { describe, expect, it } from 'vitest';
import {
  type AuditEvent,
  type AuditRecord,
  auditRecordHash,
  GENESIS_HASH,
  verifyAuditChain,
} from '../../../lambdas/audit/audit-chain.js';
import { AUDIT_CHAINS, AuditTrail } from '../../../lambdas/audit/audit-trail.js';
import { AuditAppendError } from '../../../lambdas/audit/errors.js';
import { TransactionConflictError } from '../../../lambdas/tenancy/errors.js';
import { contextFor, recordingSleep, verifyWithoutDigests } from './support/contexts.js';
import { MemoryGuardrailTable } from './support/memory-guardrail-table.js';

/** Unit tests read actors as the user ids they are given (the runtime passes actorTagFor). */
const asItself = (userId: string): string => userId;

const UPLOAD: AuditEvent = {
  kind: 'data_write',
  action: 'documents.upload',
  resource: 'document/d1',
  outcome: 'succeeded',
};
const SEARCH: AuditEvent = {
  kind: 'tool_call',
  action: 'tool.search_documents',
  resource: 'index',
  outcome: 'succeeded',
};
const DENIAL: AuditEvent = {
  kind: 'access_denied',
  action: 'admin.set_roles',
  resource: 'user/bob',
  outcome: 'denied',
};
const DELETION: AuditEvent = {
  kind: 'data_delete',
  action: 'documents.delete',
  resource: 'document/d1',
  outcome: 'succeeded',
};
const EVENTS = [UPLOAD, SEARCH, DENIAL, DELETION];

function setup() {
  const table = new MemoryGuardrailTable({ tenantId: 'acme', userId: 'alice' });
  // random 0: every append goes to chain 0, so one chain's order can be checked record by record.
  const trail = new AuditTrail(table, asItself, {
    now: () => new Date('2026-11-22T10:00:00Z'),
    sleep: recordingSleep(),
    random: () => 0,
  });
  return { table, trail };
}

async function chainOf(events: readonly AuditEvent[]): Promise<AuditRecord[]> {
  const { trail } = setup();
  for (const event of events) await trail.append(contextFor('acme', 'alice'), event);
  return trail.chainRecords(0);
}

describe('AuditTrail', () => {
  it('appends records that each point at the hash of the one before', async () => {
    const { trail, table } = setup();

    for (const event of EVENTS.slice(0, 2)) await trail.append(contextFor('acme', 'alice', 'req-9'), event);

    const [first, second] = await trail.chainRecords(0);
    expect(first).toMatchObject({
      chain: 0,
      seq: 1,
      prevHash: GENESIS_HASH,
      actor: 'alice',
      requestId: 'req-9',
    });
    expect(second?.prevHash).toBe(first?.hash);
    expect(await trail.head(0)).toEqual({ seq: 2, hash: second?.hash });
    expect(
      table.itemAt({ visibility: 'audit', collection: 'audit', segments: ['s0'], sk: 'e#000000000001' })?.pk,
    ).toBe('acme#a#audit#s0');
  });

  it('takes 200 concurrent appends in one tenant with no error, every chain unforked', async () => {
    // Real jittered sleeps: the losers of each race spread out, as they would in Lambda.
    const trail = new AuditTrail(new MemoryGuardrailTable({ tenantId: 'acme', userId: 'alice' }), asItself);

    const results = await Promise.allSettled(
      Array.from({ length: 200 }, (_, index) =>
        trail.append(contextFor('acme', 'alice', `req-${index}`), EVENTS[index % EVENTS.length] ?? UPLOAD),
      ),
    );

    expect(results.filter((result) => result.status === 'rejected')).toEqual([]);
    const chains = await Promise.all(
      Array.from({ length: AUDIT_CHAINS }, (_, chain) => trail.chainRecords(chain)),
    );
    for (const records of chains)
      expect(records.map((record) => record.seq)).toEqual(records.map((_, index) => index + 1));
    expect(chains.filter((records) => records.length > 0).length).toBeGreaterThan(1);
    expect(await verifyWithoutDigests(trail)).toEqual({
      ok: true,
      records: 200,
      digests: 0,
      unsignedRecords: 200,
    });
  });

  it('lists the trail across chains in time order, page by page, each record once', async () => {
    let tick = 0;
    const trail = new AuditTrail(new MemoryGuardrailTable({ tenantId: 'acme', userId: 'alice' }), asItself, {
      now: () => new Date(Date.UTC(2026, 10, 22, 10, 0, tick++)),
    });
    for (let index = 0; index < 37; index += 1)
      await trail.append(
        contextFor('acme', 'alice', `req-${index}`),
        EVENTS[index % EVENTS.length] ?? UPLOAD,
      );

    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await trail.page({ limit: 10, ...(cursor === undefined ? {} : { cursor }) });
      seen.push(...page.records.map((record) => record.requestId));
      cursor = page.cursor;
    } while (cursor !== undefined);

    expect(seen).toEqual(Array.from({ length: 37 }, (_, index) => `req-${index}`));
  });

  it('gives up with AuditAppendError when it keeps losing the race for the head', async () => {
    const table = new MemoryGuardrailTable({ tenantId: 'acme', userId: 'alice' });
    // Both on chain 0: one loses the race for its head.
    const trail = new AuditTrail(table, asItself, {
      maxAttempts: 1,
      sleep: recordingSleep(),
      random: () => 0,
    });

    const results = await Promise.allSettled([
      trail.append(contextFor('acme', 'alice'), UPLOAD),
      trail.append(contextFor('acme', 'alice'), SEARCH),
    ]);

    expect(results.map((result) => result.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(results.find((result) => result.status === 'rejected')).toMatchObject({
      reason: expect.any(AuditAppendError),
    });
  });

  it('treats a conflicting transaction as a lost race and appends on the next try', async () => {
    const { trail, table } = setup();
    table.failTransactions(1, new TransactionConflictError());

    const record = await trail.append(contextFor('acme', 'alice'), UPLOAD);

    expect(record.seq).toBe(1);
    expect(table.transactions).toBe(2);
  });

  it('finds a record changed in the table', async () => {
    const { trail, table } = setup();
    for (const event of EVENTS) await trail.append(contextFor('acme', 'alice'), event);
    const address = {
      visibility: 'audit',
      collection: 'audit',
      segments: ['s0'],
      sk: 'e#000000000002',
    } as const;
    table.overwrite(address, { ...table.itemAt(address), outcome: 'failed' });

    expect(await verifyWithoutDigests(trail)).toMatchObject({
      ok: false,
      problem: 'changed',
      expectedSeq: 2,
      chain: 0,
    });
  });
});

describe('verifyAuditChain', () => {
  it('accepts an intact chain and an empty one', async () => {
    const records = await chainOf(EVENTS);

    expect(verifyAuditChain(records)).toEqual({ ok: true, count: 4 });
    expect(verifyAuditChain([], { seq: 0, hash: GENESIS_HASH })).toEqual({ ok: true, count: 0 });
  });

  it('reports a changed field at the changed record', async () => {
    const records = await chainOf(EVENTS);
    const changed = records.map((record, index) =>
      index === 2 ? { ...record, resource: 'user/carol' } : record,
    );

    expect(verifyAuditChain(changed)).toMatchObject({ ok: false, problem: 'changed', index: 2 });
  });

  it('reports a record changed and re-hashed by the link the next record still holds', async () => {
    const records = await chainOf(EVENTS);
    const forged = records.map((record, index) => {
      if (index !== 1) return record;
      const { hash: _hash, ...fields } = { ...record, outcome: 'failed' as const };
      return { ...fields, hash: auditRecordHash(fields) };
    });

    expect(verifyAuditChain(forged)).toMatchObject({ ok: false, problem: 'broken_link', index: 2 });
  });

  it('reports a removed record where the gap is', async () => {
    const records = await chainOf(EVENTS);

    expect(verifyAuditChain([...records.slice(0, 1), ...records.slice(2)])).toEqual({
      ok: false,
      problem: 'removed',
      index: 1,
      expectedSeq: 2,
    });
  });

  it('reports reordered records', async () => {
    const records = await chainOf(EVENTS);
    const [a, b, c, d] = records;
    if (a === undefined || b === undefined || c === undefined || d === undefined)
      throw new Error('4 records');

    expect(verifyAuditChain([a, c, b, d])).toMatchObject({ ok: false, problem: 'out_of_sequence', index: 1 });
  });

  it('reports a cut-off tail against the chain head, and a head that names another record', async () => {
    const records = await chainOf(EVENTS);
    const last = records.at(-1);
    if (last === undefined) throw new Error('no records');

    expect(verifyAuditChain(records.slice(0, 3), { seq: last.seq, hash: last.hash })).toEqual({
      ok: false,
      problem: 'removed',
      index: 3,
      expectedSeq: 4,
    });
    expect(verifyAuditChain(records, { seq: last.seq, hash: '0'.repeat(64) })).toMatchObject({
      ok: false,
      problem: 'head_mismatch',
    });
    expect(verifyAuditChain(records, { seq: last.seq, hash: last.hash })).toEqual({ ok: true, count: 4 });
  });
});

/**
 * 100 concurrent writes in one tenant (issue 8). Every audited write appends to the tenant's one
 * audit chain, so they contend for its head; until the audit redesign shards the chain, a write
 * that loses too many races may answer 503 with Retry-After — never 500 — and the client's retry
 * (same Idempotency-Key) then stores it exactly once. Nothing is lost, nothing is stored twice.
 */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Caller, callAs, onboard, tokenFor } from './support/api-client.js';
import { cloud, uniqueSuffix } from './support/local-cloud.js';

const suffix = uniqueSuffix();
const tenant = `busy-${suffix}`;
const WRITERS = 10;
const WRITES_PER_WRITER = 10;
const writers: Caller[] = Array.from({ length: WRITERS }, (_, n) => ({
  sub: `writer-${n}`,
  tenantId: tenant,
  groups: ['analyst'],
}));

async function remember(caller: Caller, fact: string, key: string) {
  const response = await fetch(`${cloud.apiEndpoint}/v1/memory`, {
    method: 'PUT',
    headers: {
      authorization: `Bearer ${await tokenFor(caller)}`,
      'content-type': 'application/json',
      'idempotency-key': key,
    },
    body: JSON.stringify({ fact }),
  });
  await response.text();
  return { status: response.status, retryAfter: response.headers.get('retry-after') };
}

describe('100 concurrent writes in one tenant', () => {
  beforeAll(async () => {
    await onboard(tenant, 'basic');
  });

  it('answer no 500, only 2xx or 503 with Retry-After, and the retries store every write exactly once', async () => {
    const writes = writers.flatMap((caller) =>
      Array.from({ length: WRITES_PER_WRITER }, (_, n) => ({ caller, fact: `fact ${n}`, key: randomUUID() })),
    );

    const first = await Promise.all(writes.map((write) => remember(write.caller, write.fact, write.key)));

    const statuses = first.map((answer) => answer.status);
    console.info(
      `100 concurrent writes: ${statuses.filter((s) => s === 201).length} stored at once, ${statuses.filter((s) => s === 503).length} answered 503`,
    );
    expect(statuses.filter((status) => status !== 201 && status !== 503)).toEqual([]);
    for (const answer of first.filter((answer) => answer.status === 503))
      expect(Number(answer.retryAfter)).toBeGreaterThan(0);

    // The client retries what was refused, with the same key, until every write is stored.
    let pending = writes.filter((_, n) => statuses[n] !== 201);
    for (let round = 0; round < 20 && pending.length > 0; round += 1) {
      const answers = await Promise.all(
        pending.map((write) => remember(write.caller, write.fact, write.key)),
      );
      expect(answers.filter((answer) => answer.status >= 500 && answer.status !== 503)).toEqual([]);
      pending = pending.filter((_, n) => answers[n]?.status !== 201);
    }
    expect(pending).toEqual([]);
    for (const caller of writers) {
      const facts = (await callAs(caller, 'GET', '/v1/memory')).body as { facts: Array<{ fact: string }> };
      expect(facts.facts.map((fact) => fact.fact).sort()).toEqual(
        Array.from({ length: WRITES_PER_WRITER }, (_, n) => `fact ${n}`).sort(),
      );
    }
    const verified = await callAs(
      { sub: 'auditor', tenantId: tenant, groups: ['admin'] },
      'GET',
      '/v1/audit/verify',
    );
    expect(verified.body).toMatchObject({ ok: true });
  });
});

/**
 * Erasing one user (issue 11, GDPR article 17), over the in-memory cloud: every private
 * collection the catalog names is emptied — including approvals and connections, which the
 * local-cloud test does not produce — usage moves to the tenant under the pseudonym, the by-user
 * cost is re-keyed, and another user's data is untouched. A rerun erases nothing.
 */
import { describe, expect, it } from 'vitest';
import { monthOf } from '../../lambdas/metering/usage-keys.js';
import { ERASED_USAGE_COLLECTION, eraseUser, monthsBetween } from '../../lambdas/privacy/user-erasure.js';
import { tenantTagFor } from '../../lambdas/tenancy/request-context.js';
import { ALICE_ANALYST, apiHarness, BOB_READER } from './support/api-harness.js';
import { TAG_KEY } from './support/fake-runtime.js';

const PSEUDONYM = 'a_00000000000000000000000000000000';

describe('eraseUser', () => {
  it('empties every private collection of the user, keeps usage under the pseudonym and leaves bob alone', async () => {
    const api = apiHarness();
    for (const caller of [ALICE_ANALYST, BOB_READER]) {
      await api.call(caller, 'POST', '/v1/chat', { message: `hello from ${caller.userId}` });
      await api.call(caller, 'PUT', '/v1/memory', { fact: `${caller.userId} likes tea` });
      await api.call(caller, 'POST', '/v1/documents', {
        title: 'Notes',
        content: 'private',
        visibility: 'private',
      });
    }
    const alice = { tenantId: 'acme', userId: 'alice', tenantTag: tenantTagFor('acme', TAG_KEY) };
    const table = await api.runtime.table(alice);
    // What the local-cloud test does not produce: a pending approval and a stored connection.
    await table.put(
      { visibility: 'private', collection: 'approvals', sk: 'approval#a1' },
      { status: 'pending' },
    );
    await table.put({ visibility: 'private', collection: 'connections', sk: 'tracker' }, { sealed: 'x' });
    await table.put(
      { visibility: 'private', collection: 'oauth-states', sk: 'state-1' },
      { connector: 'tracker' },
    );
    const keysOf = (user: string) =>
      [...api.table.items.values()].filter((item) => String(item.pk).startsWith(`acme#u#${user}#`));
    const bobBefore = keysOf('bob').length;
    const aliceBefore = keysOf('alice').length;
    let rolesRemoved = 0;

    const receipt = await eraseUser(
      {
        tenantId: 'acme',
        userId: 'alice',
        pseudonym: PSEUDONYM,
        months: monthsBetween(new Date('2026-01-15'), new Date()),
      },
      {
        table,
        vectors: await api.runtime.vectorIndex(alice),
        objects: { purgePrivate: async () => ({ objectVersions: 0, deleteMarkers: 0 }) },
        removeRoles: async () => rolesRemoved++ === 0,
      },
    );

    expect(keysOf('alice')).toEqual([]);
    expect(keysOf('bob')).toHaveLength(bobBefore);
    expect(receipt.counts.items + receipt.counts.usageItemsPseudonymised).toBe(aliceBefore);
    expect(receipt.counts).toMatchObject({ chatSessions: 1, roleAssignments: 1 });
    // Her usage cells: the chat model's and the embedding model's of today.
    expect(receipt.counts.costBreakdownsPseudonymised).toBe(2);
    expect(receipt.counts.vectors).toBeGreaterThan(0);
    const moved = [...api.table.items.values()].filter(
      (item) => item.pk === `acme#t#${ERASED_USAGE_COLLECTION}#${PSEUDONYM}`,
    );
    expect(moved).toHaveLength(receipt.counts.usageItemsPseudonymised);
    const cellUsers = [...api.table.items.values()]
      .filter((item) => String(item.pk).startsWith(`acme#t#usage-cells#${monthOf(new Date())}#`))
      .map((item) => String(item.sk).split('#')[0]);
    expect(cellUsers).toContain(PSEUDONYM);
    expect(cellUsers).toContain('bob');
    expect(cellUsers).not.toContain('alice');

    const again = await eraseUser(
      { tenantId: 'acme', userId: 'alice', pseudonym: PSEUDONYM, months: [monthOf(new Date())] },
      {
        table,
        vectors: await api.runtime.vectorIndex(alice),
        objects: { purgePrivate: async () => ({ objectVersions: 0, deleteMarkers: 0 }) },
        removeRoles: async () => false,
      },
    );
    expect(Object.values(again.counts).every((count) => count === 0)).toBe(true);
  });

  it('merges a cell metered after an earlier run into the pseudonym’s on a rerun, so no cost keeps her id', async () => {
    const api = apiHarness();
    const alice = { tenantId: 'acme', userId: 'alice', tenantTag: tenantTagFor('acme', TAG_KEY) };
    const table = await api.runtime.table(alice);
    const erase = async () =>
      eraseUser(
        { tenantId: 'acme', userId: 'alice', pseudonym: PSEUDONYM, months: [monthOf(new Date())] },
        {
          table,
          vectors: await api.runtime.vectorIndex(alice),
          objects: { purgePrivate: async () => ({ objectVersions: 0, deleteMarkers: 0 }) },
          removeRoles: async () => false,
        },
      );
    const cells = (user: string) =>
      [...api.table.items.values()].filter(
        (item) =>
          String(item.pk).startsWith(`acme#t#usage-cells#${monthOf(new Date())}#`) &&
          String(item.sk).startsWith(`${user}#`),
      );
    await api.call(ALICE_ANALYST, 'POST', '/v1/chat', { message: 'before' });
    await erase();
    // A call still in flight (or a chat before her roles are gone) meters again under her id.
    await api.call(ALICE_ANALYST, 'POST', '/v1/chat', { message: 'after' });
    expect(cells('alice')).toHaveLength(1);

    const again = await erase();

    expect(again.counts.costBreakdownsPseudonymised).toBe(1);
    expect(cells('alice')).toEqual([]);
    expect(cells(PSEUDONYM)).toEqual([expect.objectContaining({ calls: 2, requests: 2 })]);
  });

  it('lists every month from the tenant’s first to now', () => {
    expect(monthsBetween(new Date('2025-11-20T00:00:00Z'), new Date('2026-02-01T00:00:00Z'))).toEqual([
      '2025-11',
      '2025-12',
      '2026-01',
      '2026-02',
    ]);
  });
});

/**
 * Pagination cursors are opaque and bound to the query and the caller (issue 8). Every cursor
 * form the server did not issue for that exact query — random bytes, another route's, another
 * user's, another tenant's, another session's, tampered, truncated, oversized, undecodable, or the
 * store's own raw position — gets 400 `invalid_cursor` on every paginated route; a genuine cursor
 * still walks every page.
 */
import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Caller, callAs, onboard } from './support/api-client.js';
import { uniqueSuffix } from './support/local-cloud.js';

const suffix = uniqueSuffix();
const tenant = `pages-${suffix}`;
const otherTenant = `pages2-${suffix}`;
const alice: Caller = { sub: 'alice', tenantId: tenant, groups: ['admin'] };
const bob: Caller = { sub: 'bob', tenantId: tenant, groups: ['admin'] };
const carol: Caller = { sub: 'alice', tenantId: otherTenant, groups: ['admin'] };

interface Listing {
  readonly name: string;
  /** The listing's path for a caller (the messages route needs that caller's own session). */
  path(caller: Caller): string;
  readonly items: string;
}

const sessionOf = new Map<Caller, string[]>();
const LISTINGS: readonly Listing[] = [
  { name: 'sessions', path: () => '/v1/sessions', items: 'sessions' },
  {
    name: 'messages',
    path: (caller) => `/v1/sessions/${sessionOf.get(caller)?.[0]}/messages`,
    items: 'messages',
  },
  { name: 'documents', path: () => '/v1/documents', items: 'documents' },
  { name: 'audit', path: () => '/v1/audit', items: 'records' },
];

async function firstCursor(caller: Caller, listing: Listing): Promise<string> {
  const page = await callAs(caller, 'GET', `${listing.path(caller)}?limit=1`);
  const cursor = (page.body as { cursor?: string }).cursor;
  if (page.status !== 200 || cursor === undefined)
    throw new Error(`${listing.name}: no cursor ${JSON.stringify(page)}`);
  return cursor;
}

async function fill(caller: Caller): Promise<void> {
  const sessions: string[] = [];
  for (let n = 0; n < 3; n += 1) {
    const chat = await callAs(caller, 'POST', '/v1/chat', { message: `hello ${n}` });
    sessions.push((chat.body as { sessionId: string }).sessionId);
    await callAs(caller, 'POST', '/v1/chat', { message: `again ${n}`, sessionId: sessions[n] });
    await callAs(caller, 'POST', '/v1/documents', {
      title: `Doc ${n}`,
      content: `page ${n}`,
      visibility: 'private',
    });
  }
  sessionOf.set(caller, sessions);
}

beforeAll(async () => {
  await Promise.all([onboard(tenant, 'basic'), onboard(otherTenant, 'basic')]);
  await Promise.all([fill(alice), fill(bob), fill(carol)]);
});

describe('every paginated route', () => {
  it('walks every page with genuine cursors, each item once', async () => {
    for (const listing of LISTINGS) {
      const seen: unknown[] = [];
      let cursor: string | undefined;
      do {
        const query = cursor === undefined ? '?limit=1' : `?limit=1&cursor=${encodeURIComponent(cursor)}`;
        const page = await callAs(alice, 'GET', `${listing.path(alice)}${query}`);
        expect(page.status, listing.name).toBe(200);
        const body = page.body as Record<string, unknown[]> & { cursor?: string };
        seen.push(...(body[listing.items] ?? []));
        cursor = body.cursor;
      } while (cursor !== undefined && seen.length < 200);

      const full = (await callAs(alice, 'GET', `${listing.path(alice)}?limit=100`)).body as Record<
        string,
        unknown[]
      >;
      expect(seen, listing.name).toEqual(full[listing.items]);
      expect(seen.length, listing.name).toBeGreaterThanOrEqual(2);
    }
  });

  it('answers 400 invalid_cursor for every cursor it did not issue for that query and caller', async () => {
    const own = new Map<string, string>();
    for (const listing of LISTINGS) own.set(listing.name, await firstCursor(alice, listing));
    const forms: Array<{ form: string; cursorFor(listing: Listing): Promise<string> | string }> = [
      { form: 'random bytes', cursorFor: () => randomBytes(24).toString('base64url') },
      {
        form: 'random text with a dot',
        cursorFor: () => `${randomBytes(8).toString('hex')}.${randomBytes(32).toString('base64url')}`,
      },
      { form: 'the store’s raw position', cursorFor: () => Buffer.from('doc#0').toString('base64url') },
      {
        form: 'another route’s cursor',
        cursorFor: (listing) => own.get(LISTINGS.find((other) => other !== listing)?.name ?? '') ?? '',
      },
      { form: 'another user’s cursor', cursorFor: (listing) => firstCursor(bob, listing) },
      { form: 'another tenant’s cursor', cursorFor: (listing) => firstCursor(carol, listing) },
      {
        form: 'a tampered cursor',
        cursorFor: (listing) => {
          const cursor = own.get(listing.name) ?? '';
          return `${cursor.slice(0, 2)}${cursor[2] === 'A' ? 'B' : 'A'}${cursor.slice(3)}`;
        },
      },
      { form: 'a truncated cursor', cursorFor: (listing) => (own.get(listing.name) ?? '').slice(0, -3) },
      { form: 'a long cursor (2048)', cursorFor: () => 'A'.repeat(2048) },
      { form: 'an oversized cursor (2049)', cursorFor: () => 'A'.repeat(2049) },
      { form: 'percent-decoded junk', cursorFor: () => '%ZZ%C0%AF' },
      { form: 'unicode', cursorFor: () => 'é🏴.x' },
    ];
    let sent = 0;
    const wrong: string[] = [];

    for (const listing of LISTINGS) {
      for (const { form, cursorFor } of forms) {
        const cursor = await cursorFor(listing);
        const answer = await callAs(
          alice,
          'GET',
          `${listing.path(alice)}?cursor=${encodeURIComponent(cursor)}`,
        );
        sent += 1;
        const code = (answer.body as { error?: { code?: string } }).error?.code;
        const expected = cursor.length > 2048 ? 'bad_request' : 'invalid_cursor';
        if (answer.status !== 400 || code !== expected)
          wrong.push(`${listing.name} / ${form}: ${answer.status} ${code}`);
      }
    }
    // The messages route with another of the caller's own sessions: bound to the session, too.
    const otherSession = sessionOf.get(alice)?.[1];
    const crossSession = await callAs(
      alice,
      'GET',
      `/v1/sessions/${otherSession}/messages?cursor=${encodeURIComponent(own.get('messages') ?? '')}`,
    );
    sent += 1;

    console.info(`pagination cursors: ${sent} requests with foreign or malformed cursors`);
    expect(wrong).toEqual([]);
    expect([crossSession.status, (crossSession.body as { error: { code: string } }).error.code]).toEqual([
      400,
      'invalid_cursor',
    ]);
  });
});

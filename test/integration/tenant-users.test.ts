/**
 * Listing a tenant's users and their roles (issue 15): `GET /v1/admin/tenants/{tenantId}/users`
 * answers everyone in the tenant's member directory (recorded with their first session) and
 * everyone with a role assignment, paginated with sealed cursors. Who may: an operator, or that
 * tenant's admin only — not another tenant's admin, not a non-admin; a cursor opens only for the
 * caller and tenant it was issued to.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { type Caller, callAs, OPERATOR, onboard } from './support/api-client.js';
import { uniqueSuffix } from './support/local-cloud.js';

const suffix = uniqueSuffix();
const tenantId = `zq-users-${suffix}`;
const otherTenantId = `zq-users-o-${suffix}`;
const admin: Caller = { sub: 'ada', tenantId, groups: ['admin'] };
const secondAdmin: Caller = { sub: 'abe', tenantId, groups: ['admin'] };
const alice: Caller = { sub: 'alice', tenantId, groups: ['reader'] };
const bob: Caller = { sub: 'bob', tenantId, groups: ['analyst'] };
const otherAdmin: Caller = { sub: 'ada', tenantId: otherTenantId, groups: ['admin'] };
const usersPath = (tenant: string, query = '') => `/v1/admin/tenants/${tenant}/users${query}`;

interface Page {
  users: { userId: string; roles?: string[]; seen: boolean }[];
  cursor?: string;
}

beforeAll(async () => {
  await Promise.all([onboard(tenantId, 'basic'), onboard(otherTenantId, 'basic')]);
  // Each user's first request gets them a tenant session: the member directory records them.
  for (const caller of [admin, alice, bob, otherAdmin])
    expect((await callAs(caller, 'GET', '/v1/memory')).status).toBe(200);
  // carol has never signed in; her admin gives her a role ahead of her first visit.
  const assigned = await callAs(admin, 'PUT', `${usersPath(tenantId)}/carol/roles`, { roles: ['analyst'] });
  expect(assigned.status).toBe(200);
  const promoted = await callAs(admin, 'PUT', `${usersPath(tenantId)}/bob/roles`, {
    roles: ['analyst', 'admin'],
  });
  expect(promoted.status).toBe(200);
});

describe('listing a tenant’s users', () => {
  it('gives the tenant’s admin every member and every assignment, with the assigned roles', async () => {
    const answer = await callAs(admin, 'GET', usersPath(tenantId));

    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      users: [
        { userId: 'ada', seen: true },
        { userId: 'alice', seen: true },
        { userId: 'bob', roles: ['analyst', 'admin'], seen: true },
        { userId: 'carol', roles: ['analyst'], seen: false },
      ],
    });
  });

  it('pages with a cursor that opens only for the caller and the tenant it was issued to', async () => {
    const first = await callAs(admin, 'GET', usersPath(tenantId, '?limit=3'));
    const { users, cursor } = first.body as Page;
    expect(users.map((user) => user.userId)).toEqual(['ada', 'alice', 'bob']);
    expect(cursor).toEqual(expect.any(String));

    const second = await callAs(admin, 'GET', usersPath(tenantId, `?limit=3&cursor=${cursor}`));
    expect(second.body).toEqual({ users: [{ userId: 'carol', roles: ['analyst'], seen: false }] });

    const [otherCaller, otherTenant] = await Promise.all([
      callAs(secondAdmin, 'GET', usersPath(tenantId, `?cursor=${cursor}`)),
      callAs(OPERATOR, 'GET', usersPath(otherTenantId, `?cursor=${cursor}`)),
    ]);
    expect(otherCaller).toMatchObject({ status: 400, body: { error: { code: 'invalid_cursor' } } });
    expect(otherTenant).toMatchObject({ status: 400, body: { error: { code: 'invalid_cursor' } } });
  });

  it('refuses another tenant’s admin and a non-admin of the tenant', async () => {
    const [crossTenant, reader, unpromotedAnalyst] = await Promise.all([
      callAs(otherAdmin, 'GET', usersPath(tenantId)),
      callAs(alice, 'GET', usersPath(tenantId)),
      callAs({ sub: 'dan', tenantId, groups: ['analyst'] }, 'GET', usersPath(tenantId)),
    ]);
    for (const refused of [crossTenant, reader, unpromotedAnalyst])
      expect(refused).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
    // The other tenant's admin lists their own tenant: none of this tenant's users.
    const own = await callAs(otherAdmin, 'GET', usersPath(otherTenantId));
    expect(own).toMatchObject({ status: 200, body: { users: [{ userId: 'ada', seen: true }] } });
  });

  it('lets a user promoted to admin by assignment list the users', async () => {
    // bob's token says analyst; the platform's assignment makes him an admin of this tenant.
    const answer = await callAs(bob, 'GET', usersPath(tenantId));
    expect(answer.status).toBe(200);
  });

  it('lets an operator list any tenant’s users, and answers 404 for a tenant that does not exist', async () => {
    const [listed, missing] = await Promise.all([
      callAs(OPERATOR, 'GET', usersPath(tenantId)),
      callAs(OPERATOR, 'GET', usersPath(`zq-users-missing-${suffix}`)),
    ]);
    expect(listed.status).toBe(200);
    expect((listed.body as Page).users).toEqual(
      expect.arrayContaining([
        { userId: 'alice', seen: true },
        { userId: 'carol', roles: ['analyst'], seen: false },
      ]),
    );
    expect(missing).toMatchObject({ status: 404, body: { error: { code: 'tenant_not_found' } } });
  });
});

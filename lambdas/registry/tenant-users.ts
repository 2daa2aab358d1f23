/**
 * A tenant's users as its admins see them: everyone in the tenant's member directory (each user
 * is recorded there with their first tenant session) and everyone with a role assignment in the
 * registry (which replaces the groups of their token), one entry per user id.
 */
import * as z from 'zod';
import { UserIdSchema } from '../tenancy/key-layout.js';
import { RoleSchema } from '../tenancy/request-context.js';
import type { RoleAssignment } from './tenant-record.js';

export const TenantUserSchema = z
  .object({
    userId: UserIdSchema,
    roles: z
      .array(RoleSchema)
      .optional()
      .describe(
        'The roles assigned on the platform (PUT …/users/{userId}/roles); they replace the groups of the user’s token. Absent: the user’s roles are the groups their sign-in token carries',
      ),
    seen: z
      .boolean()
      .describe(
        'The user has used the tenant (they are in its member directory); false for a user who only has a role assignment so far',
      ),
  })
  .meta({ id: 'TenantUser', description: 'One user of a tenant and the roles the platform assigns them' });
export type TenantUser = z.infer<typeof TenantUserSchema>;

/** The tenant's users from its member ids and role assignments, by user id (code-unit order). */
export function tenantUsers(
  memberIds: readonly string[],
  assignments: readonly Pick<RoleAssignment, 'userId' | 'roles'>[],
): TenantUser[] {
  const users = new Map<string, TenantUser>(memberIds.map((userId) => [userId, { userId, seen: true }]));
  for (const { userId, roles } of assignments) users.set(userId, { userId, roles, seen: users.has(userId) });
  return [...users.values()].sort((a, b) => (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0));
}

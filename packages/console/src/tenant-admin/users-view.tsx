/**
 * "Users and roles" of a tenant — the signed-in admin's own, or the one the URL names
 * (`/admin/tenants/{tenantId}/users`; the API refuses another tenant's, and the console shows its
 * refusal). Changing a user's roles is `PUT /v1/admin/tenants/{tenantId}/users/{userId}/roles`:
 * the assignment replaces the groups of the user's sign-in token.
 */
import { useState } from 'preact/hooks';
import { ApiError } from '../api-error.js';
import { useSession } from '../session.js';
import { useApiAction } from '../use-api.js';
import { RoleCheckboxes } from './role-checkboxes.js';
import { type TenantRole, tenantRolesOf } from './tenant-roles.js';
import { TextField } from './text-field.js';

function RoleForm({ tenantId, onSaved }: { readonly tenantId: string; readonly onSaved: () => void }) {
  const { run, busy, refusal } = useApiAction();
  const [userId, setUserId] = useState('');
  const [roles, setRoles] = useState<TenantRole[]>([]);
  const [saved, setSaved] = useState<string>();

  const save = async (event: Event) => {
    event.preventDefault();
    setSaved(undefined);
    const user = userId.trim();
    const done = await run((api) =>
      api.PUT('/v1/admin/tenants/{tenantId}/users/{userId}/roles', {
        params: { path: { tenantId, userId: user } },
        body: { roles },
      }),
    );
    if (done?.data === undefined) return;
    setSaved(`${done.data.userId} now has: ${tenantRolesOf(done.data.roles).join(', ') || 'no role'}.`);
    onSaved();
  };

  return (
    <form class="admin-form" aria-labelledby="role-form-heading" onSubmit={save}>
      <h2 id="role-form-heading">Change a user’s roles</h2>
      <TextField
        label="User"
        required
        hint="the user id their sign-in token carries"
        value={userId}
        onInput={setUserId}
      />
      <RoleCheckboxes legend="Roles" roles={roles} onChange={setRoles} />
      {refusal && <ApiError refusal={refusal} />}
      {saved !== undefined && <p role="status">{saved}</p>}
      <button type="submit" disabled={busy}>
        Save the roles
      </button>
    </form>
  );
}

export function UsersView({ tenantId }: { readonly tenantId?: string }) {
  const { me } = useSession();
  const tenant = tenantId ?? me.tenantId;
  return (
    <section aria-labelledby="users-heading">
      <h1 id="users-heading">Users and roles of {tenant}</h1>
      <RoleForm tenantId={tenant} onSaved={() => undefined} />
    </section>
  );
}

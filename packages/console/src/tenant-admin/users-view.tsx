/**
 * "Users and roles" of a tenant — the signed-in admin's own, or the one the URL names
 * (`/admin/tenants/{tenantId}/users`; the API refuses another tenant's, and the console shows its
 * refusal). The users and their assigned roles are `GET /v1/admin/tenants/{tenantId}/users`, a
 * page at a time; changing a user's roles is `PUT /v1/admin/tenants/{tenantId}/users/{userId}/roles`
 * (the assignment replaces the groups of the user's sign-in token), for a listed user or one typed.
 */
import type { Schemas } from '@bulkhead/client';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../api-error.js';
import { useSession } from '../session.js';
import { Status } from '../status.js';
import { TextField } from '../text-field.js';
import { useApiAction } from '../use-api.js';
import { usePagedList } from '../use-paged-list.js';
import { RoleCheckboxes } from './role-checkboxes.js';
import { type TenantRole, tenantRolesOf } from './tenant-roles.js';

type TenantUser = Schemas['TenantUser'];
const PAGE_SIZE = 100;

interface RoleFormProps {
  readonly tenantId: string;
  readonly userId: string;
  readonly roles: readonly TenantRole[];
  readonly onSaved: () => void;
}

function RoleForm(props: RoleFormProps) {
  const { tenantId, onSaved } = props;
  const { run, busy, refusal } = useApiAction();
  const [userId, setUserId] = useState(props.userId);
  const [roles, setRoles] = useState<TenantRole[]>([...props.roles]);
  const [saved, setSaved] = useState<string>();
  const form = useRef<HTMLFormElement>(null);
  // Picked from the list: the keyboard goes on to the roles.
  useEffect(() => {
    if (props.userId !== '') form.current?.querySelector<HTMLInputElement>('input[type="checkbox"]')?.focus();
  }, [props.userId]);

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
    <form ref={form} class="admin-form" aria-labelledby="role-form-heading" onSubmit={save}>
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
      <Status>{saved}</Status>
      <button type="submit" disabled={busy}>
        Save the roles
      </button>
    </form>
  );
}

/** The roles a user has as the table says it: assigned ones, or their sign-in token's. */
const rolesText = (user: TenantUser) =>
  user.roles === undefined ? 'as their sign-in token says' : user.roles.join(', ') || 'none';

export function UsersView({ tenantId }: { readonly tenantId?: string }) {
  const { me } = useSession();
  const tenant = tenantId ?? me.tenantId;
  const list = usePagedList(
    (api, cursor) =>
      api.GET('/v1/admin/tenants/{tenantId}/users', {
        params: { path: { tenantId: tenant }, query: { limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) } },
      }),
    (page) => page.users,
    [tenant],
  );
  // Which user the form is for; a new key gives the form that user's roles afresh.
  const [editing, setEditing] = useState<{ key: number; userId: string; roles: readonly TenantRole[] }>({
    key: 0,
    userId: '',
    roles: [],
  });

  return (
    <section class="tenant-admin" aria-labelledby="users-heading">
      <h1 id="users-heading">Users and roles of {tenant}</h1>
      {list.refusal && <ApiError refusal={list.refusal} />}
      {list.items && (
        <>
          <table>
            <caption>Users</caption>
            <thead>
              <tr>
                <th scope="col">User</th>
                <th scope="col">Roles</th>
                <th scope="col">Has used the tenant</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((user) => (
                <tr key={user.userId}>
                  <th scope="row">{user.userId}</th>
                  <td>{rolesText(user)}</td>
                  <td>{user.seen ? 'yes' : 'not yet'}</td>
                  <td>
                    <button
                      type="button"
                      aria-label={`Change roles of ${user.userId}`}
                      onClick={() =>
                        setEditing({
                          key: editing.key + 1,
                          userId: user.userId,
                          roles: tenantRolesOf(user.roles ?? []),
                        })
                      }
                    >
                      Change roles
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {list.more && (
            <button type="button" disabled={list.busy} onClick={list.loadMore}>
              Load more users
            </button>
          )}
        </>
      )}
      <RoleForm
        key={editing.key}
        tenantId={tenant}
        userId={editing.userId}
        roles={editing.roles}
        onSaved={list.reload}
      />
    </section>
  );
}

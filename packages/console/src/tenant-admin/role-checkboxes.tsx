/** A checkbox per tenant role in a labelled group: which roles a user or a tool has. */
import { useId } from 'preact/hooks';
import { TENANT_ROLES, type TenantRole } from './tenant-roles.js';

interface RoleCheckboxesProps {
  /** The group's name (its legend). */
  readonly legend: string;
  readonly roles: readonly TenantRole[];
  readonly onChange: (roles: TenantRole[]) => void;
}

export function RoleCheckboxes({ legend, roles, onChange }: RoleCheckboxesProps) {
  const id = useId();
  return (
    <fieldset class="roles">
      <legend>{legend}</legend>
      {TENANT_ROLES.map((role) => (
        <span key={role} class="choice">
          <input
            type="checkbox"
            id={`${id}-${role}`}
            checked={roles.includes(role)}
            onChange={(event) =>
              onChange(
                TENANT_ROLES.filter((candidate) =>
                  candidate === role ? event.currentTarget.checked : roles.includes(candidate),
                ),
              )
            }
          />
          <label for={`${id}-${role}`}>{role}</label>
        </span>
      ))}
    </fieldset>
  );
}

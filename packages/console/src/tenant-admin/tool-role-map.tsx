/**
 * A connector's tool role map, as a form: per exposed tool, the roles whose agents are offered it
 * and whether every call waits for approval. Used to register a connector (tool names typed) and
 * to edit one (the exposed tools listed by name; more may be added).
 */
import type { Schemas } from '@bulkhead/client';
import { useId } from 'preact/hooks';
import { TextField } from '../text-field.js';
import { RoleCheckboxes } from './role-checkboxes.js';
import type { TenantRole } from './tenant-roles.js';

/** One exposed tool as the API takes it. */
export type ExposedTool = Schemas['NewConnector']['tools'][number];

export interface ToolRow {
  /** Stable across edits, for Preact's keys. */
  readonly key: number;
  readonly name: string;
  readonly roles: readonly TenantRole[];
  readonly requiresApproval: boolean;
  /** The connector already exposes it: its name is fixed. */
  readonly exposed: boolean;
  /** What the tool does, as the connector described it when it was discovered. */
  readonly description?: string;
}

export const newToolRow = (key: number): ToolRow => ({
  key,
  name: '',
  roles: ['admin'],
  requiresApproval: false,
  exposed: false,
});

/** The rows as the API's `tools` list. */
export const exposedTools = (rows: readonly ToolRow[]): ExposedTool[] =>
  rows.map(({ name, roles, requiresApproval }) => ({
    name: name.trim(),
    roles: [...roles],
    ...(requiresApproval ? { requiresApproval } : {}),
  }));

interface ToolRoleMapProps {
  readonly rows: readonly ToolRow[];
  readonly onChange: (rows: ToolRow[]) => void;
}

export function ToolRoleMap({ rows, onChange }: ToolRoleMapProps) {
  const update = (key: number, change: Partial<ToolRow>) =>
    onChange(rows.map((row) => (row.key === key ? { ...row, ...change } : row)));
  const nextKey = Math.max(0, ...rows.map((row) => row.key)) + 1;
  return (
    <fieldset class="tool-map">
      <legend>Tools and the roles offered them</legend>
      {rows.map((row, index) => (
        <ToolRowFields
          key={row.key}
          row={row}
          title={row.exposed ? row.name : `Tool ${index + 1}`}
          onChange={(change) => update(row.key, change)}
          onRemove={() => onChange(rows.filter((other) => other.key !== row.key))}
        />
      ))}
      <button type="button" onClick={() => onChange([...rows, newToolRow(nextKey)])}>
        Add a tool
      </button>
    </fieldset>
  );
}

interface ToolRowFieldsProps {
  readonly row: ToolRow;
  readonly title: string;
  readonly onChange: (change: Partial<ToolRow>) => void;
  readonly onRemove: () => void;
}

function ToolRowFields({ row, title, onChange, onRemove }: ToolRowFieldsProps) {
  const approvalId = useId();
  return (
    <fieldset class="tool">
      <legend>{title}</legend>
      {row.description !== undefined && <p class="hint">{row.description}</p>}
      {!row.exposed && (
        <TextField label="Tool name" value={row.name} required onInput={(name) => onChange({ name })} />
      )}
      <RoleCheckboxes legend="Roles" roles={row.roles} onChange={(roles) => onChange({ roles })} />
      <span class="choice">
        <input
          type="checkbox"
          id={approvalId}
          checked={row.requiresApproval}
          onChange={(event) => onChange({ requiresApproval: event.currentTarget.checked })}
        />
        <label for={approvalId}>Requires approval</label>
      </span>
      <button type="button" onClick={onRemove} aria-label={`Remove ${title}`}>
        Remove
      </button>
    </fieldset>
  );
}

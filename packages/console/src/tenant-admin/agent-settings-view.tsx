/**
 * "Agent settings" (`GET`/`PUT /v1/agent/settings`): instructions added to the platform's system
 * prompt, the step limit, the chat model, and per built-in tool whether it is switched off and
 * which roles may use it. Settings only narrow what the roles allow; an empty field means the
 * platform's default, and a tool with every role ticked is not narrowed.
 */
import type { Schemas } from '@bulkhead/client';
import { useEffect, useId, useState } from 'preact/hooks';
import { ApiError } from '../api-error.js';
import { Status } from '../status.js';
import { TextField } from '../text-field.js';
import { useApiAction, useApiData } from '../use-api.js';
import { allKeys } from './all-keys.js';
import { RoleCheckboxes } from './role-checkboxes.js';
import { TENANT_ROLES, type TenantRole } from './tenant-roles.js';

type AgentSettings = Schemas['AgentSettings'];
type BuiltInTool = NonNullable<AgentSettings['disabledTools']>[number];

const BUILT_IN_TOOLS = allKeys<BuiltInTool>({
  search_documents: 0,
  recall: 0,
  remember: 0,
  get_my_usage: 0,
  delete_document: 0,
});

interface Draft {
  readonly instructions: string;
  readonly maxSteps: string;
  readonly modelId: string;
  readonly disabled: readonly BuiltInTool[];
  /** A tool not named is not narrowed: every role may use it. */
  readonly toolRoles: Readonly<Partial<Record<BuiltInTool, readonly TenantRole[]>>>;
}

const rolesFor = (draft: Draft, tool: BuiltInTool) => draft.toolRoles[tool] ?? TENANT_ROLES;

function draftOf(settings: AgentSettings): Draft {
  return {
    instructions: settings.instructions ?? '',
    maxSteps: settings.maxSteps === undefined ? '' : String(settings.maxSteps),
    modelId: settings.modelId ?? '',
    disabled: settings.disabledTools ?? [],
    toolRoles: settings.toolRoles ?? {},
  };
}

function settingsOf(draft: Draft): AgentSettings {
  const narrowed = BUILT_IN_TOOLS.filter((tool) => rolesFor(draft, tool).length < TENANT_ROLES.length);
  return {
    ...(draft.instructions.trim() === '' ? {} : { instructions: draft.instructions.trim() }),
    ...(draft.maxSteps.trim() === '' ? {} : { maxSteps: Number(draft.maxSteps) }),
    ...(draft.modelId.trim() === '' ? {} : { modelId: draft.modelId.trim() }),
    ...(draft.disabled.length === 0 ? {} : { disabledTools: [...draft.disabled] }),
    ...(narrowed.length === 0
      ? {}
      : { toolRoles: Object.fromEntries(narrowed.map((tool) => [tool, [...rolesFor(draft, tool)]])) }),
  };
}

function BuiltInToolFields(props: {
  readonly tool: BuiltInTool;
  readonly draft: Draft;
  readonly onChange: (draft: Draft) => void;
}) {
  const { tool, draft, onChange } = props;
  const offId = useId();
  const off = draft.disabled.includes(tool);
  return (
    <fieldset class="tool">
      <legend>{tool}</legend>
      <span class="choice">
        <input
          type="checkbox"
          id={offId}
          checked={off}
          onChange={(event) =>
            onChange({
              ...draft,
              disabled: BUILT_IN_TOOLS.filter((candidate) =>
                candidate === tool ? event.currentTarget.checked : draft.disabled.includes(candidate),
              ),
            })
          }
        />
        <label for={offId}>Switched off</label>
      </span>
      <RoleCheckboxes
        legend="Roles that may use it"
        roles={rolesFor(draft, tool)}
        onChange={(roles) => onChange({ ...draft, toolRoles: { ...draft.toolRoles, [tool]: roles } })}
      />
    </fieldset>
  );
}

export function AgentSettingsView() {
  const { data, refusal, reload } = useApiData((api) => api.GET('/v1/agent/settings'), []);
  const { run, busy, refusal: saveRefusal } = useApiAction();
  const [draft, setDraft] = useState<Draft>();
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    if (data !== undefined) setDraft(draftOf(data));
  }, [data]);
  const change = (next: Draft) => {
    setSaved(false);
    setDraft(next);
  };

  const save = async (event: Event) => {
    event.preventDefault();
    if (draft === undefined) return;
    const done = await run((api) => api.PUT('/v1/agent/settings', { body: settingsOf(draft) }));
    if (done !== undefined) {
      setSaved(true);
      reload();
    }
  };

  return (
    <section class="tenant-admin" aria-labelledby="agent-settings-heading">
      <h1 id="agent-settings-heading">Agent settings</h1>
      <p>They only narrow what the roles allow. Empty fields mean the platform’s default.</p>
      {refusal && <ApiError refusal={refusal} />}
      {draft && (
        <form class="admin-form" aria-labelledby="agent-settings-heading" onSubmit={save}>
          <TextField
            label="Instructions"
            multiline
            hint="added after the platform’s system prompt"
            value={draft.instructions}
            onInput={(instructions) => change({ ...draft, instructions })}
          />
          <TextField
            label="Steps per turn"
            type="number"
            min={1}
            hint="model calls per chat turn, at most the platform’s limit"
            value={draft.maxSteps}
            onInput={(maxSteps) => change({ ...draft, maxSteps })}
          />
          <TextField
            label="Chat model"
            hint="a model id the platform grants"
            value={draft.modelId}
            onInput={(modelId) => change({ ...draft, modelId })}
          />
          <fieldset>
            <legend>Built-in tools</legend>
            {BUILT_IN_TOOLS.map((tool) => (
              <BuiltInToolFields key={tool} tool={tool} draft={draft} onChange={change} />
            ))}
          </fieldset>
          {saveRefusal && <ApiError refusal={saveRefusal} />}
          <Status>{saved && 'Saved.'}</Status>
          <button type="submit" disabled={busy}>
            Save the settings
          </button>
        </form>
      )}
    </section>
  );
}

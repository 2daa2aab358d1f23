/**
 * Changes a tenant's tier and limits (PATCH /v1/admin/tenants/{id}). Only what the operator
 * changed is sent — each field given replaces the stored one — and the API alone decides what is
 * valid: the form does not check the numbers itself (`noValidate`), so its refusal is what shows.
 */
import type { operations } from '@bulkhead/client';
import { useState } from 'preact/hooks';
import { ApiError } from '../api-error.js';
import { Choice } from '../choice.js';
import { Status } from '../status.js';
import { TextField } from '../text-field.js';
import { useApiAction } from '../use-api.js';
import { type TenantRecord, TIERS, type Tier, tierOf } from './tenant-types.js';

type Limits = NonNullable<TenantRecord['rateLimits']>;
type LimitName = keyof Limits;

const RATE_LIMITS: readonly { readonly name: LimitName; readonly label: string }[] = [
  { name: 'perUserPerMinute', label: 'Requests per user per minute' },
  { name: 'perTenantPerMinute', label: 'Requests per tenant per minute' },
  { name: 'tokensPerUserPerMinute', label: 'Tokens per user per minute' },
  { name: 'tokensPerTenantPerMinute', label: 'Tokens per tenant per minute' },
  { name: 'inFlightPerTenant', label: 'Requests in flight per tenant' },
];

type Field = 'monthlyBudgetUsd' | 'monthlyTokenBudget' | 'modelId' | LimitName;

/** The form's text for a stored value: empty when the tier's (or platform's) default applies. */
const textOf = (value: number | string | undefined): string => (value === undefined ? '' : String(value));

/** A number field's value, or undefined when left empty (the stored value stays). */
const numberOf = (text: string): number | undefined => (text.trim() === '' ? undefined : Number(text));

type Settings = NonNullable<operations['updateTenant']['requestBody']>['content']['application/json'];

/** The PATCH body: the fields whose value differs from the record (the others are left out). */
function changes(tenant: TenantRecord, tier: Tier, fields: Readonly<Record<Field, string>>): Settings {
  const budget = numberOf(fields.monthlyBudgetUsd);
  const tokenBudget = numberOf(fields.monthlyTokenBudget);
  const modelId = fields.modelId.trim() || undefined;
  const stored = tenant.rateLimits ?? {};
  const limits: Limits = Object.fromEntries(
    RATE_LIMITS.flatMap(({ name }) => {
      const value = numberOf(fields[name]);
      return value === undefined ? [] : [[name, value]];
    }),
  );
  const limitsChanged = RATE_LIMITS.some(({ name }) => name in limits && limits[name] !== stored[name]);
  return {
    ...(tier === tenant.tier ? {} : { tier }),
    ...(budget === undefined || budget === tenant.monthlyBudgetUsd ? {} : { monthlyBudgetUsd: budget }),
    ...(tokenBudget === undefined || tokenBudget === tenant.monthlyTokenBudget
      ? {}
      : { monthlyTokenBudget: tokenBudget }),
    ...(modelId === undefined || modelId === tenant.modelId ? {} : { modelId }),
    // The rate limits are replaced as a whole: the ones set, old and new.
    ...(limitsChanged ? { rateLimits: { ...stored, ...limits } } : {}),
  };
}

/** The form's fields as the record has them. */
const fieldsOf = (tenant: TenantRecord): Record<Field, string> => ({
  monthlyBudgetUsd: textOf(tenant.monthlyBudgetUsd),
  monthlyTokenBudget: textOf(tenant.monthlyTokenBudget),
  modelId: textOf(tenant.modelId),
  perUserPerMinute: textOf(tenant.rateLimits?.perUserPerMinute),
  perTenantPerMinute: textOf(tenant.rateLimits?.perTenantPerMinute),
  tokensPerUserPerMinute: textOf(tenant.rateLimits?.tokensPerUserPerMinute),
  tokensPerTenantPerMinute: textOf(tenant.rateLimits?.tokensPerTenantPerMinute),
  inFlightPerTenant: textOf(tenant.rateLimits?.inFlightPerTenant),
});

interface TenantSettingsFormProps {
  readonly tenant: TenantRecord;
  readonly onSaved: () => void;
}

export function TenantSettingsForm({ tenant, onSaved }: TenantSettingsFormProps) {
  const [tier, setTier] = useState<Tier>(tenant.tier);
  const [fields, setFields] = useState(() => fieldsOf(tenant));
  const [saved, setSaved] = useState(false);
  const save = useApiAction();
  const edit = (field: Field) => (value: string) => setFields((current) => ({ ...current, [field]: value }));
  const numberInput = (field: Exclude<Field, 'modelId'>, label: string) => (
    <TextField
      key={field}
      label={label}
      type="number"
      step="any"
      value={fields[field]}
      placeholder="default"
      onInput={edit(field)}
    />
  );
  const submit = async (event: Event) => {
    event.preventDefault();
    setSaved(false);
    const body = changes(tenant, tier, fields);
    const done = await save.run((api) =>
      api.PATCH('/v1/admin/tenants/{tenantId}', { params: { path: { tenantId: tenant.tenantId } }, body }),
    );
    if (done === undefined) return;
    setSaved(true);
    onSaved();
  };
  return (
    <form aria-labelledby="settings-heading" noValidate onSubmit={submit}>
      <h2 id="settings-heading">Tier and limits</h2>
      <p>Leave a field empty to keep what is stored (empty means the tier's default applies).</p>
      <Choice label="Tier" value={tier} options={TIERS} onChange={(v) => setTier(tierOf(v) ?? tier)} />
      {numberInput('monthlyBudgetUsd', 'Monthly budget (USD)')}
      {numberInput('monthlyTokenBudget', 'Monthly token budget')}
      <TextField label="Model id" value={fields.modelId} placeholder="default" onInput={edit('modelId')} />
      <fieldset>
        <legend>Rate limits</legend>
        {RATE_LIMITS.map(({ name, label }) => numberInput(name, label))}
      </fieldset>
      <button type="submit" disabled={save.busy}>
        Save changes
      </button>
      {save.refusal && <ApiError refusal={save.refusal} />}
      <Status>
        {saved && !save.busy && "Saved: the functions apply it within the registry cache's 15 s."}
      </Status>
    </form>
  );
}

/**
 * "Onboard a tenant" (operators): POST /v1/admin/tenants with its id, name and tier, and
 * optionally its first admin's e-mail — created in the Cognito user pool and invited; a
 * deployment whose people sign in with another identity provider (the local cloud's issuer
 * too) refuses it with 422 `first_admin_not_supported`, shown as the API says it.
 */
import { useState } from 'preact/hooks';
import { ApiError } from '../api-error.js';
import { Choice } from '../choice.js';
import { Status } from '../status.js';
import { TextField } from '../text-field.js';
import { useApiAction } from '../use-api.js';
import { placementSummary } from './placement.js';
import { type TenantRecord, TIERS, type Tier, tenantHref, tierOf } from './tenant-types.js';

export function OnboardView() {
  const [tenantId, setTenantId] = useState('');
  const [name, setName] = useState('');
  const [tier, setTier] = useState<Tier>('basic');
  const [adminEmail, setAdminEmail] = useState('');
  const [onboarded, setOnboarded] = useState<TenantRecord>();
  const onboard = useApiAction();
  const submit = async (event: Event) => {
    event.preventDefault();
    setOnboarded(undefined);
    const email = adminEmail.trim();
    const done = await onboard.run((api) =>
      api.POST('/v1/admin/tenants', {
        body: { tenantId: tenantId.trim(), name, tier, ...(email === '' ? {} : { admin: { email } }) },
      }),
    );
    if (done?.data !== undefined) setOnboarded(done.data);
  };
  return (
    <section class="operator" aria-labelledby="onboard-heading">
      <h1 id="onboard-heading">Onboard a tenant</h1>
      <form aria-labelledby="onboard-heading" noValidate onSubmit={submit}>
        <TextField
          label="Tenant id"
          value={tenantId}
          autoComplete="off"
          hint="3–63 lowercase letters, digits and inner hyphens; never reused once the tenant is erased."
          onInput={setTenantId}
        />
        <TextField label="Name" value={name} onInput={setName} />
        <Choice label="Tier" value={tier} options={TIERS} onChange={(v) => setTier(tierOf(v) ?? tier)} />
        <TextField
          label="First admin's e-mail (optional)"
          type="email"
          value={adminEmail}
          hint="Invited by e-mail from the Cognito user pool; with another identity provider, create the admin there."
          onInput={setAdminEmail}
        />
        <button type="submit" disabled={onboard.busy}>
          Onboard
        </button>
      </form>
      {onboard.refusal && <ApiError refusal={onboard.refusal} />}
      <Status>
        {onboarded && (
          <>
            Onboarded {onboarded.name} ({onboarded.tier}, {placementSummary(onboarded)}):{' '}
            <a href={tenantHref(onboarded.tenantId)}>{onboarded.tenantId}</a>
          </>
        )}
      </Status>
    </section>
  );
}

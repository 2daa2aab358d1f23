/**
 * Suspend and resume a tenant, offboard it after a confirmation that says when its data will be
 * erased, and cancel an offboarding while its grace period runs (POST .../suspend, /resume,
 * /offboard, /cancel-offboard).
 */
import { useState } from 'preact/hooks';
import { ApiError } from '../api-error.js';
import { focusSoon } from '../focus.js';
import { formatTime } from '../format.js';
import { Status } from '../status.js';
import { TextField } from '../text-field.js';
import { useApiAction } from '../use-api.js';
import type { TenantRecord } from './tenant-types.js';

/** The API's default grace period (DEFAULT_OFFBOARDING_GRACE_DAYS), what the form proposes. */
const DEFAULT_GRACE_DAYS = 30;
const DAY_MS = 86_400_000;

type Step = 'suspend' | 'resume' | 'offboard' | 'cancel-offboard';

const DONE: Readonly<Record<Step, string>> = {
  suspend: 'Suspended: every request of the tenant is refused.',
  resume: 'Resumed: the tenant is served again.',
  offboard: 'Offboarding: the tenant is refused at once and erased when its grace period ends.',
  'cancel-offboard': 'Offboarding cancelled: the tenant is active again.',
};

interface TenantLifecycleProps {
  readonly tenant: TenantRecord;
  readonly onChanged: () => void;
}

export function TenantLifecycle({ tenant, onChanged }: TenantLifecycleProps) {
  const action = useApiAction();
  const [done, setDone] = useState<Step>();
  const [confirming, setConfirming] = useState(false);
  const [graceDays, setGraceDays] = useState(String(DEFAULT_GRACE_DAYS));
  const { tenantId } = tenant;
  const take = async (step: Step, graceDaysAsked?: number) => {
    setDone(undefined);
    const path = { params: { path: { tenantId } } };
    const answer = await action.run((api) => {
      switch (step) {
        case 'suspend':
          return api.POST('/v1/admin/tenants/{tenantId}/suspend', path);
        case 'resume':
          return api.POST('/v1/admin/tenants/{tenantId}/resume', path);
        case 'offboard':
          return api.POST('/v1/admin/tenants/{tenantId}/offboard', {
            ...path,
            body: graceDaysAsked === undefined ? {} : { graceDays: graceDaysAsked },
          });
        case 'cancel-offboard':
          return api.POST('/v1/admin/tenants/{tenantId}/cancel-offboard', path);
      }
    });
    if (answer === undefined) return;
    setDone(step);
    setConfirming(false);
    onChanged();
    // The button pressed is gone (the tenant's status changed): the message says what happened.
    focusSoon('lifecycle-status');
  };
  const days = graceDays.trim() === '' ? undefined : Number(graceDays);
  const erasureAbout =
    days !== undefined && Number.isFinite(days)
      ? formatTime(new Date(Date.now() + days * DAY_MS).toISOString())
      : undefined;
  return (
    <section aria-labelledby="lifecycle-heading">
      <h2 id="lifecycle-heading">Lifecycle</h2>
      <div class="actions">
        {tenant.status === 'active' && (
          <button type="button" disabled={action.busy} onClick={() => take('suspend')}>
            Suspend
          </button>
        )}
        {tenant.status === 'suspended' && (
          <button type="button" disabled={action.busy} onClick={() => take('resume')}>
            Resume
          </button>
        )}
        {tenant.status !== 'offboarding' && !confirming && (
          <button
            type="button"
            id="offboard-start"
            disabled={action.busy}
            onClick={() => {
              setConfirming(true);
              focusSoon('offboard-heading');
            }}
          >
            Offboard…
          </button>
        )}
        {tenant.offboarding !== undefined && tenant.erasureStartedAt === undefined && (
          <button type="button" disabled={action.busy} onClick={() => take('cancel-offboard')}>
            Cancel offboarding
          </button>
        )}
      </div>
      {tenant.offboarding !== undefined && (
        <p>
          {tenant.erasureStartedAt === undefined
            ? `In its grace period: erasure may begin after ${formatTime(tenant.offboarding.eraseAfter)}; until then the offboarding can be cancelled.`
            : `Erasure began ${formatTime(tenant.erasureStartedAt)}: it can no longer be cancelled.`}
        </p>
      )}
      {confirming && (
        <section class="confirm" aria-labelledby="offboard-heading">
          <h3 id="offboard-heading" tabIndex={-1}>
            Offboard {tenantId}?
          </h3>
          <p>
            The tenant is refused at once on every route. When the grace period ends, everything it holds —
            items, every object version, its vector index, its secrets and its registry record — is erased,
            and a signed erasure receipt is kept. Until then the offboarding can be cancelled.
          </p>
          <TextField
            label="Grace period (days)"
            type="number"
            step="1"
            value={graceDays}
            onInput={setGraceDays}
          />
          {erasureAbout !== undefined && <p>Erasure may begin after about {erasureAbout}.</p>}
          <div class="actions">
            <button type="button" disabled={action.busy} onClick={() => take('offboard', days)}>
              Offboard {tenantId}
            </button>
            <button
              type="button"
              onClick={() => {
                setConfirming(false);
                focusSoon('offboard-start');
              }}
            >
              Keep the tenant
            </button>
          </div>
        </section>
      )}
      {action.refusal && <ApiError refusal={action.refusal} />}
      <Status id="lifecycle-status">{done !== undefined && !action.busy && DONE[done]}</Status>
    </section>
  );
}

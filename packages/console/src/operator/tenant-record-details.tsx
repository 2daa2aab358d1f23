/** A tenant's registry record as a description list: what it is, its limits, where it lives. */
import { formatCount, formatTime, formatUsd } from '../format.js';
import { MOVE_PHASE_MEANING } from './placement.js';
import type { TenantRecord } from './tenant-types.js';

const TIER_DEFAULT = "the tier's default";

type Copied = NonNullable<TenantRecord['lastMove']>['copied'];

const copiedSummary = (copied: Copied): string =>
  copied === undefined
    ? 'nothing to copy'
    : `${formatCount(copied.items.count)} items, ${formatCount(copied.objects.count)} objects, ${formatCount(copied.vectors.count)} vectors, verified`;

/** `name value, name value` for the overrides set, or the tier's default. */
function overrides(values: Readonly<Record<string, number | undefined>> | undefined): string {
  const set = Object.entries(values ?? {}).filter(([, value]) => value !== undefined);
  return set.length === 0
    ? TIER_DEFAULT
    : set.map(([name, value]) => `${name} ${formatCount(value ?? 0)}`).join(', ');
}

export function TenantRecordDetails({ tenant }: { readonly tenant: TenantRecord }) {
  const { move, lastMove, offboarding } = tenant;
  return (
    <dl aria-label="Tenant record">
      <dt>Name</dt>
      <dd>{tenant.name}</dd>
      <dt>Tier</dt>
      <dd>{tenant.tier}</dd>
      <dt>Status</dt>
      <dd>{tenant.status}</dd>
      <dt>Onboarded</dt>
      <dd>{formatTime(tenant.createdAt)}</dd>
      <dt>Monthly budget</dt>
      <dd>{tenant.monthlyBudgetUsd === undefined ? TIER_DEFAULT : formatUsd(tenant.monthlyBudgetUsd)}</dd>
      <dt>Monthly token budget</dt>
      <dd>
        {tenant.monthlyTokenBudget === undefined ? TIER_DEFAULT : formatCount(tenant.monthlyTokenBudget)}
      </dd>
      <dt>Rate limits</dt>
      <dd>{overrides(tenant.rateLimits)}</dd>
      <dt>Model</dt>
      <dd>{tenant.modelId ?? "the platform's default"}</dd>
      <dt>Retention (days)</dt>
      <dd>{overrides(tenant.retention)}</dd>
      <dt>Placement</dt>
      <dd>{tenant.placement ?? 'pool'}</dd>
      <dt>Move</dt>
      <dd>
        {move === undefined ? (
          'none under way'
        ) : (
          <>
            to {move.to}, since {formatTime(move.requestedAt)}: <strong>{move.phase}</strong> —{' '}
            {MOVE_PHASE_MEANING[move.phase]}
            {move.heldAt !== undefined && <>; held since {formatTime(move.heldAt)}</>}
            {move.copied !== undefined && <>; copied {copiedSummary(move.copied)}</>}
            {move.lastError !== undefined && (
              <>; the last step failed and is retried on the placement job's next run: {move.lastError}</>
            )}
          </>
        )}
      </dd>
      {lastMove !== undefined && (
        <>
          <dt>Last move</dt>
          <dd>
            to {lastMove.to}, finished {formatTime(lastMove.finishedAt)}: {copiedSummary(lastMove.copied)}
          </dd>
        </>
      )}
      {offboarding !== undefined && (
        <>
          <dt>Offboarding</dt>
          <dd>
            asked for {formatTime(offboarding.requestedAt)}; erasure may begin after{' '}
            {formatTime(offboarding.eraseAfter)}
            {tenant.erasureStartedAt !== undefined && (
              <>; erasure began {formatTime(tenant.erasureStartedAt)}</>
            )}
          </dd>
        </>
      )}
    </dl>
  );
}

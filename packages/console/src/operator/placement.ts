/**
 * Where a tenant's data lives and what a move between the pool and a silo is doing, in words
 * (the steps are the placement job's, lambdas/placement and TenantRecord's `move`).
 */
import type { TenantRecord } from './tenant-types.js';

type MovePhase = NonNullable<TenantRecord['move']>['phase'];

/** What each step of a move means for the tenant. */
export const MOVE_PHASE_MEANING: Readonly<Record<MovePhase, string>> = {
  provisioning: 'the silo stack is being created; the tenant is served as before',
  holding:
    "the tenant's requests are held (503) until every function's cached view of the registry and every request admitted before the hold have run out",
  copying:
    'still held: items, objects and vectors are copied and verified, then the placement switches and the hold ends',
  releasing: 'the tenant is served from its new place; the old copies are being erased',
  removing: "the emptied silo's stack is being deleted",
};

/** The tenant's placement, and the move under way if any: `pool`, `pool → silo (copying)`. */
export function placementSummary(tenant: Pick<TenantRecord, 'placement' | 'move'>): string {
  const placement = tenant.placement ?? 'pool';
  return tenant.move === undefined ? placement : `${placement} → ${tenant.move.to} (${tenant.move.phase})`;
}

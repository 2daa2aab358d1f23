/**
 * One run of the placement job: every tenant with a move under way is carried as far as it can
 * go now (see MOVE_PHASES in registry/tenant-record.ts):
 *
 *   provisioning  create the silo stack; wait until CloudFormation has it ready (a failed one is
 *                 deleted and created again on a later run)
 *   holding       the tenant's requests are held; wait REGISTRY_SETTLE_SECONDS, until every
 *                 function's cached registry view and every request admitted before the hold
 *                 have run out, so nothing writes to the old place any more
 *   copying       empty the destination, copy items, objects and vectors; compare counts and SHA-256s of source and
 *                 copy; switch the placement (one conditional write, which also ends the hold)
 *   releasing     erase the old copies
 *   removing      (to the pool) delete the emptied silo stack and wait until it is gone
 *
 * Every step is safe to run again, and each phase change is conditional on the phase the run
 * read, so a run that lost a race changes nothing. The function runs one at a time (reserved
 * concurrency 1): a copy never races another copy. A step that fails is logged, its error kept
 * on the move (`lastError`), and retried on the next run. Logs name tenants by their tag only.
 */
import { describeError, type Logger } from '../observability/logger.js';
import type { CopyReport, PlacementMove, TenantRecord } from '../registry/tenant-record.js';
import { placementOf } from '../registry/tenant-record.js';
import type { MoveStep, TenantRegistry } from '../registry/tenant-registry.js';
import type { Placement } from '../tenancy/key-layout.js';
import type { SiloStacks } from './silo-stacks.js';
import type { TenantPlane } from './tenant-plane.js';

export interface PlacementRunDependencies {
  readonly tenants: () => Promise<readonly TenantRecord[]>;
  readonly registry: Pick<TenantRegistry, 'advanceMove'>;
  readonly stacks: Pick<SiloStacks, 'create' | 'state' | 'remove'>;
  /** The tenant's share of the pool or of its silo, through a mover session. */
  readonly planeOf: (tenant: TenantRecord, placement: Placement) => Promise<TenantPlane>;
  readonly tenantTag: (tenantId: string) => Promise<string>;
  /** How long requests are held before the copy begins. */
  readonly settleMs: number;
  readonly logger: Logger;
  readonly now?: () => Date;
}

export interface PlacementRunSummary {
  /** Tenants with a move under way when the run began. */
  readonly moving: number;
  /** Moves that ended in this run. */
  readonly finished: number;
  readonly failed: number;
}

/** Thrown when an operator's invocation names a tenant id that is not one: the run does nothing. */
export class InvalidPlacementEventError extends Error {
  override readonly name = 'InvalidPlacementEventError';
}

/** Thrown when a copy's summary differs from its source's: the copy is done again on the next run. */
export class CopyMismatchError extends Error {
  constructor(source: CopyReport, copy: CopyReport) {
    super(`the copy differs from its source: ${JSON.stringify({ source, copy })}`);
    this.name = 'CopyMismatchError';
  }
}

export async function runPlacements(deps: PlacementRunDependencies): Promise<PlacementRunSummary> {
  const moving = (await deps.tenants()).filter((tenant) => tenant.move !== undefined);
  let finished = 0;
  let failed = 0;
  for (const tenant of moving) {
    const tenantTag = await deps.tenantTag(tenant.tenantId);
    const outcome = await carry(deps, tenant);
    if (outcome.ended) finished += 1;
    if (outcome.failure === undefined) continue;
    const { move, error } = outcome.failure;
    failed += 1;
    deps.logger.error('placement step failed; retried on the next run', {
      tenantTag,
      phase: move.phase,
      ...describeError(error),
    });
    // Kept on the move, in the phase that failed, for the operator; a failure to record it is only logged.
    await deps.registry
      .advanceMove(tenant.tenantId, move.phase, { move: { ...move, lastError: errorText(error) } })
      .catch(() => undefined);
  }
  return { moving: moving.length, finished, failed };
}

/** How far a run carried one move: whether it ended, and the step that failed (with its move), if one did. */
interface CarryOutcome {
  readonly ended: boolean;
  readonly failure?: { readonly move: PlacementMove; readonly error: unknown };
}

/** Carries one tenant's move as far as it goes now. */
async function carry(deps: PlacementRunDependencies, start: TenantRecord): Promise<CarryOutcome> {
  const now = deps.now ?? (() => new Date());
  let tenant: TenantRecord | undefined = start;
  while (tenant?.move !== undefined) {
    const move: PlacementMove = tenant.move;
    let next: Step;
    try {
      next = await step(deps, tenant, move, now());
    } catch (error) {
      return { ended: false, failure: { move, error } };
    }
    if (next === 'wait') return { ended: false };
    tenant = await deps.registry.advanceMove(tenant.tenantId, move.phase, next);
    // Another run moved it on first: nothing more to do here.
    if (tenant === undefined) return { ended: false };
  }
  return { ended: true };
}

/** The end of a move, as the record keeps it. */
function ended(move: PlacementMove, now: Date): MoveStep {
  return {
    lastMove: {
      to: move.to,
      finishedAt: now.toISOString(),
      ...(move.copied === undefined ? {} : { copied: move.copied }),
    },
  };
}

type Step = 'wait' | MoveStep;

/** Does the work of the move's phase; what the move becomes (its next phase or its end), or 'wait'. */
async function step(
  deps: PlacementRunDependencies,
  tenant: TenantRecord,
  move: PlacementMove,
  now: Date,
): Promise<Step> {
  const { lastError: _, ...current } = move;
  switch (move.phase) {
    case 'provisioning': {
      const stack = await deps.stacks.state(tenant.tenantId);
      if (stack.state === 'absent') await deps.stacks.create(tenant.tenantId);
      if (stack.state === 'failed') {
        await deps.stacks.remove(tenant.tenantId);
        throw new Error(`the silo stack failed (${stack.reason}); it is deleted and created again`);
      }
      if (stack.state !== 'ready') return 'wait';
      return { move: { ...current, phase: 'holding', heldAt: now.toISOString() } };
    }
    case 'holding': {
      const heldAt = new Date(move.heldAt ?? move.requestedAt).getTime();
      if (now.getTime() < heldAt + deps.settleMs) return 'wait';
      return { move: { ...current, phase: 'copying' } };
    }
    case 'copying': {
      const [source, target] = await Promise.all([
        deps.planeOf(tenant, placementOf(tenant)),
        deps.planeOf(tenant, move.to),
      ]);
      // The copy starts from an empty destination, so a copy tried again converges on the source.
      await target.erase();
      await source.copyTo(target);
      const [expected, copied] = await Promise.all([source.summary(), target.summary()]);
      if (JSON.stringify(expected) !== JSON.stringify(copied)) throw new CopyMismatchError(expected, copied);
      // The switch: from here the tenant's requests go to the new place, and are no longer held.
      return { move: { ...current, phase: 'releasing', copied }, placement: move.to };
    }
    case 'releasing': {
      const from: Placement = move.to === 'silo' ? 'pool' : 'silo';
      await (await deps.planeOf(tenant, from)).erase();
      return move.to === 'pool' ? { move: { ...current, phase: 'removing' } } : ended(move, now);
    }
    case 'removing': {
      const stack = await deps.stacks.state(tenant.tenantId);
      if (stack.state === 'absent') return ended(move, now);
      if (stack.state === 'ready' || stack.state === 'failed') await deps.stacks.remove(tenant.tenantId);
      return 'wait';
    }
  }
}

function errorText(err: unknown): string {
  return (err instanceof Error ? `${err.name}: ${err.message}` : String(err)).slice(0, 500);
}

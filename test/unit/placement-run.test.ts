/**
 * The placement job's state machine with a fake registry and fake stacks: each phase waits for
 * what it needs, a failed stack is deleted and created again, a failure stays on the move in the
 * phase that failed, a lost race changes nothing, and a move to the pool ends once the stack is
 * gone. (Copying, verifying and erasing run against the local cloud: hybrid-tenancy.test.ts.)
 */
import { describe, expect, it, vi } from 'vitest';
import type { Logger } from '../../lambdas/observability/logger.js';
import { runPlacements } from '../../lambdas/placement/placement-run.js';
import type { SiloStackState } from '../../lambdas/placement/silo-stacks.js';
import type { MovePhase, PlacementMove, TenantRecord } from '../../lambdas/registry/tenant-record.js';
import type { MoveStep } from '../../lambdas/registry/tenant-registry.js';

const SETTLE_MS = 16_000;
const T0 = new Date('2026-12-01T10:00:00.000Z');

function tenantWith(move: PlacementMove, placement?: 'pool' | 'silo'): TenantRecord {
  return {
    tenantId: 'acme',
    name: 'Acme',
    tier: 'enterprise',
    status: 'active',
    createdAt: '2026-01-01T00:00:00.000Z',
    move,
    ...(placement === undefined ? {} : { placement }),
  };
}

/** A registry of one tenant whose advanceMove is conditional on the phase, as DynamoDB's is. */
function fakeRegistry(start: TenantRecord) {
  let record: TenantRecord = start;
  return {
    get record() {
      return record;
    },
    /** The next advanceMove acts as if another run had moved the move on first. */
    loseNextRace: false,
    async advanceMove(_tenantId: string, from: MovePhase, next: MoveStep) {
      if (this.loseNextRace || record.move?.phase !== from) {
        this.loseNextRace = false;
        return undefined;
      }
      const { move: _old, ...rest } = record;
      record = 'lastMove' in next ? { ...rest, lastMove: next.lastMove } : { ...rest, ...next };
      return record;
    },
  };
}

function harness(start: TenantRecord, states: SiloStackState[]) {
  const registry = fakeRegistry(start);
  const stacks = {
    create: vi.fn(async () => undefined),
    remove: vi.fn(async () => undefined),
    state: vi.fn(async () => states.shift() ?? { state: 'absent' as const }),
  };
  const logger: Logger = { info: vi.fn(), error: vi.fn() };
  const run = (at: Date) =>
    runPlacements({
      tenants: async () => [registry.record],
      registry,
      stacks,
      planeOf: () => Promise.reject(new Error('no copy in these tests')),
      tenantTag: async () => 't_00000000000000000000000000000000',
      settleMs: SETTLE_MS,
      logger,
      now: () => at,
    });
  return { registry, stacks, logger, run };
}

const toSilo: PlacementMove = { to: 'silo', phase: 'provisioning', requestedAt: T0.toISOString() };

describe('the placement job', () => {
  it('creates the silo stack, waits while it is created, then holds the tenant and waits out the settle time', async () => {
    const { registry, stacks, run } = harness(tenantWith(toSilo), [
      { state: 'absent' },
      { state: 'creating' },
      { state: 'ready' },
    ]);

    expect(await run(T0)).toEqual({ moving: 1, finished: 0, failed: 0 });
    expect(stacks.create).toHaveBeenCalledWith('acme');
    await run(T0);
    expect(registry.record.move?.phase).toBe('provisioning');
    const ready = new Date(T0.getTime() + 60_000);
    await run(ready);
    expect(registry.record.move).toMatchObject({ phase: 'holding', heldAt: ready.toISOString() });
    // Not yet past the hold: it waits (nothing is copied, no plane is asked for).
    expect(await run(new Date(ready.getTime() + SETTLE_MS - 1))).toEqual({
      moving: 1,
      finished: 0,
      failed: 0,
    });
    expect(registry.record.move?.phase).toBe('holding');
    expect(stacks.create).toHaveBeenCalledTimes(1);
  });

  it('deletes a failed stack, keeps the error on the move, and creates the stack again on a later run', async () => {
    const { registry, stacks, run, logger } = harness(tenantWith(toSilo), [
      { state: 'failed', reason: 'ROLLBACK_COMPLETE: kms:CreateKey denied' },
      { state: 'absent' },
    ]);

    expect(await run(T0)).toEqual({ moving: 1, finished: 0, failed: 1 });
    expect(stacks.remove).toHaveBeenCalledWith('acme');
    expect(registry.record.move).toMatchObject({ phase: 'provisioning' });
    expect(registry.record.move?.lastError).toContain('kms:CreateKey denied');
    expect(logger.error).toHaveBeenCalledWith(
      'placement step failed; retried on the next run',
      expect.objectContaining({ phase: 'provisioning' }),
    );
    // The logs name the tenant by its tag only.
    expect(JSON.stringify(vi.mocked(logger.error).mock.calls)).not.toContain('"acme"');

    await run(T0);
    expect(stacks.create).toHaveBeenCalledWith('acme');
  });

  it('changes nothing when another run moved the move on first', async () => {
    const { registry, run } = harness(tenantWith(toSilo), [{ state: 'ready' }]);
    registry.loseNextRace = true;

    expect(await run(T0)).toEqual({ moving: 1, finished: 0, failed: 0 });
    expect(registry.record.move).toEqual(toSilo);
  });

  it('ends a move to the pool once the emptied silo stack is gone, keeping the verified copy as the last move', async () => {
    const copied = {
      items: { count: 3, sha256: 'a' },
      objects: { count: 1, sha256: 'b' },
      vectors: { count: 1, sha256: 'c' },
    };
    const removing: PlacementMove = { to: 'pool', phase: 'removing', requestedAt: T0.toISOString(), copied };
    const { registry, stacks, run } = harness(tenantWith(removing, 'pool'), [
      { state: 'ready' },
      { state: 'deleting' },
      { state: 'absent' },
    ]);

    await run(T0);
    expect(stacks.remove).toHaveBeenCalledTimes(1);
    await run(T0);
    expect(registry.record.move?.phase).toBe('removing');
    expect(await run(T0)).toEqual({ moving: 1, finished: 1, failed: 0 });
    expect(registry.record.move).toBeUndefined();
    expect(registry.record.lastMove).toEqual({ to: 'pool', finishedAt: T0.toISOString(), copied });
  });
});

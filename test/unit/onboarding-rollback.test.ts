/** Undoing a failed onboarding: every undo step runs on its own, and the original error surfaces. */
import { describe, expect, it, vi } from 'vitest';
import type { Logger } from '../../lambdas/observability/logger.js';
import { type OnboardingDependencies, onboardTenant } from '../../lambdas/registry/onboarding.js';

const GLOBEX = { tenantId: 'globex', name: 'Globex', tier: 'basic' } as const;

/** Fakes that record every step; `fail` names the steps that throw (each its own error). */
function dependencies(fail: readonly string[]) {
  const steps: string[] = [];
  const errors = new Map(fail.map((step) => [step, new Error(`${step} failed`)]));
  const step = (name: string) => async () => {
    steps.push(name);
    const error = errors.get(name);
    if (error !== undefined) throw error;
  };
  const logger: Logger = { info: vi.fn(), error: vi.fn() };
  const fakes: OnboardingDependencies = {
    registry: { createTenant: step('createTenant'), deleteTenant: step('deleteTenant') },
    createVectorIndex: step('createVectorIndex'),
    deleteVectorIndex: step('deleteVectorIndex'),
    createFirstAdmin: step('createFirstAdmin'),
    logger,
  };
  return { fakes, steps, errors, logger };
}

describe('onboarding rollback', () => {
  it('deletes the record even when the index cannot be deleted, logs that step, and rethrows the admin error', async () => {
    const { fakes, steps, errors, logger } = dependencies(['createFirstAdmin', 'deleteVectorIndex']);

    const outcome = onboardTenant(fakes, GLOBEX, 'ops-1');

    await expect(outcome).rejects.toBe(errors.get('createFirstAdmin'));
    expect(steps).toEqual([
      'createTenant',
      'createVectorIndex',
      'createFirstAdmin',
      'deleteVectorIndex',
      'deleteTenant',
    ]);
    expect(logger.error).toHaveBeenCalledExactlyOnceWith('onboarding undo step failed', {
      step: 'deleteVectorIndex',
      errorName: 'Error',
    });
  });

  it('rethrows the index error, not the failed record deletion', async () => {
    const { fakes, steps, errors, logger } = dependencies(['createVectorIndex', 'deleteTenant']);

    await expect(onboardTenant(fakes, GLOBEX, 'ops-1')).rejects.toBe(errors.get('createVectorIndex'));
    expect(steps).toEqual(['createTenant', 'createVectorIndex', 'deleteTenant']);
    expect(logger.error).toHaveBeenCalledExactlyOnceWith('onboarding undo step failed', {
      step: 'deleteTenant',
      errorName: 'Error',
    });
  });

  it('undoes nothing and logs nothing when every step succeeds', async () => {
    const { fakes, steps, logger } = dependencies([]);

    await expect(onboardTenant(fakes, GLOBEX, 'ops-1')).resolves.toMatchObject({ tenantId: 'globex' });
    expect(steps).toEqual(['createTenant', 'createVectorIndex', 'createFirstAdmin']);
    expect(logger.error).not.toHaveBeenCalled();
  });
});

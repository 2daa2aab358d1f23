/**
 * Tenant onboarding. It stores the record (never overwriting one: TenantExistsError)
 * and then creates the tenant's vector index through a tenant session for the
 * NEW tenant, so even onboarding touches tenant data only as that tenant. If
 * the index cannot be created the record is removed again: a failed request
 * leaves nothing half-made behind.
 *
 * With a first admin, the admin is created after the index (the user directory invites them);
 * if that fails, the index and the record are removed again. Each undo step runs on its own (a
 * failed one is logged and the next still runs) and the ORIGINAL error is what the caller sees.
 *
 * Every tenant starts in the pool; a tenant whose tier lives in silos starts with its move to its
 * silo under way (`move`), which the placement job completes.
 */
import type { Logger } from '../observability/logger.js';
import { PLATFORM_TENANT_ID, type Tier } from '../tenancy/request-context.js';
import { TenantExistsError } from './errors.js';
import type { PlacementMove, TenantRecord, TenantSettings } from './tenant-record.js';
import type { TenantRegistry } from './tenant-registry.js';

/** A tenant to register, with any settings that replace its tier's defaults. */
export interface NewTenant extends TenantSettings {
  readonly tenantId: string;
  readonly name: string;
  readonly tier: Tier;
  /** The move the tenant's tier asks for (to its silo), started with the tenant. */
  readonly move?: PlacementMove;
}

export interface OnboardingDependencies {
  readonly registry: Pick<TenantRegistry, 'createTenant' | 'deleteTenant'>;
  /** Creates the tenant's vector index as (tenantId, operatorUserId). */
  createVectorIndex(tenantId: string, operatorUserId: string): Promise<void>;
  /** Removes the tenant's vector index again (a later step failed). */
  deleteVectorIndex(tenantId: string, operatorUserId: string): Promise<void>;
  /** Creates the tenant's first admin, when one was asked for. @default - none */
  createFirstAdmin?(tenantId: string): Promise<void>;
  /** Where a failed undo step is reported (by step and error name: no ids). */
  readonly logger: Logger;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

/** Runs every undo step, each on its own, logging the ones that fail; never throws. */
async function undo(logger: Logger, steps: Readonly<Record<string, () => Promise<void>>>): Promise<void> {
  for (const [step, run] of Object.entries(steps)) {
    try {
      await run();
    } catch (err) {
      logger.error('onboarding undo step failed', {
        step,
        errorName: err instanceof Error ? err.name : typeof err,
      });
    }
  }
}

/** Registers a tenant and provisions its vector index; returns the stored record. */
export async function onboardTenant(
  dependencies: OnboardingDependencies,
  tenant: NewTenant,
  operatorUserId: string,
): Promise<TenantRecord> {
  // The platform tenant is built in: it always exists, so it can never be onboarded.
  if (tenant.tenantId === PLATFORM_TENANT_ID) throw new TenantExistsError(tenant.tenantId);
  const now = dependencies.now ?? (() => new Date());
  const record: TenantRecord = { ...tenant, status: 'active', createdAt: now().toISOString() };
  await dependencies.registry.createTenant(record);
  try {
    await dependencies.createVectorIndex(tenant.tenantId, operatorUserId);
  } catch (err) {
    await undo(dependencies.logger, {
      deleteTenant: () => dependencies.registry.deleteTenant(tenant.tenantId),
    });
    throw err;
  }
  try {
    await dependencies.createFirstAdmin?.(tenant.tenantId);
  } catch (err) {
    await undo(dependencies.logger, {
      deleteVectorIndex: () => dependencies.deleteVectorIndex(tenant.tenantId, operatorUserId),
      deleteTenant: () => dependencies.registry.deleteTenant(tenant.tenantId),
    });
    throw err;
  }
  return record;
}

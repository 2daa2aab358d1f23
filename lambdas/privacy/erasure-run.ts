/**
 * One run of the tenant erasure job: every offboarding tenant whose grace period has ended is
 * claimed (from then on it cannot be cancelled) and erased through a tenant eraser session for
 * that tenant. One tenant's failure is logged and retried on the next run, where the erasure
 * resumes at the step it stopped in. Logs name tenants by their opaque tag only.
 */
import { DeleteSecretCommand, ResourceNotFoundException } from '@aws-sdk/client-secrets-manager';
import { dataPlaneOf, type ErasureConfig } from '../config.js';
import { describeError, type Logger } from '../observability/logger.js';
import type { OffboardingRecords } from '../registry/offboarding-records.js';
import type { TenantRecord } from '../registry/tenant-record.js';
import { ScopedObjectVersions } from '../tenancy/scoped-object-versions.js';
import { ScopedTable } from '../tenancy/scoped-table.js';
import { ScopedVectorIndex } from '../tenancy/scoped-vector-index.js';
import { siloResourceNames } from '../tenancy/silo-names.js';
import type { TenantSessions } from '../tenancy/tenant-session.js';
import { ErasureProgressSchema, eraseTenant } from './tenant-erasure.js';

/** The user id the eraser's sessions are tagged with. */
export const TENANT_ERASER_USER_ID = 'tenant-eraser';

export interface ErasureRunSummary {
  readonly due: number;
  readonly erased: number;
  readonly failed: number;
}

export interface ErasureRunDependencies {
  readonly config: ErasureConfig;
  readonly tenants: () => Promise<readonly TenantRecord[]>;
  readonly records: OffboardingRecords;
  readonly eraserSessions: TenantSessions;
  readonly tenantTag: (tenantId: string) => Promise<string>;
  readonly sign: (text: string) => Promise<{ signature: string; keyId: string }>;
  /** Starts deleting a silo tenant's silo stack (CloudFormation). */
  readonly deleteSiloStack: (tenantId: string) => Promise<void>;
  readonly logger: Logger;
  readonly now?: () => Date;
}

export async function eraseDueTenants(deps: ErasureRunDependencies): Promise<ErasureRunSummary> {
  const now = deps.now ?? (() => new Date());
  const offboarding = (await deps.tenants()).filter((tenant) => tenant.status === 'offboarding');
  let due = 0;
  let erased = 0;
  let failed = 0;
  for (const candidate of offboarding) {
    const tenantTag = await deps.tenantTag(candidate.tenantId);
    try {
      const tenant = await deps.records.claim(candidate.tenantId, now());
      if (tenant === undefined) continue;
      due += 1;
      const session = await deps.eraserSessions.sessionFor({
        tenantId: tenant.tenantId,
        userId: TENANT_ERASER_USER_ID,
        tenantTag,
      });
      const plane = dataPlaneOf(deps.config, session);
      const { stackName } = siloResourceNames(deps.config.siloNaming, tenant.tenantId);
      await eraseTenant({
        tenant,
        priceVersion: deps.config.models.prices.version,
        tableFor: (userId) =>
          new ScopedTable(session.dynamodb, plane.tableName, { tenantId: tenant.tenantId, userId }),
        objects: ScopedObjectVersions.of(session, plane.bucketName),
        index: ScopedVectorIndex.of(session, plane.vectorBucketName),
        deleteSecret: async (secretName) => {
          try {
            await session.secretsManager.send(
              new DeleteSecretCommand({ SecretId: secretName, ForceDeleteWithoutRecovery: true }),
            );
          } catch (err) {
            if (!(err instanceof ResourceNotFoundException)) throw err;
          }
        },
        records: {
          progress: () => deps.records.progress(tenant.tenantId, ErasureProgressSchema),
          saveProgress: (progress) => deps.records.saveProgress(tenant.tenantId, progress),
          deleteRoleAssignments: () => deps.records.deleteRoleAssignments(tenant.tenantId),
          finish: (receipt) => deps.records.finish(tenant.tenantId, receipt),
        },
        sign: deps.sign,
        ...(session.placement === 'silo'
          ? { silo: { stackName, delete: () => deps.deleteSiloStack(tenant.tenantId) } }
          : {}),
        now,
      });
      erased += 1;
      deps.logger.info('tenant erased', { tenantTag });
    } catch (err) {
      failed += 1;
      deps.logger.error('tenant erasure stopped; the next run resumes it', {
        tenantTag,
        ...describeError(err),
      });
    }
  }
  const summary = { due, erased, failed };
  deps.logger.info('tenant erasure run', summary);
  return summary;
}

/**
 * Lambda entry of the placement job, run every minute (EventBridge), one run at a time: carries
 * every tenant's move between the pool and its silo (lambdas/placement/placement-run.ts). Its role
 * may create, watch and delete silo stacks (CloudFormation acts with the silo deployer role), read
 * and write the control table and assume the tenant mover role; tenant data is reached only
 * through mover sessions, one tenant at a time.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import * as z from 'zod';
import { dataPlaneFor, readPlacementConfig } from '../config.js';
import { traced } from '../observability/aws-client-tracing.js';
import { jsonLogger } from '../observability/logger.js';
import {
  InvalidPlacementEventError,
  type PlacementRunSummary,
  runPlacements,
} from '../placement/placement-run.js';
import { SiloStacks } from '../placement/silo-stacks.js';
import { TENANT_MOVER_USER_ID, TenantPlane } from '../placement/tenant-plane.js';
import { monthsBetween } from '../privacy/user-erasure.js';
import { TenantRegistry } from '../registry/tenant-registry.js';
import { TenantIdSchema } from '../tenancy/key-layout.js';
import { tenantTagFor } from '../tenancy/request-context.js';
import { tenantTagKeyLoader } from '../tenancy/tenant-tag-key.js';
import { jobSessions } from './job-sessions.js';
import { scheduledTime } from './scheduled-event.js';

const config = readPlacementConfig();
const registry = new TenantRegistry(traced(new DynamoDBClient({})), config.controlTableName);
const moverSessions = jobSessions(config.tenantMoverRoleArn, config.tenantSessionSeconds, registry);
const stacks = new SiloStacks(traced(new CloudFormationClient({})), {
  naming: config.siloNaming,
  templateUrl: config.siloTemplateUrl,
  deployerRoleArn: config.siloDeployerRoleArn,
  accessLogsBucketName: config.accessLogsBucketName,
});
const tagKey = tenantTagKeyLoader(traced(new SecretsManagerClient({})), config.tenantTagSecretArn);

/**
 * An operator's own invocation may name one tenant (`{"tenantId": "acme"}`); the schedule names
 * none. A tenantId that is not a tenant id is refused: it never widens the run to every tenant.
 */
const PlacementEventSchema = z.object({ tenantId: TenantIdSchema.optional() });

export async function handler(event: unknown): Promise<PlacementRunSummary> {
  const now = scheduledTime(event);
  const parsed = PlacementEventSchema.safeParse(event);
  if (!parsed.success)
    throw new InvalidPlacementEventError('the event names no valid tenant id', { cause: parsed.error });
  const { tenantId } = parsed.data;
  const tenantTag = async (tenantId: string) => tenantTagFor(tenantId, await tagKey());
  return runPlacements({
    tenants: async () => {
      if (tenantId === undefined) return registry.listTenants();
      const tenant = await registry.getTenant(tenantId);
      return tenant === undefined ? [] : [tenant];
    },
    registry,
    stacks,
    planeOf: async (tenant, placement) => {
      const session = await moverSessions.sessionFor({
        tenantId: tenant.tenantId,
        userId: TENANT_MOVER_USER_ID,
        tenantTag: await tenantTag(tenant.tenantId),
      });
      const months = monthsBetween(new Date(tenant.createdAt), now);
      return TenantPlane.of(session, dataPlaneFor(config, tenant.tenantId, placement), months);
    },
    tenantTag,
    settleMs: config.registrySettleSeconds * 1000,
    logger: jsonLogger,
    now: () => now,
  });
}

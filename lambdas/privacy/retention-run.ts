/**
 * One run of the retention job: for every tenant not being offboarded, expires the documents
 * older than its retention (document-retention.ts), as of the scheduled event's time. It acts
 * through tenant sessions — as a tenant admin named `retention-job` for shared documents and as
 * each member for their private ones — so the tenant role's grants and the audit trail apply as
 * to any delete. One tenant's failure is logged and retried on the next run.
 */
import { describeError, type Logger } from '../observability/logger.js';
import { documentsFor, type WorkspaceRuntime } from '../routes/workspace.js';
import type { ServiceRuntime } from '../service-runtime.js';
import { type RequestContext, type Role, requestContext } from '../tenancy/request-context.js';
import { expireDocuments } from './document-retention.js';
import { retentionFor } from './retention.js';
import { membersOf } from './tenant-members.js';

/** The user id the retention job acts as in a tenant's shared space. */
export const RETENTION_USER_ID = 'retention-job';
const DAY_MS = 86_400_000;

export interface RetentionRunSummary {
  readonly tenants: number;
  readonly documentsExpired: number;
  readonly failed: number;
}

export async function applyRetention(
  runtime: WorkspaceRuntime & Pick<ServiceRuntime, 'registry' | 'tenantTag'>,
  now: Date,
  logger: Logger,
): Promise<RetentionRunSummary> {
  // A tenant moving between pool and silo is left for the next run: a copy must not lose what it read.
  const tenants = (await runtime.registry.listTenants()).filter(
    (tenant) => tenant.status !== 'offboarding' && tenant.move === undefined,
  );
  let documentsExpired = 0;
  let failed = 0;
  for (const tenant of tenants) {
    const tenantTag = await runtime.tenantTag(tenant.tenantId);
    const contextOf = (userId: string, roles: Role[]): RequestContext =>
      requestContext({
        tenantId: tenant.tenantId,
        userId,
        roles,
        tier: tenant.tier,
        requestId: `retention-${now.getTime()}`,
        tenantTag,
      });
    try {
      const job = contextOf(RETENTION_USER_ID, ['admin']);
      const cutoff = new Date(now.getTime() - retentionFor(tenant).documentsDays * DAY_MS);
      const { userIds } = await membersOf(await runtime.table(job));
      documentsExpired += await expireDocuments(
        {
          shared: await documentsFor(runtime, { context: job, logger }),
          memberIds: userIds.filter((userId) => userId !== RETENTION_USER_ID),
          forMember: (userId) => documentsFor(runtime, { context: contextOf(userId, ['reader']), logger }),
        },
        cutoff,
      );
    } catch (err) {
      failed += 1;
      logger.error('retention stopped for a tenant; the next run retries it', {
        tenantTag,
        ...describeError(err),
      });
    }
  }
  const summary = { tenants: tenants.length, documentsExpired, failed };
  logger.info('retention run', summary);
  return summary;
}

/**
 * One run of the audit digester over every registered tenant: each tenant's trail is read and
 * its digest signed through that tenant's own audit writer session. One tenant's failure is
 * logged and does not stop the others; a refusal (a trail rewritten since its last digest) is
 * logged as an error to alarm on. Logs name tenants by their opaque tag only.
 */
import { describeError, type Logger } from '../observability/logger.js';
import type { AuditAccess } from './audit-access.js';
import type { AuditDigester } from './audit-digester.js';

/** The user id the digester's writer sessions are tagged with. */
export const DIGESTER_USER_ID = 'audit-digester';

export interface DigestRunSummary {
  readonly tenants: number;
  readonly signed: number;
  readonly unchanged: number;
  readonly refused: number;
  readonly failed: number;
}

export interface DigestRunDependencies {
  readonly tenantIds: () => Promise<readonly string[]>;
  /** The tenant's audit writer access and its opaque tag (for logs). */
  readonly accessFor: (tenantId: string) => Promise<{ access: AuditAccess; tenantTag: string }>;
  readonly digester: AuditDigester;
  readonly logger: Logger;
}

export async function digestAllTenants(deps: DigestRunDependencies): Promise<DigestRunSummary> {
  const tenantIds = await deps.tenantIds();
  const counts = { signed: 0, unchanged: 0, refused: 0, failed: 0 };
  for (const tenantId of tenantIds) {
    let tenantTag = '';
    try {
      const found = await deps.accessFor(tenantId);
      tenantTag = found.tenantTag;
      const { access } = found;
      const outcome = await deps.digester.digest({
        tenantId,
        trail: access.trail,
        table: access.table,
        store: access.digests,
      });
      counts[outcome] += 1;
      if (outcome === 'refused')
        deps.logger.error('audit trail changed since its last digest: not signed', { tenantTag });
    } catch (err) {
      counts.failed += 1;
      deps.logger.error('audit digest failed', { tenantTag, ...describeError(err) });
    }
  }
  const summary = { tenants: tenantIds.length, ...counts };
  deps.logger.info('audit digest run', summary);
  return summary;
}

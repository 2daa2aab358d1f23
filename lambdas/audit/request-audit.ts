/**
 * One request's view of its tenant's audit trail, with the two failure
 * policies, chosen per kind of event:
 *
 * - Data writes, data deletes and admin actions FAIL CLOSED. They span S3,
 *   vectors and tables (or the control table), so the write and its record
 *   cannot share one DynamoDB transaction; the record is appended FIRST, and a
 *   write whose record cannot be written never happens. If the write then
 *   fails, a `failed` record for the same request and resource follows (that
 *   one fails open: the write did not happen, there is nothing unaudited).
 * - Tool calls and access denials FAIL OPEN: they change nothing by
 *   themselves (a tool's own data write is audited as such), and refusing a
 *   denied caller must not depend on the audit store. A lost record is logged
 *   with the tenant tag and the event's kind and action.
 */
import type { Logger } from '../observability/logger.js';
import { errorNameOf } from '../observability/telemetry.js';
import type { RequestContext } from '../tenancy/request-context.js';
import type { AuditEvent } from './audit-chain.js';
import type { AuditTrail } from './audit-trail.js';

/** What data-changing domain modules need: an audited write. */
export interface DataAudit {
  /** Appends the record, then performs the write (fail closed). */
  write<T>(event: Omit<AuditEvent, 'outcome'>, perform: () => Promise<T>): Promise<T>;
}

/** What observers of tool calls and denials need: a record that never fails the request. */
export interface EventAudit {
  note(event: AuditEvent): Promise<void>;
}

export class RequestAudit implements DataAudit, EventAudit {
  constructor(
    private readonly trail: Pick<AuditTrail, 'append'>,
    private readonly context: Pick<RequestContext, 'userId' | 'requestId' | 'tenantTag'>,
    private readonly logger: Logger,
  ) {}

  async write<T>(event: Omit<AuditEvent, 'outcome'>, perform: () => Promise<T>): Promise<T> {
    await this.trail.append(this.context, { ...event, outcome: 'succeeded' });
    try {
      return await perform();
    } catch (err) {
      await this.note({ ...event, outcome: 'failed' });
      throw err;
    }
  }

  async note(event: AuditEvent): Promise<void> {
    try {
      await this.trail.append(this.context, event);
    } catch (err) {
      this.logger.error('audit append failed', {
        tenantTag: this.context.tenantTag,
        kind: event.kind,
        action: event.action,
        errorName: errorNameOf(err),
      });
    }
  }
}

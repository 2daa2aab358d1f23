/**
 * One request's view of its tenant's audit trail, with the two failure
 * policies, chosen per kind of event:
 *
 * - Data writes, data deletes and admin actions FAIL CLOSED. They span S3,
 *   vectors and tables (or the control table), so the write and its record
 *   cannot share one DynamoDB transaction; an `attempted` record is appended
 *   FIRST, and a write whose record cannot be written never happens. The
 *   outcome follows, linked by request id, kind, action and resource:
 *   `succeeded`, `refused` (a ClientError: e.g. the item does not exist) or
 *   `failed`. The outcome record fails open: the trail then shows an attempt
 *   without an outcome, never a success that did not happen.
 * - Tool calls and access denials FAIL OPEN: they change nothing by
 *   themselves (a tool's own data write is audited as such), and refusing a
 *   denied caller must not depend on the audit store. A lost record is logged
 *   with the tenant tag and the event's kind and action.
 *
 * The trail (and the audit writer session behind it) is opened on the first record, so a request
 * that records nothing — a read, a chat turn without tools — never asks STS for one.
 */
import { ClientError } from '../error-families.js';
import type { Logger } from '../observability/logger.js';
import { errorNameOf } from '../observability/telemetry.js';
import type { RequestContext } from '../tenancy/request-context.js';
import type { AuditEvent } from './audit-chain.js';
import type { AuditTrail } from './audit-trail.js';

/** What data-changing domain modules need: an audited write. */
export interface DataAudit {
  /** Appends the intent, performs the write (fail closed), then appends its outcome. */
  write<T>(event: Omit<AuditEvent, 'outcome'>, perform: () => Promise<T>): Promise<T>;
}

/** What observers of tool calls and denials need: a record that never fails the request. */
export interface EventAudit {
  note(event: AuditEvent): Promise<void>;
}

type Trail = Pick<AuditTrail, 'append'>;

export class RequestAudit implements DataAudit, EventAudit {
  #trail: Promise<Trail> | undefined;

  constructor(
    private readonly openTrail: () => Promise<Trail>,
    private readonly context: Pick<RequestContext, 'userId' | 'requestId' | 'tenantTag'>,
    private readonly logger: Logger,
  ) {}

  async write<T>(event: Omit<AuditEvent, 'outcome'>, perform: () => Promise<T>): Promise<T> {
    await this.#append({ ...event, outcome: 'attempted' });
    let result: T;
    try {
      result = await perform();
    } catch (err) {
      await this.note({ ...event, outcome: err instanceof ClientError ? 'refused' : 'failed' });
      throw err;
    }
    await this.note({ ...event, outcome: 'succeeded' });
    return result;
  }

  async note(event: AuditEvent): Promise<void> {
    try {
      await this.#append(event);
    } catch (err) {
      this.logger.error('audit append failed', {
        tenantTag: this.context.tenantTag,
        kind: event.kind,
        action: event.action,
        errorName: errorNameOf(err),
      });
    }
  }

  async #append(event: AuditEvent): Promise<void> {
    // One trail per request, opened once; a failed opening is tried again by the next record.
    this.#trail ??= this.openTrail().catch((err: unknown) => {
      this.#trail = undefined;
      throw err;
    });
    await (await this.#trail).append(this.context, event);
  }
}

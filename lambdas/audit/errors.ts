/** Errors of the audit trail. */
import { DependencyError } from '../error-families.js';

/** The chain head kept moving under concurrent appends; the append was not written. */
export class AuditAppendError extends DependencyError {
  readonly status = 503;
  readonly code = 'audit_busy';
  readonly retryAfterSeconds = 1;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'AuditAppendError';
  }
}

/** A stored audit record does not have the audit record shape. */
export class AuditRecordError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'AuditRecordError';
  }
}

/** Errors of the audit trail. */

/** The chain head kept moving under concurrent appends; the append was not written. */
export class AuditAppendError extends Error {
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

/** Errors of the guard-rail table. */

/**
 * A transaction was cancelled because another transaction was changing the
 * same item at that moment (not because a condition failed). Retrying is safe.
 */
export class TransactionConflictError extends Error {
  constructor(options?: ErrorOptions) {
    super('a concurrent transaction touched the same item', options);
    this.name = 'TransactionConflictError';
  }
}

/** Errors of the tenancy module (sessions and scoped clients). */
import { ClientError, DependencyError } from '../error-families.js';

/** The subject of a tenant session does not match the key-layout id patterns; STS is never asked. */
export class InvalidSessionSubjectError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'InvalidSessionSubjectError';
  }
}

/** STS answered without usable credentials. */
export class TenantSessionError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'TenantSessionError';
  }
}

/** A scoped client was asked for a key, attribute or metadata field it must not express. */
export class ScopedKeyError extends ClientError {
  readonly status = 400;
  readonly code = 'invalid_key';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ScopedKeyError';
  }
}

/**
 * A batch call still had unprocessed items after its retries: DynamoDB (or S3) gives them back
 * while it throttles, so it is a dependency fault (503 with `Retry-After`), not our bug.
 */
export class IncompleteBatchError extends DependencyError {
  readonly status = 503;
  readonly code = 'dependency_unavailable';
  readonly retryAfterSeconds = 2;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'IncompleteBatchError';
  }
}

/** The tenant tag secret could not be used. */
export class TenantTagKeyError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'TenantTagKeyError';
  }
}

/** The embedding model answered with a body that is not an embedding. */
export class EmbeddingResponseError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'EmbeddingResponseError';
  }
}

/**
 * A transaction was cancelled because another transaction was changing the
 * same item at that moment (not because a condition failed). Retrying is safe.
 */
export class TransactionConflictError extends DependencyError {
  readonly status = 503;
  readonly code = 'conflict';
  readonly retryAfterSeconds = 1;
  constructor(options?: ErrorOptions) {
    super('a concurrent transaction touched the same item', options);
    this.name = 'TransactionConflictError';
  }
}

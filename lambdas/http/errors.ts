/**
 * The HTTP layer's own refusals (request shape, routing, identity). Domain
 * modules raise their own ClientError or DependencyError subclasses;
 * `error-response.ts` is the one place that maps them to HTTP.
 */
import { ClientError } from '../error-families.js';

export class BadRequestError extends ClientError {
  readonly status = 400;
  readonly code = 'bad_request';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'BadRequestError';
  }
}

/** The request carries no usable identity (authorizer context missing or malformed). */
export class UnauthenticatedError extends ClientError {
  readonly status = 401;
  readonly code = 'unauthenticated';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'UnauthenticatedError';
  }
}

export class ForbiddenError extends ClientError {
  readonly status = 403;
  readonly code = 'forbidden';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ForbiddenError';
  }
}

export class RouteNotFoundError extends ClientError {
  readonly status = 404;
  readonly code = 'not_found';
  constructor(method: string, path: string) {
    super(`no route for ${method} ${path}`);
    this.name = 'RouteNotFoundError';
  }
}

export class MethodNotAllowedError extends ClientError {
  readonly status = 405;
  readonly code = 'method_not_allowed';
  constructor(
    method: string,
    readonly allowed: readonly string[],
  ) {
    super(`method ${method} is not allowed here; allowed: ${allowed.join(', ')}`);
    this.name = 'MethodNotAllowedError';
  }
}

/** The body is not JSON (`Content-Type` other than application/json). */
export class UnsupportedMediaTypeError extends ClientError {
  readonly status = 415;
  readonly code = 'unsupported_media_type';
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedMediaTypeError';
  }
}

export class InvalidIdempotencyKeyError extends ClientError {
  readonly status = 400;
  readonly code = 'invalid_idempotency_key';
  constructor() {
    super('Idempotency-Key must be 1–255 visible ASCII characters');
    this.name = 'InvalidIdempotencyKeyError';
  }
}

export class IdempotencyKeyReusedError extends ClientError {
  readonly status = 422;
  readonly code = 'idempotency_key_reused';
  constructor(options?: ErrorOptions) {
    super('this Idempotency-Key was used for a different request', options);
    this.name = 'IdempotencyKeyReusedError';
  }
}

export class IdempotencyInProgressError extends ClientError {
  readonly status = 409;
  readonly code = 'idempotency_in_progress';
  /** Seconds a retry should wait while the first request with its key is still running. */
  override readonly retryAfterSeconds = 2;
  constructor(options?: ErrorOptions) {
    super('a request with this Idempotency-Key is still running; retry after Retry-After seconds', options);
    this.name = 'IdempotencyInProgressError';
  }
}

export class InvalidCursorError extends ClientError {
  readonly status = 400;
  readonly code = 'invalid_cursor';
  constructor() {
    super('the cursor was not issued for this query');
    this.name = 'InvalidCursorError';
  }
}

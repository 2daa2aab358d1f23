/**
 * Errors that carry their HTTP meaning. Domain modules raise their own typed
 * errors; `error-response.ts` is the one place that maps either kind to HTTP.
 */
export abstract class HttpError extends Error {
  abstract readonly status: number;
  abstract readonly code: string;
}

export class BadRequestError extends HttpError {
  readonly status = 400;
  readonly code = 'bad_request';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'BadRequestError';
  }
}

/** The request carries no usable identity (authorizer context missing or malformed). */
export class UnauthenticatedError extends HttpError {
  readonly status = 401;
  readonly code = 'unauthenticated';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'UnauthenticatedError';
  }
}

export class ForbiddenError extends HttpError {
  readonly status = 403;
  readonly code = 'forbidden';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ForbiddenError';
  }
}

export class RouteNotFoundError extends HttpError {
  readonly status = 404;
  readonly code = 'not_found';
  constructor(method: string, path: string) {
    super(`no route for ${method} ${path}`);
    this.name = 'RouteNotFoundError';
  }
}

export class MethodNotAllowedError extends HttpError {
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

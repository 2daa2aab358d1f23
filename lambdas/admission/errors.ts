/** Errors of admission control (budgets, rate, token and in-flight limits); error-response.ts maps them to HTTP. */
import { ClientError } from '../error-families.js';

/** The tenant's monthly budget cannot cover the call's maximum cost (HTTP 402 `budget_exceeded`). */
export class BudgetExceededError extends ClientError {
  readonly status = 402;
  readonly code = 'budget_exceeded';
  constructor(options?: ErrorOptions) {
    super("the tenant's monthly model budget is exhausted", options);
    this.name = 'BudgetExceededError';
  }
}

/** A per-minute window of the user or the tenant refused the request (HTTP 429 with `Retry-After`). */
abstract class WindowLimitError extends ClientError {
  readonly status = 429;
  constructor(
    readonly scope: 'tenant' | 'user',
    /** Whole seconds until the window can have room again (≥ 1). */
    override readonly retryAfterSeconds: number,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`${message}; retry in ${retryAfterSeconds} s`, options);
  }
}

/** A request rate limit refused the request (HTTP 429 `rate_limited` with `Retry-After`). */
export class RateLimitedError extends WindowLimitError {
  readonly code = 'rate_limited';
  constructor(scope: 'tenant' | 'user', retryAfterSeconds: number, options?: ErrorOptions) {
    super(scope, retryAfterSeconds, `too many requests for this ${scope}`, options);
    this.name = 'RateLimitedError';
  }
}

/** The window's model tokens are used up (HTTP 429 `token_rate_limited` with `Retry-After`). */
export class TokenRateLimitedError extends WindowLimitError {
  readonly code = 'token_rate_limited';
  constructor(scope: 'tenant' | 'user', retryAfterSeconds: number, options?: ErrorOptions) {
    super(scope, retryAfterSeconds, `this ${scope}'s model tokens per minute are used up`, options);
    this.name = 'TokenRateLimitedError';
  }
}

/**
 * The budget's room is held by calls in flight, whose holds will settle to
 * less than they reserved (HTTP 429 `budget_held` with `Retry-After`): the
 * budget is not spent yet.
 */
export class BudgetHeldError extends ClientError {
  readonly status = 429;
  readonly code = 'budget_held';
  constructor(
    override readonly retryAfterSeconds: number,
    options?: ErrorOptions,
  ) {
    super("the tenant's remaining budget is held by calls in progress; retry shortly", options);
    this.name = 'BudgetHeldError';
  }
}

/**
 * The tenant has as many requests in flight as it may (HTTP 429 `too_many_in_flight` with
 * `Retry-After`). Slots free as requests end (a chat turn takes seconds): ask again soon.
 */
export class InFlightLimitedError extends ClientError {
  readonly status = 429;
  readonly code = 'too_many_in_flight';
  override readonly retryAfterSeconds = 1;
  constructor(options?: ErrorOptions) {
    super('the tenant has too many requests in flight; retry in 1 s', options);
    this.name = 'InFlightLimitedError';
  }
}

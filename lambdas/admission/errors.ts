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

/** A rate limit refused the request (HTTP 429 `rate_limited` with `Retry-After`). */
export class RateLimitedError extends ClientError {
  readonly status = 429;
  readonly code = 'rate_limited';
  constructor(
    readonly scope: 'tenant' | 'user',
    /** Whole seconds until the window that refused the request ends (≥ 1). */
    override readonly retryAfterSeconds: number,
    options?: ErrorOptions,
  ) {
    super(`too many requests for this ${scope}; retry in ${retryAfterSeconds} s`, options);
    this.name = 'RateLimitedError';
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

/** The window's model tokens are used up (HTTP 429 `token_rate_limited` with `Retry-After`). */
export class TokenRateLimitedError extends ClientError {
  readonly status = 429;
  readonly code = 'token_rate_limited';
  constructor(
    readonly scope: 'tenant' | 'user',
    /** Whole seconds until the window can have room again (≥ 1). */
    override readonly retryAfterSeconds: number,
    options?: ErrorOptions,
  ) {
    super(`this ${scope}'s model tokens per minute are used up; retry in ${retryAfterSeconds} s`, options);
    this.name = 'TokenRateLimitedError';
  }
}

/** The tenant has as many requests in flight as it may (HTTP 429 `too_many_in_flight` with `Retry-After`). */
export class InFlightLimitedError extends ClientError {
  readonly status = 429;
  readonly code = 'too_many_in_flight';
  constructor(
    override readonly retryAfterSeconds: number,
    options?: ErrorOptions,
  ) {
    super(`the tenant has too many requests in flight; retry in ${retryAfterSeconds} s`, options);
    this.name = 'InFlightLimitedError';
  }
}

/** Errors of the resilience module. */
import { DependencyError } from '../error-families.js';

/** Every model (primary and fallbacks) stayed throttled or failing (HTTP 503 with `Retry-After`). */
export class ModelUnavailableError extends DependencyError {
  readonly status = 503;
  readonly code = 'model_unavailable';
  constructor(
    /** Whole seconds a client should wait before trying again. */
    readonly retryAfterSeconds: number,
    options?: ErrorOptions,
  ) {
    super('the model is unavailable; retry shortly', options);
    this.name = 'ModelUnavailableError';
  }
}

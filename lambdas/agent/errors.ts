/** Errors of the agent module. */
import { DependencyError } from '../error-families.js';

/** The request's time budget ran out before the agent could answer. */
export class AgentDeadlineError extends DependencyError {
  readonly status = 504;
  readonly code = 'deadline_exceeded';
  readonly retryAfterSeconds = 5;
  constructor(options?: ErrorOptions) {
    super('the agent ran out of time', options);
    this.name = 'AgentDeadlineError';
  }
}

/** The model answered with something the agent cannot use. */
export class ModelResponseError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ModelResponseError';
  }
}

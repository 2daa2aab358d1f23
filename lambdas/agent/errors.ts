/** Errors of the agent module. */
import { ClientError, DependencyError } from '../error-families.js';

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

export class ApprovalNotFoundError extends ClientError {
  readonly status = 404;
  readonly code = 'not_found';
  constructor() {
    super('approval not found');
    this.name = 'ApprovalNotFoundError';
  }
}

/** Decided already, or expired: a decision is single-use. */
export class ApprovalClosedError extends ClientError {
  readonly status = 409;
  readonly code = 'approval_closed';
  constructor(why: 'decided' | 'expired') {
    super(why === 'decided' ? 'this approval was already decided' : 'this approval has expired');
    this.name = 'ApprovalClosedError';
  }
}

/** A tenant admin chose a chat model the platform does not grant. */
export class ModelNotAllowedError extends ClientError {
  readonly status = 422;
  readonly code = 'model_not_allowed';
  constructor(allowed: readonly string[]) {
    super(`the model must be one of: ${allowed.join(', ')}`);
    this.name = 'ModelNotAllowedError';
  }
}

/** Errors of the conversations module. */
import { ClientError } from '../error-families.js';

/** The session does not exist among the caller's own sessions (other users' sessions are not addressable). */
export class SessionNotFoundError extends ClientError {
  readonly status = 404;
  readonly code = 'not_found';
  constructor() {
    super('session not found');
    this.name = 'SessionNotFoundError';
  }
}

/** Errors of the conversations module. */

/** The session does not exist among the caller's own sessions (other users' sessions are not addressable). */
export class SessionNotFoundError extends Error {
  constructor() {
    super('session not found');
    this.name = 'SessionNotFoundError';
  }
}

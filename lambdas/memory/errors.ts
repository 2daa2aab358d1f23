/** Errors of the long-term memory module. */

/** The fact does not exist in the caller's own memory (other users' facts are not addressable). */
export class FactNotFoundError extends Error {
  constructor() {
    super('memory fact not found');
    this.name = 'FactNotFoundError';
  }
}

/** Errors of the long-term memory module. */
import { ClientError } from '../error-families.js';

/** The fact does not exist in the caller's own memory (other users' facts are not addressable). */
export class FactNotFoundError extends ClientError {
  readonly status = 404;
  readonly code = 'not_found';
  constructor() {
    super('memory fact not found');
    this.name = 'FactNotFoundError';
  }
}

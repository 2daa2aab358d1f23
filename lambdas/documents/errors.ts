/** Errors of the documents module. */
import { ClientError } from '../error-families.js';

/** No document with that id is visible to the caller (other users' private documents are not addressable). */
export class DocumentNotFoundError extends ClientError {
  readonly status = 404;
  readonly code = 'not_found';
  constructor() {
    super('document not found');
    this.name = 'DocumentNotFoundError';
  }
}

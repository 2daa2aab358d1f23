/** Errors of authorization. */
import { ClientError } from '../error-families.js';

/** The caller's roles (or tenant) do not allow the action (HTTP 403 `forbidden`; audited as a denial). */
export class ActionRefusedError extends ClientError {
  readonly status = 403;
  readonly code = 'forbidden';
  constructor(message: string) {
    super(message);
    this.name = 'ActionRefusedError';
  }
}

/** Errors of the auth module. */

/** The bearer token is missing, unverifiable or carries unusable claims. */
export class InvalidTokenError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'InvalidTokenError';
  }
}

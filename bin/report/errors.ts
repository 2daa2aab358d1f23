/** Errors of the cost-report CLI; each carries the process exit code it ends with. */

/** The command line or environment is incomplete or wrong (exit 2). */
export class UsageError extends Error {
  readonly exitCode = 2;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'UsageError';
  }
}

/** The API refused the token: 401 (not signed in) or 403 (not an operator) (exit 2). */
export class ApiRefusedError extends Error {
  readonly exitCode = 2;
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiRefusedError';
  }
}

/** The API could not be reached, failed, or answered something unexpected (exit 1). */
export class ApiFailedError extends Error {
  readonly exitCode = 1;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ApiFailedError';
  }
}

/** The CUR export cannot be read, or is not a CUR 2.0 export (exit 2). */
export class CurExportError extends Error {
  readonly exitCode = 2;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'CurExportError';
  }
}

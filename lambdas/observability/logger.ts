/**
 * Structured JSON logs to stdout (CloudWatch in Lambda, the terminal locally),
 * in Powertools' format — the same as per-request telemetry, so a log group
 * holds one format.
 *
 * Callers pass the opaque tenant tag, never raw tenant or user ids, prompts or
 * document text (DESIGN invariant 6).
 */
import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';

/** The functions' service name in logs, metrics and traces. */
export const SERVICE_NAME = 'bulkhead';

export type LogFields = Readonly<Record<string, string | number | boolean | undefined>>;

export interface Logger {
  info(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

const platformLog = new PowertoolsLogger({ serviceName: SERVICE_NAME });

/** The default logger: for what happens before a request's tenant is known (the authorizer, early refusals). */
export const jsonLogger: Logger = {
  info: (message, fields) => platformLog.info(message, { ...fields }),
  error: (message, fields) => platformLog.error(message, { ...fields }),
};

/** Rewrites text before it is logged (e.g. replaces raw ids with the opaque tenant tag). */
export type Redactor = (text: string) => string;

const keepText: Redactor = (text) => text;

/** Name, message and stack of an unknown thrown value, for logs. */
export function describeError(err: unknown, redact: Redactor = keepText): LogFields {
  if (err instanceof Error) {
    return {
      errorName: err.name,
      errorMessage: redact(err.message),
      errorStack: err.stack === undefined ? undefined : redact(err.stack),
    };
  }
  return { errorName: typeof err, errorMessage: redact(String(err)) };
}

/**
 * SDK error messages can quote ARNs and keys that contain raw ids; this
 * redactor swaps them for the tenant tag and a placeholder before logging.
 */
export function redactIdentity(identity: { tenantId: string; userId: string; tenantTag: string }): Redactor {
  return (text) =>
    text.replaceAll(identity.tenantId, identity.tenantTag).replaceAll(identity.userId, '<user>');
}

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

/** Identifiers a request names besides the caller's own (an admin route's target tenant or user). */
export interface NamedIdentifiers {
  readonly tenantIds?: readonly string[];
  readonly userIds?: readonly string[];
}

export const TENANT_PLACEHOLDER = '<tenant>';
export const USER_PLACEHOLDER = '<user>';
/** Characters an id may contain: a whole-id match must not continue into them on either side. */
const ID_CHARACTER = '[A-Za-z0-9._@:+=-]';
const TENANT_ID = '[a-z0-9][a-z0-9-]{1,61}[a-z0-9]';
/** Shorter ids are common words and letters: they are redacted only where a key or quote delimits them. */
const MIN_FREE_TEXT_ID = 3;

const escaped = (value: string): string => value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function wholeIds(ids: readonly string[]): RegExp | undefined {
  const usable = [...new Set(ids)].filter((id) => id.length >= MIN_FREE_TEXT_ID);
  if (usable.length === 0) return undefined;
  const longestFirst = usable.sort((a, b) => b.length - a.length).map(escaped);
  return new RegExp(`(?<!${ID_CHARACTER})(?:${longestFirst.join('|')})(?!${ID_CHARACTER})`, 'g');
}

function quotedIds(ids: readonly string[]): RegExp | undefined {
  const short = [...new Set(ids)].filter((id) => id.length < MIN_FREE_TEXT_ID).map(escaped);
  return short.length === 0 ? undefined : new RegExp(`(["'])(?:${short.join('|')})\\1`, 'g');
}

/**
 * SDK error messages can quote keys, ARNs and ids; this redactor rewrites a
 * text before it is logged, in two layers:
 *
 * - by STRUCTURE, for any id at all (a target tenant of an admin route too):
 *   the tenant of a key (`<t>#t#`, `<t>#u#`, `<t>#a#`), the user of a private key
 *   (`#u#<u>#`), S3 prefixes (`tenants/<t>/`, `users/<u>/`) and vector index
 *   names (`index/<t>`);
 * - by VALUE, the caller's and the request's named ids as whole ids (never
 *   inside a longer token, so `al` in `always` stays). Ids shorter than three
 *   characters (a user called `a`) are common letters and words: they are
 *   replaced only when quoted, so log lines are never mangled.
 *
 * The caller's tenant becomes its tag; every other tenant `<tenant>`; users `<user>`.
 */
export function redactIdentity(
  identity: { tenantId: string; userId: string; tenantTag: string },
  named: NamedIdentifiers = {},
): Redactor {
  const tenantIds = [identity.tenantId, ...(named.tenantIds ?? [])];
  const userIds = [identity.userId, ...(named.userIds ?? [])];
  const tenantLabel = (id: string) => (id === identity.tenantId ? identity.tenantTag : TENANT_PLACEHOLDER);
  const tenantValues = wholeIds(tenantIds);
  const userValues = wholeIds(userIds.filter((id) => !tenantIds.includes(id)));
  const quotedUsers = quotedIds(userIds);
  return (text) => {
    let out = text
      .replace(
        new RegExp(`(?<!${ID_CHARACTER})(${TENANT_ID})(#[tua]#)`, 'g'),
        (_m, id: string, marker: string) => `${tenantLabel(id)}${marker}`,
      )
      .replace(/#u#[^#\s"'\\]+#/g, `#u#${USER_PLACEHOLDER}#`)
      .replace(new RegExp(`tenants/(${TENANT_ID})/`, 'g'), (_m, id: string) => `tenants/${tenantLabel(id)}/`)
      .replace(/users\/[^/\s"'\\]+\//g, `users/${USER_PLACEHOLDER}/`)
      .replace(
        new RegExp(`index/(${TENANT_ID})(?!${ID_CHARACTER})`, 'g'),
        (_m, id: string) => `index/${tenantLabel(id)}`,
      );
    if (tenantValues !== undefined) out = out.replace(tenantValues, (id) => tenantLabel(id));
    if (userValues !== undefined) out = out.replace(userValues, USER_PLACEHOLDER);
    if (quotedUsers !== undefined)
      out = out.replace(quotedUsers, (_m, quote: string) => `${quote}${USER_PLACEHOLDER}${quote}`);
    return out;
  };
}

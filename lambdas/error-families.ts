/**
 * The two families of errors that carry their HTTP meaning (STYLE 19). Domain
 * modules raise subclasses with a status and a stable code; the one mapping in
 * `http/error-response.ts` reads them, so it is one lookup, not a chain of
 * `instanceof` over every module. Anything else that escapes a handler is
 * either a recognised dependency fault (503/504) or our bug (500).
 */

/** The caller's fault (4xx): the request changes nothing and may not be retried as is. */
export abstract class ClientError extends Error {
  abstract readonly status: number;
  abstract readonly code: string;
  /** Sent as `Retry-After` (seconds) for refusals that pass with time (429). */
  readonly retryAfterSeconds?: number;
}

/** A dependency is down, throttling or slow: 503 (504 for a timeout), always with `Retry-After`. */
export abstract class DependencyError extends Error {
  abstract readonly status: 503 | 504;
  abstract readonly code: string;
  abstract readonly retryAfterSeconds: number;
}

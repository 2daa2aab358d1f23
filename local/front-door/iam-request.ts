/** What the front door asks IAM about one request, and the request as the front door sees it. */
import type { IncomingHttpHeaders } from 'node:http';
import { isRecord } from '../../lambdas/is-record.js';

/** One authorization question: may the principal do `action` on `resource` with these context keys? */
export interface IamRequest {
  readonly action: string;
  readonly resource: string;
  readonly context: Readonly<Record<string, string | readonly string[]>>;
}

/** A signed request after the body has been read. */
export interface ParsedRequest {
  readonly method: string;
  /** The request target exactly as received (path and query). */
  readonly rawUrl: string;
  /** The path exactly as received (still percent-encoded), without the query string. */
  readonly rawPath: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** Thrown when a request cannot be mapped to IAM actions; the front door denies it (fail closed). */
export class UnrecognizedRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnrecognizedRequestError';
  }
}

/** Parses a JSON object body or refuses the request. */
export function jsonObjectBody(request: ParsedRequest): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(request.body.length === 0 ? '{}' : request.body.toString('utf8'));
  } catch {
    throw new UnrecognizedRequestError('body is not JSON');
  }
  if (!isRecord(value)) throw new UnrecognizedRequestError('body is not a JSON object');
  return value;
}

/** A single header value (first one if repeated). */
export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The gateway's side of a STREAM integration: turns the bytes a streaming function writes into
 * the HTTP response as they arrive. With the http-integration content type, the bytes up to 8
 * NUL bytes are the JSON prelude (`statusCode`, `headers`, `multiValueHeaders`, `cookies`) and
 * the rest is the body; any other content type is a 200 with that type.
 */
import type { ServerResponse } from 'node:http';
import { isRecord } from '../../lambdas/is-record.js';
import {
  HTTP_INTEGRATION_CONTENT_TYPE,
  PRELUDE_DELIMITER_LENGTH,
  type ResponseStreamSink,
} from './response-streaming.js';

/** The function's stream broke the integration protocol (e.g. a prelude that is not JSON). */
export class StreamedResponseError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'StreamedResponseError';
  }
}

const DELIMITER = Buffer.alloc(PRELUDE_DELIMITER_LENGTH);

export class StreamedResponseWriter implements ResponseStreamSink {
  private state: 'waiting' | 'prelude' | 'body' | 'broken' = 'waiting';
  private prelude = Buffer.alloc(0);
  private failure: StreamedResponseError | undefined;

  constructor(
    private readonly outgoing: ServerResponse,
    private readonly requestId: string,
  ) {}

  /** True once the status line went out: after that, a failure can only cut the response short. */
  get started(): boolean {
    return this.outgoing.headersSent;
  }

  head(contentType: string): void {
    if (contentType === HTTP_INTEGRATION_CONTENT_TYPE) {
      this.state = 'prelude';
      return;
    }
    this.outgoing.writeHead(200, { 'content-type': contentType, 'x-amzn-requestid': this.requestId });
    this.state = 'body';
  }

  chunk(bytes: Uint8Array): void {
    if (this.state === 'body') {
      this.outgoing.write(bytes);
      return;
    }
    if (this.state === 'broken') return;
    this.prelude = Buffer.concat([this.prelude, bytes]);
    const end = this.prelude.indexOf(DELIMITER);
    if (end < 0) return;
    try {
      this.writeHead(this.prelude.subarray(0, end));
    } catch (err) {
      // Reported by finish(): chunks arrive in an event handler, where a throw would go nowhere useful.
      this.failure = err instanceof StreamedResponseError ? err : new StreamedResponseError(String(err));
      this.state = 'broken';
      return;
    }
    this.state = 'body';
    const rest = this.prelude.subarray(end + PRELUDE_DELIMITER_LENGTH);
    if (rest.length > 0) this.outgoing.write(rest);
  }

  /** The function ended its response. */
  finish(): void {
    if (this.failure !== undefined) throw this.failure;
    if (this.state !== 'body') throw new StreamedResponseError('the stream ended before its prelude did');
    this.outgoing.end();
  }

  /** The function failed after the response started: cut it short, as a broken stream. */
  abort(): void {
    this.outgoing.destroy();
  }

  private writeHead(preludeBytes: Buffer): void {
    let prelude: unknown;
    try {
      prelude = JSON.parse(preludeBytes.toString('utf8'));
    } catch (err) {
      throw new StreamedResponseError('the response prelude is not JSON', { cause: err });
    }
    if (!isRecord(prelude)) throw new StreamedResponseError('the response prelude is not a JSON object');
    const statusCode = typeof prelude.statusCode === 'number' ? prelude.statusCode : 200;
    const headers: Record<string, string | string[]> = {};
    if (isRecord(prelude.multiValueHeaders)) {
      for (const [name, values] of Object.entries(prelude.multiValueHeaders)) {
        if (Array.isArray(values)) headers[name] = values.map(String);
      }
    }
    if (isRecord(prelude.headers)) {
      for (const [name, value] of Object.entries(prelude.headers)) headers[name] = String(value);
    }
    if (Array.isArray(prelude.cookies) && prelude.cookies.length > 0) {
      headers['set-cookie'] = prelude.cookies.map(String);
    }
    this.outgoing.writeHead(statusCode, { ...headers, 'x-amzn-requestid': this.requestId });
  }
}

/**
 * Lambda response streaming, as the Node.js runtime provides it, for the function workers:
 *
 * - the `awslambda` global with `streamifyResponse(handler)`, which marks the handler with the
 *   runtime's own symbol (the handler then receives `(event, responseStream, context)`), and
 *   `HttpResponseStream.from(stream, prelude)`, which sets the content type
 *   `application/vnd.awslambda.http-integration-response` and writes the JSON prelude
 *   (`statusCode`, `headers`, `cookies`) and 8 NUL bytes before the first body byte;
 * - the response stream itself: a Writable whose bytes go to a sink as they are written.
 *
 * Mirrors aws-lambda-nodejs-runtime-interface-client (UserFunction.js, HttpResponseStream.js).
 */
import { Writable } from 'node:stream';

export const HTTP_INTEGRATION_CONTENT_TYPE = 'application/vnd.awslambda.http-integration-response';
/** The runtime's default when a handler never calls setContentType. */
export const DEFAULT_STREAM_CONTENT_TYPE = 'application/octet-stream';
export const PRELUDE_DELIMITER_LENGTH = 8;
const HANDLER_STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');
const STREAM_RESPONSE = 'response';

/** Where a response stream's bytes go: the content type once, before the first chunk; then chunks. */
export interface ResponseStreamSink {
  head(contentType: string): void;
  chunk(bytes: Uint8Array): void;
}

type WriteBytes = (bytes: string | Uint8Array) => void;

/** The `responseStream` a streaming handler writes to. */
export class LambdaResponseStream extends Writable {
  private contentType = DEFAULT_STREAM_CONTENT_TYPE;
  private started = false;
  /** Set by HttpResponseStream.from: writes the prelude before the first body byte. */
  onBeforeFirstWrite: ((write: WriteBytes) => void) | undefined;

  constructor(private readonly sink: ResponseStreamSink) {
    super();
  }

  setContentType(contentType: string): void {
    this.contentType = contentType;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.start();
    this.sink.chunk(chunk);
    callback();
  }

  /** An empty body still sends the content type and any prelude. */
  override _final(callback: (error?: Error | null) => void): void {
    this.start();
    callback();
  }

  private start(): void {
    if (this.started) return;
    this.started = true;
    this.sink.head(this.contentType);
    this.onBeforeFirstWrite?.((bytes) =>
      this.sink.chunk(typeof bytes === 'string' ? Buffer.from(bytes) : bytes),
    );
  }
}

/** `awslambda.HttpResponseStream`: only `from` is public, as in the runtime. */
const HttpResponseStream = {
  from(stream: Writable, prelude: Record<string, unknown>): Writable {
    if (!(stream instanceof LambdaResponseStream)) {
      throw new TypeError('HttpResponseStream.from expects the responseStream the handler was given');
    }
    stream.setContentType(HTTP_INTEGRATION_CONTENT_TYPE);
    // JSON.stringify never emits a raw NUL, so the delimiter cannot occur inside the prelude.
    const json = JSON.stringify(prelude);
    stream.onBeforeFirstWrite = (write) => {
      write(json);
      write(new Uint8Array(PRELUDE_DELIMITER_LENGTH));
    };
    return stream;
  },
};

function streamifyResponse<T extends object>(handler: T): T {
  Reflect.set(handler, HANDLER_STREAMING, STREAM_RESPONSE);
  return handler;
}

/** Installs the `awslambda` global every Node.js Lambda function sees (before its module loads). */
export function installAwsLambdaGlobal(): void {
  Reflect.set(globalThis, 'awslambda', { streamifyResponse, HttpResponseStream });
}

/** True when the handler was wrapped in `awslambda.streamifyResponse`. */
export function isStreamingHandler(handler: object): boolean {
  return Reflect.get(handler, HANDLER_STREAMING) === STREAM_RESPONSE;
}

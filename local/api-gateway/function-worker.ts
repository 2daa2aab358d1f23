/**
 * Runs inside a worker thread: one Lambda function with its own `process.env`. Installs the
 * `awslambda` global, imports the handler module (its init code runs once, as in a Lambda cold
 * start) and serves invocations — buffered (the handler's return value) or with response
 * streaming (the bytes the handler writes, sent on as they are written).
 */
import { finished } from 'node:stream/promises';
import { parentPort, workerData } from 'node:worker_threads';
import { installAwsLambdaGlobal, isStreamingHandler, LambdaResponseStream } from './response-streaming.js';

/** How the caller invokes: Invoke (buffered) or InvokeWithResponseStream (stream). */
export type InvokeMode = 'buffered' | 'stream';

export interface InvokeMessage {
  readonly id: number;
  readonly mode: InvokeMode;
  readonly event: unknown;
  readonly context: Record<string, unknown>;
  readonly timeoutMs: number;
}

export type WorkerReply =
  | { readonly id: number; readonly result: unknown }
  | { readonly id: number; readonly error: { readonly name: string; readonly message: string } }
  | { readonly id: number; readonly head: string }
  | { readonly id: number; readonly chunk: Uint8Array }
  | { readonly id: number; readonly end: true }
  | { readonly ready: true };

type Handler = (...args: unknown[]) => unknown;

const port = parentPort;
if (port === null) throw new Error('function-worker must run in a worker thread');
const { handlerUrl } = workerData as { handlerUrl: string };
installAwsLambdaGlobal();
const loaded: { handler?: unknown } = await import(handlerUrl);
const loadedHandler = loaded.handler;
if (typeof loadedHandler !== 'function') throw new Error(`${handlerUrl} exports no handler function`);
const handler = loadedHandler as Handler;
const streams = isStreamingHandler(handler);

const post = (reply: WorkerReply): void => port.postMessage(reply);
const postError = (id: number, err: unknown): void => {
  const error =
    err instanceof Error ? { name: err.name, message: err.message } : { name: 'Error', message: String(err) };
  post({ id, error });
};

port.on('message', (message: InvokeMessage) => {
  const deadline = Date.now() + message.timeoutMs;
  const context = { ...message.context, getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()) };
  const { id } = message;
  if (message.mode === 'stream' && !streams) {
    return postError(id, new Error('the route streams, but the handler is not awslambda.streamifyResponse'));
  }
  if (message.mode === 'buffered' && streams) {
    return postError(id, new Error('the handler streams, but the route is not a STREAM integration'));
  }
  if (message.mode === 'buffered') {
    Promise.resolve()
      .then(() => handler(message.event, context))
      .then(
        (result) => post({ id, result }),
        (err: unknown) => postError(id, err),
      );
    return;
  }
  const stream = new LambdaResponseStream({
    head: (contentType) => post({ id, head: contentType }),
    chunk: (bytes) => post({ id, chunk: bytes }),
  });
  Promise.resolve()
    .then(() => handler(message.event, stream, context))
    .then(async () => {
      // A handler that returns without ending its stream has finished its response.
      if (!stream.writableEnded) stream.end();
      await finished(stream);
      post({ id, end: true });
    })
    .catch((err: unknown) => {
      stream.destroy();
      postError(id, err);
    });
});
post({ ready: true });

/**
 * Runs inside a worker thread: one Lambda function with its own `process.env`. Imports the
 * handler module (its init code runs once, as in a Lambda cold start) and serves invocations.
 */
import { parentPort, workerData } from 'node:worker_threads';

export interface InvokeMessage {
  readonly id: number;
  readonly event: unknown;
  readonly context: Record<string, unknown>;
  readonly timeoutMs: number;
}

export type WorkerReply =
  | { readonly id: number; readonly result: unknown }
  | { readonly id: number; readonly error: { readonly name: string; readonly message: string } }
  | { readonly ready: true };

type Handler = (event: unknown, context: unknown) => Promise<unknown>;

const port = parentPort;
if (port === null) throw new Error('function-worker must run in a worker thread');
const { handlerUrl } = workerData as { handlerUrl: string };
const loaded: { handler?: unknown } = await import(handlerUrl);
const handler = loaded.handler;
if (typeof handler !== 'function') throw new Error(`${handlerUrl} exports no handler function`);

port.on('message', (message: InvokeMessage) => {
  const deadline = Date.now() + message.timeoutMs;
  const context = { ...message.context, getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()) };
  (handler as Handler)(message.event, context).then(
    (result) => port.postMessage({ id: message.id, result } satisfies WorkerReply),
    (err: unknown) => {
      const error =
        err instanceof Error
          ? { name: err.name, message: err.message }
          : { name: 'Error', message: String(err) };
      port.postMessage({ id: message.id, error } satisfies WorkerReply);
    },
  );
});
port.postMessage({ ready: true } satisfies WorkerReply);

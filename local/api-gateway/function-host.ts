/**
 * Hosts one Lambda function in a worker thread with ITS OWN environment (the template's
 * variables, the front-door endpoint, the region and its role's credentials), loading the
 * same TypeScript handler Lambda runs, through tsx. Invocations are buffered (`invoke`) or
 * with response streaming (`invokeStreaming`, bytes passed on as the handler writes them).
 * A host started for a tenant is one tenant-isolated execution environment: every invocation's
 * context carries that `tenantId`, as Lambda's tenant isolation mode does.
 */
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Worker } from 'node:worker_threads';
import { isRecord } from '../../lambdas/is-record.js';
import type { FunctionLogs, LogStream } from '../function-logs.js';
import { startTsxWorker } from '../tsx-worker.js';
import type { InvokeMessage, InvokeMode, WorkerReply } from './function-worker.js';
import type { ResponseStreamSink } from './response-streaming.js';

/** The Lambda invocation failed (the handler threw, or the function could not start). */
export class FunctionInvocationError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'FunctionInvocationError';
  }
}

const DEFAULT_TIMEOUT_MS = 30_000;
/** How many served API request ids a host remembers (enough for tests; bounded for `npm start`). */
const REMEMBERED_REQUESTS = 1000;

/** Where a function's stdout/stderr lines go: captured into `logs`, and echoed to this process's. */
export interface FunctionOutput {
  readonly logs: FunctionLogs;
  /** Also write each line to this process's stdout/stderr. */
  readonly echo: boolean;
}

export class FunctionHost {
  private nextId = 1;
  private readonly pending = new Map<
    number,
    { resolve: (value: unknown) => void; reject: (err: Error) => void; sink?: ResponseStreamSink }
  >();
  private startupError: Error | undefined;
  private readonly served: string[] = [];

  private constructor(
    private readonly worker: Worker,
    readonly functionName: string,
    /** The tenant this execution environment is bound to (tenant isolation mode), if any. */
    readonly tenantId: string | undefined,
  ) {
    worker.on('message', (reply: WorkerReply) => {
      if ('ready' in reply) return;
      const waiting = this.pending.get(reply.id);
      if ('head' in reply) return waiting?.sink?.head(reply.head);
      if ('chunk' in reply) return waiting?.sink?.chunk(reply.chunk);
      this.pending.delete(reply.id);
      if ('error' in reply)
        waiting?.reject(new FunctionInvocationError(`${reply.error.name}: ${reply.error.message}`));
      else waiting?.resolve('result' in reply ? reply.result : undefined);
    });
    worker.on('error', (err) => this.fail(err));
    worker.on('exit', (code) =>
      this.fail(new FunctionInvocationError(`function ${functionName} exited (${code})`)),
    );
  }

  /**
   * Starts the worker and waits until the handler module has loaded (its init code ran). With
   * `output`, the worker's stdout and stderr are captured line by line (else they are this
   * process's). With `tenantId`, the worker is that tenant's execution environment.
   */
  static start(
    functionName: string,
    handlerFile: string,
    environment: Record<string, string>,
    output?: FunctionOutput,
    tenantId?: string,
  ): Promise<FunctionHost> {
    const worker = startTsxWorker(fileURLToPath(new URL('./function-worker.ts', import.meta.url)), {
      env: environment,
      workerData: { handlerUrl: pathToFileURL(handlerFile).href },
      stdout: output !== undefined,
      stderr: output !== undefined,
    });
    if (output !== undefined) {
      captureLines(worker.stdout, 'stdout', process.stdout, functionName, output);
      captureLines(worker.stderr, 'stderr', process.stderr, functionName, output);
    }
    const host = new FunctionHost(worker, functionName, tenantId);
    return new Promise((resolve, reject) => {
      const onMessage = (reply: WorkerReply): void => {
        if (!('ready' in reply)) return;
        worker.off('message', onMessage);
        worker.off('error', onError);
        resolve(host);
      };
      const onError = (err: Error): void => {
        worker.off('message', onMessage);
        reject(
          new FunctionInvocationError(`function ${functionName} failed to start: ${err.message}`, {
            cause: err,
          }),
        );
      };
      worker.on('message', onMessage);
      worker.once('error', onError);
    });
  }

  /** The worker thread's id: tells execution environments apart. */
  get workerId(): number {
    return this.worker.threadId;
  }

  /** The API request ids (`requestContext.requestId`) of the invocations this host served, oldest first. */
  servedRequestIds(): readonly string[] {
    return this.served;
  }

  /** Invokes the handler with a Lambda-like context and returns its result (Invoke). */
  invoke(event: unknown, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<unknown> {
    return this.call('buffered', event, timeoutMs);
  }

  /**
   * Invokes a streaming handler (InvokeWithResponseStream): the sink gets the content type and
   * each chunk as the handler writes it; resolves when the handler has ended its response.
   */
  async invokeStreaming(
    event: unknown,
    sink: ResponseStreamSink,
    timeoutMs = DEFAULT_TIMEOUT_MS,
  ): Promise<void> {
    await this.call('stream', event, timeoutMs, sink);
  }

  private call(mode: InvokeMode, event: unknown, timeoutMs: number, sink?: ResponseStreamSink) {
    if (this.startupError !== undefined) return Promise.reject(this.startupError);
    const id = this.nextId++;
    const awsRequestId = randomUUID();
    const apiRequestId =
      isRecord(event) && isRecord(event.requestContext) ? event.requestContext.requestId : undefined;
    if (typeof apiRequestId === 'string') {
      this.served.push(apiRequestId);
      if (this.served.length > REMEMBERED_REQUESTS) this.served.shift();
    }
    const context = {
      awsRequestId,
      functionName: this.functionName,
      functionVersion: '$LATEST',
      invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${this.functionName}`,
      memoryLimitInMB: '1024',
      logGroupName: `/aws/lambda/${this.functionName}`,
      logStreamName: 'local',
      callbackWaitsForEmptyEventLoop: true,
      ...(this.tenantId === undefined ? {} : { tenantId: this.tenantId }),
    };
    return new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new FunctionInvocationError(`function ${this.functionName} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        reject: (err) => {
          clearTimeout(timer);
          reject(err);
        },
        ...(sink === undefined ? {} : { sink }),
      });
      this.worker.postMessage({ id, mode, event, context, timeoutMs } satisfies InvokeMessage);
    });
  }

  async stop(): Promise<void> {
    this.worker.removeAllListeners('exit');
    await this.worker.terminate();
  }

  private fail(err: Error): void {
    this.startupError =
      err instanceof FunctionInvocationError ? err : new FunctionInvocationError(err.message, { cause: err });
    for (const waiting of this.pending.values()) waiting.reject(this.startupError);
    this.pending.clear();
  }
}

function captureLines(
  source: Readable,
  stream: LogStream,
  echoTo: Writable,
  functionName: string,
  output: FunctionOutput,
): void {
  createInterface({ input: source, crlfDelay: Number.POSITIVE_INFINITY }).on('line', (line) => {
    output.logs.append(functionName, stream, line);
    if (output.echo) echoTo.write(`${line}\n`);
  });
}

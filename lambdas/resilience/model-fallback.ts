/**
 * The ONE retry layer for model calls: a transient failure (throttling, 429,
 * 5xx) is retried with full jitter a few times, then the next model in the
 * list (the tier's fallback) gets the same treatment, then the caller gets a
 * ModelUnavailableError (503 with Retry-After). The model client itself must
 * not retry (`maxAttempts: 1`), or attempts multiply across layers. All retry
 * state lives in this call: one tenant's throttling never slows another's.
 */
import { type BackoffPolicy, fullJitterDelay, type Random, realSleep, type Sleep } from './backoff.js';
import { dependencyFaultOf } from './dependency-faults.js';
import { ModelUnavailableError } from './errors.js';

export interface ModelRetryPolicy extends BackoffPolicy {
  /** Attempts per model, the first included. */
  readonly attemptsPerModel: number;
  /** The Retry-After given when every model failed. */
  readonly retryAfterSeconds: number;
}

export const DEFAULT_MODEL_RETRY_POLICY: ModelRetryPolicy = Object.freeze({
  attemptsPerModel: 3,
  baseDelayMs: 200,
  maxDelayMs: 2_000,
  retryAfterSeconds: 5,
});

export interface ModelFallbackOptions {
  /** @default DEFAULT_MODEL_RETRY_POLICY */
  readonly policy?: ModelRetryPolicy;
  /** @default setTimeout */
  readonly sleep?: Sleep;
  /** @default Math.random */
  readonly random?: Random;
  /** Stops retrying once aborted (the request's deadline); the last error is rethrown. */
  readonly signal?: AbortSignal;
  /** Told about each failed attempt that will be retried or fall back (for telemetry). */
  readonly onRetry?: (attempt: { modelId: string; attempt: number; errorName: string }) => void;
}

export interface ModelCallResult<T> {
  readonly result: T;
  /** The model that answered. */
  readonly modelId: string;
  /** Attempts made in all, the successful one included. */
  readonly attempts: number;
}

/**
 * True for failures worth retrying: throttling, 429, 5xx, timeouts and dropped
 * connections (real Bedrock resets connections too; see dependency-faults).
 */
export function isTransientModelError(err: unknown): boolean {
  return dependencyFaultOf(err) !== undefined;
}

/** Calls `call` with each model in turn, retrying transient failures; other errors propagate at once. */
export async function callWithFallback<T>(
  modelIds: readonly string[],
  call: (modelId: string) => Promise<T>,
  options: ModelFallbackOptions = {},
): Promise<ModelCallResult<T>> {
  const policy = options.policy ?? DEFAULT_MODEL_RETRY_POLICY;
  const sleep = options.sleep ?? realSleep;
  const random = options.random ?? Math.random;
  let attempts = 0;
  let lastError: unknown;
  for (const modelId of [...new Set(modelIds)]) {
    for (let attempt = 1; attempt <= policy.attemptsPerModel; attempt += 1) {
      if (options.signal?.aborted && lastError !== undefined) throw lastError;
      attempts += 1;
      try {
        return { result: await call(modelId), modelId, attempts };
      } catch (err) {
        if (!isTransientModelError(err)) throw err;
        lastError = err;
        options.onRetry?.({ modelId, attempt, errorName: err instanceof Error ? err.name : typeof err });
        // Backing off before the next model would only delay a model that is not throttled.
        if (attempt < policy.attemptsPerModel) await sleep(fullJitterDelay(attempt - 1, policy, random));
      }
    }
  }
  throw new ModelUnavailableError(policy.retryAfterSeconds, { cause: lastError });
}

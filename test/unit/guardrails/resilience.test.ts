import { describe, expect, it } from 'vitest';
import { fullJitterDelay } from '../../../lambdas/resilience/backoff.js';
import { dependencyFaultOf } from '../../../lambdas/resilience/dependency-faults.js';
import { ModelUnavailableError } from '../../../lambdas/resilience/errors.js';
import {
  callWithFallback,
  DEFAULT_MODEL_RETRY_POLICY,
  isTransientModelError,
} from '../../../lambdas/resilience/model-fallback.js';
import { recordingSleep } from './support/contexts.js';

function sdkError(name: string, httpStatusCode?: number): Error {
  return Object.assign(new Error(`${name} from the service`), {
    name,
    ...(httpStatusCode === undefined ? {} : { $metadata: { httpStatusCode } }),
  });
}

/** A model call that fails with each given error in turn, then answers with the model id. */
function scriptedCall(failures: Error[]) {
  const calls: string[] = [];
  return {
    calls,
    call: async (modelId: string) => {
      calls.push(modelId);
      const failure = failures.shift();
      if (failure !== undefined) throw failure;
      return `answer from ${modelId}`;
    },
  };
}

describe('full jitter backoff', () => {
  it('draws the delay uniformly below the capped exponential ceiling', () => {
    const policy = { baseDelayMs: 100, maxDelayMs: 1_000 };
    expect(fullJitterDelay(0, policy, () => 0.5)).toBe(50);
    expect(fullJitterDelay(2, policy, () => 0.5)).toBe(200);
    expect(fullJitterDelay(10, policy, () => 0.999)).toBe(999);
    expect(fullJitterDelay(3, policy, () => 0)).toBe(0);
  });
});

describe('callWithFallback', () => {
  it('classifies throttling, 429 and 5xx as transient, and client errors as not', () => {
    expect(isTransientModelError(sdkError('ThrottlingException', 429))).toBe(true);
    expect(isTransientModelError(sdkError('SomethingNew', 429))).toBe(true);
    expect(isTransientModelError(sdkError('SomethingNew', 502))).toBe(true);
    expect(isTransientModelError(sdkError('ValidationException', 400))).toBe(false);
    expect(isTransientModelError(sdkError('AccessDeniedException', 403))).toBe(false);
    expect(isTransientModelError('not an error')).toBe(false);
  });

  it('classifies timeouts and dropped connections as transient (real Bedrock resets connections too)', () => {
    expect(isTransientModelError(Object.assign(new Error('t'), { name: 'TimeoutError' }))).toBe(true);
    expect(isTransientModelError(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }))).toBe(
      true,
    );
    expect(isTransientModelError(new Error('socket hang up'))).toBe(true);
    expect(isTransientModelError(Object.assign(new Error('aborted'), { name: 'AbortError' }))).toBe(false);
  });

  it("classifies Bedrock's model-side failures as faults: timeout (504), model error and broken stream (503)", () => {
    expect(dependencyFaultOf(sdkError('ModelTimeoutException', 408))).toBe('timeout');
    expect(dependencyFaultOf(sdkError('ModelErrorException', 424))).toBe('unavailable');
    expect(dependencyFaultOf(sdkError('ModelStreamErrorException'))).toBe('unavailable');
    expect(dependencyFaultOf(sdkError('ResourceNotFoundException', 404))).toBeUndefined();
  });

  it("classifies Cognito's passing refusals (answered with 400) as unavailable, and its parameter refusal as none", () => {
    expect(dependencyFaultOf(sdkError('LimitExceededException', 400))).toBe('unavailable');
    expect(dependencyFaultOf(sdkError('CodeDeliveryFailureException', 400))).toBe('unavailable');
    expect(dependencyFaultOf(sdkError('InvalidParameterException', 400))).toBeUndefined();
  });

  it('retries a throttled call with jittered delays and returns the answer', async () => {
    const sleep = recordingSleep();
    const model = scriptedCall([sdkError('ThrottlingException', 429), sdkError('ThrottlingException', 429)]);

    const result = await callWithFallback(['amazon.nova-lite-v1:0'], model.call, {
      sleep,
      random: () => 0.5,
    });

    expect(result).toEqual({
      result: 'answer from amazon.nova-lite-v1:0',
      modelId: 'amazon.nova-lite-v1:0',
      attempts: 3,
    });
    expect(sleep.delays).toEqual([100, 200]);
  });

  it('falls back to the next model once the first stays throttled', async () => {
    const sleep = recordingSleep();
    const throttles = Array.from({ length: 3 }, () => sdkError('ThrottlingException', 429));
    const model = scriptedCall(throttles);
    const retried: string[] = [];

    const result = await callWithFallback(['amazon.nova-lite-v1:0', 'amazon.nova-micro-v1:0'], model.call, {
      sleep,
      random: () => 0,
      onRetry: ({ modelId, errorName }) => retried.push(`${modelId}:${errorName}`),
    });

    expect(result.modelId).toBe('amazon.nova-micro-v1:0');
    expect(model.calls).toEqual([
      'amazon.nova-lite-v1:0',
      'amazon.nova-lite-v1:0',
      'amazon.nova-lite-v1:0',
      'amazon.nova-micro-v1:0',
    ]);
    expect(retried).toHaveLength(3);
  });

  it('gives up with ModelUnavailableError and a Retry-After when every model fails', async () => {
    const sleep = recordingSleep();
    const model = scriptedCall(Array.from({ length: 6 }, () => sdkError('InternalServerException', 500)));

    const err = await callWithFallback(['a', 'b'], model.call, { sleep, random: () => 0.1 }).catch(
      (reason: unknown) => reason,
    );

    expect(err).toBeInstanceOf(ModelUnavailableError);
    expect(err).toMatchObject({ retryAfterSeconds: DEFAULT_MODEL_RETRY_POLICY.retryAfterSeconds });
    expect(model.calls).toHaveLength(6);
    expect(sleep.delays).toHaveLength(4);
  });

  it('does not retry an error that retrying cannot fix', async () => {
    const model = scriptedCall([sdkError('ValidationException', 400)]);

    await expect(callWithFallback(['a', 'b'], model.call, { sleep: recordingSleep() })).rejects.toMatchObject(
      {
        name: 'ValidationException',
      },
    );
    expect(model.calls).toEqual(['a']);
  });

  it('stops retrying once the request deadline has passed', async () => {
    const controller = new AbortController();
    const model = scriptedCall([sdkError('ThrottlingException', 429), sdkError('ThrottlingException', 429)]);
    const sleep = async () => controller.abort();

    await expect(
      callWithFallback(['a'], model.call, { sleep, signal: controller.signal }),
    ).rejects.toMatchObject({ name: 'ThrottlingException' });
    expect(model.calls).toEqual(['a']);
  });
});

/**
 * The overhead every response reports (`x-bulkhead-overhead-ms`): the request's time minus the
 * time inside the model and tools, counted once when they nest, kept apart between concurrent
 * requests — and present on answers, refusals and errors alike.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  OVERHEAD_HEADER,
  timedExternally,
  withRequestTiming,
} from '../../lambdas/observability/request-timing.js';
import { ALICE_ANALYST, apiHarness } from './support/api-harness.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('request timing', () => {
  it('counts the model and tools once each, nested or not, and the rest as overhead', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(1_000);

    const overhead = await withRequestTiming(Date.now(), async (overheadMs) => {
      vi.setSystemTime(1_010); // 10 ms of platform work
      await timedExternally(async () => {
        vi.setSystemTime(1_100); // a tool...
        await timedExternally(async () => vi.setSystemTime(1_150)); // ...that calls the model
      });
      vi.setSystemTime(1_155); // 5 ms more of platform work
      await timedExternally(async () => vi.setSystemTime(1_255)); // the model again
      return overheadMs();
    });

    expect(overhead).toBe(15);
  });

  it('keeps concurrent requests apart, and runs a section outside any request as it is', async () => {
    const timedRun = async (external: boolean) => {
      const startedAt = Date.now();
      const overhead = await withRequestTiming(startedAt, async (overheadMs) => {
        const wait = () => new Promise((resolve) => setTimeout(resolve, 60));
        await (external ? timedExternally(wait) : wait());
        return overheadMs();
      });
      return { overhead, elapsed: Date.now() - startedAt };
    };

    // Both wait at the same time; only the first waits in a (model or tool) section.
    const [slow, busy] = await Promise.all([timedRun(true), timedRun(false)]);

    expect(slow.overhead).toBeLessThanOrEqual(slow.elapsed - 55);
    expect(busy.overhead).toBeGreaterThanOrEqual(55);
    await expect(timedExternally(async () => 'ran')).resolves.toBe('ran');
  });
});

describe(`the ${OVERHEAD_HEADER} header`, () => {
  it.each([
    ['an answer', 'GET', '/v1/me', undefined, 200],
    ['a chat turn (the model excluded)', 'POST', '/v1/chat', { message: 'hello' }, 200],
    ['a bad request', 'PUT', '/v1/memory', { fact: 42 }, 400],
    ['an unknown route', 'GET', '/v1/nowhere', undefined, 404],
  ])('is on %s, a whole number of milliseconds', async (_label, method, path, body, status) => {
    const api = apiHarness();

    const result = await api.call(ALICE_ANALYST, method, path, body);

    expect(result.statusCode).toBe(status);
    expect(String(result.headers?.[OVERHEAD_HEADER])).toMatch(/^\d+$/);
  });

  it('leaves out the model’s time: the 200 ms a model takes are not in the overhead', async () => {
    const slowModel = apiHarness({
      converse: () => {
        const until = Date.now() + 200;
        while (Date.now() < until); // the model's time, spent inside the model call
        return {
          output: { message: { role: 'assistant', content: [{ text: 'done' }] } },
          stopReason: 'end_turn',
          usage: { inputTokens: 5, outputTokens: 2, totalTokens: 7 },
        };
      },
    });

    const startedAt = Date.now();
    const result = await slowModel.call(ALICE_ANALYST, 'POST', '/v1/chat', { message: 'hello' });
    const elapsed = Date.now() - startedAt;

    expect(result.statusCode).toBe(200);
    // Whatever the machine's speed: the 200 ms inside the model are not in the overhead.
    expect(Number(result.headers?.[OVERHEAD_HEADER])).toBeLessThanOrEqual(elapsed - 200 + 1);
  });
});

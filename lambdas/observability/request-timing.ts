/**
 * Where a request's time goes: the time spent inside the model and inside tools (their own I/O,
 * e.g. a connector's server) is the request's external time; everything else is the platform's
 * overhead, answered on every response as `x-bulkhead-overhead-ms` (LiteLLM reports its own the
 * same way). The pipeline runs each request in its own timing (AsyncLocalStorage); the model
 * guard and the tool runner mark their sections with `timedExternally`. Nested sections (a tool
 * that calls the model) count once.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

/** The response header that carries the request's overhead in whole milliseconds. */
export const OVERHEAD_HEADER = 'x-bulkhead-overhead-ms';

class RequestTiming {
  externalMs = 0;
  depth = 0;

  constructor(readonly startedAt: number) {}

  /** Milliseconds since the request began that were not spent in the model or in tools. */
  overheadMs(now: number): number {
    return Math.max(0, Math.round(now - this.startedAt - this.externalMs));
  }
}

const current = new AsyncLocalStorage<RequestTiming>();

/** Runs one request in its own timing; `overheadMs()` reads it at any moment of the request. */
export function withRequestTiming<T>(
  startedAt: number,
  run: (overheadMs: () => number) => Promise<T>,
): Promise<T> {
  const timing = new RequestTiming(startedAt);
  return current.run(timing, () => run(() => timing.overheadMs(Date.now())));
}

/** Runs `section` as time spent outside the platform (the model, a tool); outside a request it just runs it. */
export async function timedExternally<T>(section: () => Promise<T>): Promise<T> {
  const timing = current.getStore();
  if (timing === undefined || timing.depth > 0) return section();
  timing.depth += 1;
  const startedAt = Date.now();
  try {
    return await section();
  } finally {
    timing.depth -= 1;
    timing.externalMs += Date.now() - startedAt;
  }
}

/**
 * EventBridge schedules, locally: every function the template runs on a `rate(...)` rule is
 * invoked with a scheduled event — on its rate when `npm start` runs (`autoRun`), and at once
 * when asked (the inspector's `POST /schedules/run`, so a test decides when a digest is signed).
 */

import type { ScheduleSpec } from '../lib/template/local-resolution.js';
import type { FunctionHost } from './api-gateway/function-host.js';

export interface ScheduledFunction {
  /** The handler source (`lambdas/handlers/...`): how a test names the function to run. */
  readonly entry: string;
  readonly spec: ScheduleSpec;
  readonly host: Pick<FunctionHost, 'invoke'>;
}

export class LocalScheduler {
  readonly #timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly functions: readonly ScheduledFunction[],
    options: { autoRun: boolean; onError?: (err: unknown) => void },
  ) {
    if (!options.autoRun) return;
    for (const fn of functions) {
      const timer = setInterval(() => {
        this.#invoke(fn).catch((err: unknown) => options.onError?.(err));
      }, fn.spec.everySeconds * 1000);
      timer.unref();
      this.#timers.push(timer);
    }
  }

  /**
   * Runs every scheduled function once (or only the one whose entry is `only`), in turn, with a
   * scheduled event for `at` (default now); their results in template order.
   */
  async runAll(options: { at?: Date; only?: string } = {}): Promise<unknown[]> {
    const results: unknown[] = [];
    for (const fn of this.functions)
      if (options.only === undefined || fn.entry === options.only)
        results.push(await this.#invoke(fn, options.at));
    return results;
  }

  #invoke(fn: ScheduledFunction, at = new Date()): Promise<unknown> {
    return fn.host.invoke({
      version: '0',
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      time: at.toISOString(),
      detail: {},
    });
  }

  async stop(): Promise<void> {
    for (const timer of this.#timers) clearInterval(timer);
  }
}

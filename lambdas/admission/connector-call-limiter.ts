/**
 * Calls of a tenant's connectors per minute (each is an outbound request we
 * make): one sliding one-minute window in one tenant item, checked and
 * counted by one conditional UpdateItem per call.
 */
import type { GuardrailTable } from '../guardrails/guardrail-table.js';
import { connectorCallsAddress, MINUTE_SPAN, REQUESTS, withIdleExpiry } from './admission-items.js';
import { RateLimitedError } from './errors.js';
import { bucketOf, countIn, secondsUntilRoom, windowBelow } from './sliding-window.js';

export interface ConnectorCallLimiterOptions {
  /** @default Date.now */
  readonly now?: () => number;
}

export class ConnectorCallLimiter {
  readonly #now: () => number;

  constructor(
    private readonly table: Pick<GuardrailTable, 'updateIf'>,
    options: ConnectorCallLimiterOptions = {},
  ) {
    this.#now = options.now ?? Date.now;
  }

  /** Counts one connector call against the tenant's allowance; throws RateLimitedError when over. */
  async admit(perMinute: number): Promise<void> {
    const now = this.#now();
    const at = { bucket: bucketOf(REQUESTS, now), amount: 1, span: MINUTE_SPAN };
    const outcome = await this.table.updateIf(
      connectorCallsAddress(),
      withIdleExpiry(now, {
        ...countIn(REQUESTS, at, perMinute),
        when: [windowBelow(REQUESTS, at.bucket, perMinute)],
      }),
    );
    if (!outcome.applied)
      throw new RateLimitedError('tenant', secondsUntilRoom(REQUESTS, outcome.attributes, now, perMinute));
  }
}

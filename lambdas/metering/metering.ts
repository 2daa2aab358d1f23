/**
 * Metering: after each model call, ONE transaction of three items — the call's
 * usage record (a conditional put on a key derived from (requestId,
 * callIndex)), the call's usage cell (the user's usage of that model that day,
 * see usage-keys.ts) and the writes the caller joins to it: the budget
 * settlement (budget-guard.ts). A retry — of the write, or of the whole request
 * with the same id — finds the record and changes nothing, so every call is
 * counted and settled exactly once: 6 write units per model call, where a
 * settlement and a metering transaction of seven items took 16.
 *
 * Attribution fails open (DESIGN invariant 7): a failed write is retried a
 * bounded number of times and then logged with the tenant tag only; it never
 * fails the user's request.
 */
import { randomUUID } from 'node:crypto';
import type { GuardedWrite, GuardrailTable } from '../guardrails/guardrail-table.js';
import { jsonLogger, type Logger } from '../observability/logger.js';
import { errorNameOf } from '../observability/telemetry.js';
import { expiryAttribute } from '../privacy/retention.js';
import {
  type BackoffPolicy,
  fullJitterDelay,
  type Random,
  realSleep,
  type Sleep,
} from '../resilience/backoff.js';
import type { RequestContext } from '../tenancy/request-context.js';
import type { Attributes, ItemAddress } from '../tenancy/scoped-table.js';
import { costNanoUsd, type PriceTable } from './price-table.js';
import {
  connectorCallRecordAddress,
  dayOf,
  monthOf,
  usageCellAddress,
  usageRecordAddress,
} from './usage-keys.js';

export interface MeteredCall {
  /** The request's id; with `callIndex`, identifies the call across retries. */
  readonly requestId: string;
  /** The call's position within the request (0 for the first model call). */
  readonly callIndex: number;
  readonly modelId: string;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly latencyMs: number;
}

/**
 * `recorded`: written by this call of the meter (its joined writes applied, once); `duplicate`:
 * the record was written before, by another run of the request (joined writes NOT applied);
 * `failed`: logged, and not known to be written.
 */
export type MeterOutcome = 'recorded' | 'duplicate' | 'failed';

export interface MeteringOptions {
  /** The price table calls are costed with (the model catalogue's); its version is stored with each record. */
  readonly prices: PriceTable;
  /** @default a JSON logger to stdout */
  readonly logger?: Logger;
  /** Write attempts before giving up. @default 3 */
  readonly maxAttempts?: number;
  /** @default { baseDelayMs: 50, maxDelayMs: 500 } */
  readonly backoff?: BackoffPolicy;
  /** @default setTimeout */
  readonly sleep?: Sleep;
  /** @default Math.random */
  readonly random?: Random;
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** Names each metering write in its record, so a retry can tell its own earlier commit. @default randomUUID */
  readonly newWriteId?: () => string;
  /** Days a per-call usage record is kept (DynamoDB TTL); usage cells stay. @default kept */
  readonly recordRetentionDays?: number;
}

export class Metering {
  readonly #prices: PriceTable;
  readonly #logger: Logger;
  readonly #maxAttempts: number;
  readonly #backoff: BackoffPolicy;
  readonly #sleep: Sleep;
  readonly #random: Random;
  readonly #now: () => Date;
  readonly #recordRetentionDays: number | undefined;
  readonly #newWriteId: () => string;

  constructor(
    private readonly table: Pick<GuardrailTable, 'transactWrite' | 'get'>,
    options: MeteringOptions,
  ) {
    this.#prices = options.prices;
    this.#logger = options.logger ?? jsonLogger;
    this.#maxAttempts = options.maxAttempts ?? 3;
    this.#backoff = options.backoff ?? { baseDelayMs: 50, maxDelayMs: 500 };
    this.#sleep = options.sleep ?? realSleep;
    this.#random = options.random ?? Math.random;
    this.#now = options.now ?? (() => new Date());
    this.#recordRetentionDays = options.recordRetentionDays;
    this.#newWriteId = options.newWriteId ?? randomUUID;
  }

  /**
   * Records one model call exactly once, with `joined` writes (the budget settlement) in the same
   * transaction: they apply exactly when the record is new. Never throws.
   */
  async meterCall(
    context: Pick<RequestContext, 'tenantTag' | 'userId'>,
    call: MeteredCall,
    joined: readonly GuardedWrite[] = [],
  ): Promise<MeterOutcome> {
    const at = this.#now();
    let costNano: number;
    try {
      costNano = costNanoUsd(this.#prices, call.modelId, call);
    } catch (err) {
      this.#logger.error('metering failed', { tenantTag: context.tenantTag, errorName: errorNameOf(err) });
      return 'failed';
    }
    return this.#write(
      context,
      {
        address: usageRecordAddress(call.requestId, call.callIndex),
        attributes: {
          ...call,
          costNanoUsd: costNano,
          priceVersion: this.#prices.version,
          ...this.#stamp(at),
        },
      },
      [
        {
          kind: 'add',
          address: usageCellAddress(context.userId, dayOf(at), { modelId: call.modelId }),
          add: {
            inputTokens: call.inputTokens,
            outputTokens: call.outputTokens,
            costNanoUsd: costNano,
            calls: 1,
            requests: call.callIndex === 0 ? 1 : 0,
          },
          set: { priceVersion: this.#prices.version },
        },
        ...joined,
      ],
    );
  }

  /**
   * Counts one connector call exactly once (a record keyed by request and call index first, as
   * for model calls) in the caller's connector cell of the day; never throws.
   */
  async meterConnectorCall(
    context: Pick<RequestContext, 'tenantTag' | 'userId'>,
    call: {
      readonly requestId: string;
      readonly callIndex: number;
      readonly connector: string;
      readonly latencyMs: number;
    },
  ): Promise<MeterOutcome> {
    const at = this.#now();
    return this.#write(
      context,
      {
        address: connectorCallRecordAddress(call.requestId, call.callIndex),
        attributes: { ...call, ...this.#stamp(at) },
      },
      [
        {
          kind: 'add',
          address: usageCellAddress(context.userId, dayOf(at), 'connectors'),
          add: { connectorCalls: 1 },
        },
      ],
    );
  }

  /** A record's month, time and expiry. */
  #stamp(at: Date): Attributes {
    return { month: monthOf(at), at: at.toISOString(), ...expiryAttribute(at, this.#recordRetentionDays) };
  }

  /**
   * One transaction — the record, put only if new, and `writes` — retried a bounded number of
   * times; a failure is logged, never thrown. A record that exists already is read once, to tell
   * this write's own earlier commit (an attempt that failed after committing) from another run's.
   */
  async #write(
    context: Pick<RequestContext, 'tenantTag'>,
    record: { readonly address: ItemAddress; readonly attributes: Attributes },
    writes: readonly GuardedWrite[],
  ): Promise<MeterOutcome> {
    const writeId = this.#newWriteId();
    const transaction: GuardedWrite[] = [
      {
        kind: 'put',
        address: record.address,
        ifNotExists: true,
        attributes: { ...record.attributes, writeId },
      },
      ...writes,
    ];
    for (let attempt = 1; ; attempt += 1) {
      try {
        if (await this.table.transactWrite(transaction)) return 'recorded';
        const existing = await this.table.get(record.address);
        return existing?.attributes.writeId === writeId ? 'recorded' : 'duplicate';
      } catch (err) {
        const fields = { tenantTag: context.tenantTag, attempt, errorName: errorNameOf(err) };
        if (attempt >= this.#maxAttempts) {
          this.#logger.error('metering failed', fields);
          return 'failed';
        }
        this.#logger.info('metering retry', fields);
        await this.#sleep(fullJitterDelay(attempt - 1, this.#backoff, this.#random));
      }
    }
  }
}

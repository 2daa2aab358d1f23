/**
 * Metering: after each model call, one usage record plus the month's user
 * aggregate, tenant aggregate and tenant breakdowns (by user, model and day;
 * see usage-keys.ts), written in one transaction whose first item is a
 * conditional put on a key derived from (requestId, callIndex). A retry — of
 * the write, or of the whole request with the same id — finds the record and
 * changes nothing, so every call is counted exactly once.
 *
 * Attribution fails open (DESIGN invariant 7): a failed write is retried a
 * bounded number of times and then logged with the tenant tag only; it never
 * fails the user's request.
 */
import { createHash } from 'node:crypto';
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
import { CURRENT_PRICES, costNanoUsd, type PriceTable } from './price-table.js';
import {
  connectorCallRecordAddress,
  dayOf,
  monthOf,
  TENANT_USAGE_SHARDS,
  tenantUsageAddress,
  USAGE_BREAKDOWN_SHARDS,
  USAGE_DIMENSIONS,
  type UsageDimension,
  usageBreakdownAddress,
  usageRecordAddress,
  userUsageAddress,
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

/** `recorded`: written now; `duplicate`: already written by an earlier attempt; `failed`: logged, not written. */
export type MeterOutcome = 'recorded' | 'duplicate' | 'failed';

export interface MeteringOptions {
  /** @default CURRENT_PRICES */
  readonly prices?: PriceTable;
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
  /** Days a per-call usage record is kept (DynamoDB TTL); monthly totals stay. @default kept */
  readonly recordRetentionDays?: number;
}

/** The aggregate shard a request's calls add to: fixed per request, spread over requests. */
export function usageShardOf(requestId: string, shards = TENANT_USAGE_SHARDS): number {
  return createHash('sha256').update(requestId).digest().readUInt32BE(0) % shards;
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

  constructor(
    private readonly table: Pick<GuardrailTable, 'transactWrite'>,
    options: MeteringOptions = {},
  ) {
    this.#prices = options.prices ?? CURRENT_PRICES;
    this.#logger = options.logger ?? jsonLogger;
    this.#maxAttempts = options.maxAttempts ?? 3;
    this.#backoff = options.backoff ?? { baseDelayMs: 50, maxDelayMs: 500 };
    this.#sleep = options.sleep ?? realSleep;
    this.#random = options.random ?? Math.random;
    this.#now = options.now ?? (() => new Date());
    this.#recordRetentionDays = options.recordRetentionDays;
  }

  /** Records one model call exactly once; never throws. */
  async meterCall(
    context: Pick<RequestContext, 'tenantTag' | 'userId'>,
    call: MeteredCall,
  ): Promise<MeterOutcome> {
    const at = this.#now();
    let costNano: number;
    try {
      costNano = costNanoUsd(this.#prices, call.modelId, call);
    } catch (err) {
      this.#logger.error('metering failed', { tenantTag: context.tenantTag, errorName: errorNameOf(err) });
      return 'failed';
    }
    const month = monthOf(at);
    const counters = {
      inputTokens: call.inputTokens,
      outputTokens: call.outputTokens,
      costNanoUsd: costNano,
      calls: 1,
    };
    const breakdownShard = usageShardOf(call.requestId, USAGE_BREAKDOWN_SHARDS);
    const breakdownKeys: Record<UsageDimension, string> = {
      user: context.userId,
      model: call.modelId,
      day: dayOf(at),
    };
    const writes: GuardedWrite[] = [
      {
        kind: 'put',
        address: usageRecordAddress(call.requestId, call.callIndex),
        ifNotExists: true,
        attributes: {
          ...call,
          costNanoUsd: costNano,
          priceVersion: this.#prices.version,
          month,
          at: at.toISOString(),
          ...expiryAttribute(at, this.#recordRetentionDays),
        },
      },
      {
        kind: 'add',
        address: userUsageAddress(month),
        add: { ...counters, requests: call.callIndex === 0 ? 1 : 0 },
      },
      {
        kind: 'add',
        address: tenantUsageAddress(month, usageShardOf(call.requestId)),
        add: counters,
        set: { priceVersion: this.#prices.version },
      },
      ...USAGE_DIMENSIONS.map(
        (dimension): GuardedWrite => ({
          kind: 'add',
          address: usageBreakdownAddress(dimension, month, breakdownShard, breakdownKeys[dimension]),
          add: counters,
        }),
      ),
    ];
    return this.#write(context, writes);
  }

  /**
   * Counts one connector call exactly once (a record keyed by request and call index first, as
   * for model calls) in the caller's and the tenant's month; never throws.
   */
  async meterConnectorCall(
    context: Pick<RequestContext, 'tenantTag'>,
    call: {
      readonly requestId: string;
      readonly callIndex: number;
      readonly connector: string;
      readonly latencyMs: number;
    },
  ): Promise<MeterOutcome> {
    const at = this.#now();
    const month = monthOf(at);
    return this.#write(context, [
      {
        kind: 'put',
        address: connectorCallRecordAddress(call.requestId, call.callIndex),
        ifNotExists: true,
        attributes: {
          ...call,
          month,
          at: at.toISOString(),
          ...expiryAttribute(at, this.#recordRetentionDays),
        },
      },
      { kind: 'add', address: userUsageAddress(month), add: { connectorCalls: 1 } },
      {
        kind: 'add',
        address: tenantUsageAddress(month, usageShardOf(call.requestId)),
        add: { connectorCalls: 1 },
      },
    ]);
  }

  /** One guarded transaction, retried a bounded number of times; a failure is logged, never thrown. */
  async #write(context: Pick<RequestContext, 'tenantTag'>, writes: GuardedWrite[]): Promise<MeterOutcome> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return (await this.table.transactWrite(writes)) ? 'recorded' : 'duplicate';
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

/**
 * The guard around every model call of one request (DESIGN invariant 7):
 *
 *   admit    reserve the call's maximum cost against the tenant's budget
 *            (BudgetExceededError — 402 — before any model is asked);
 *   call     through the ONE retry layer: the admitted model, then the
 *            tier's fallback (ModelUnavailableError — 503 — when both fail);
 *   complete settle the reservation with what the answering model used, and
 *            meter the call; count its tokens against the tokens-per-minute
 *            limits at the same time;
 *   abandon  release the reservation of a call that failed.
 *
 * Admission fails closed. Settlement and metering fail open: they are logged
 * (tenant tag only) and never fail a request whose answer already exists.
 */
import type { BudgetGuard, CallEstimate, Reservation } from '../admission/budget-guard.js';
import type { BudgetLimits } from '../admission/tier-limits.js';
import type { MeteredCall, Metering } from '../metering/metering.js';
import type { Logger } from '../observability/logger.js';
import { errorNameOf } from '../observability/telemetry.js';
import {
  callWithFallback,
  type ModelCallResult,
  type ModelFallbackOptions,
} from '../resilience/model-fallback.js';
import type { RequestContext } from '../tenancy/request-context.js';

export interface ModelCallGuardOptions {
  readonly context: Pick<RequestContext, 'requestId' | 'tenantTag' | 'userId'>;
  readonly budget: Pick<BudgetGuard, 'reserve' | 'settle' | 'release'>;
  /** The tenant's budget; its `fallbackModelId` is also the retry layer's fallback. */
  readonly limits: BudgetLimits;
  readonly metering: Pick<Metering, 'meterCall'>;
  readonly logger: Logger;
  /** Retry policy, sleep and randomness of the retry layer (tests make them instant). */
  readonly retry?: Omit<ModelFallbackOptions, 'signal' | 'onRetry'>;
  /** Told about each metered call (per-call telemetry). */
  readonly onCall?: (call: MeteredCall) => void;
  /** Counts a finished call's tokens against the tokens-per-minute limits (the request's admission ticket). */
  readonly countTokens?: (call: CallUsage) => Promise<void>;
}

/** An admitted call: its reservation and the models it may use, in order. */
export interface Admission {
  readonly reservation: Reservation;
  readonly models: readonly string[];
}

/** What a finished call used. */
export interface CallUsage {
  readonly callIndex: number;
  readonly modelId: string;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly latencyMs: number;
  /** The request's last model call (the agent answered without asking for a tool). */
  readonly last?: boolean;
}

export class ModelCallGuard {
  constructor(private readonly options: ModelCallGuardOptions) {}

  /**
   * Reserves the call's maximum cost; throws BudgetExceededError. With
   * `fallback: false` (embeddings: no other model gives the same vectors) only
   * the requested model is admitted.
   */
  async admit(estimate: CallEstimate, { fallback }: { fallback: boolean }): Promise<Admission> {
    const { fallbackModelId, ...limits } = this.options.limits;
    const reservation = await this.options.budget.reserve(
      fallback && fallbackModelId !== undefined ? { ...limits, fallbackModelId } : limits,
      estimate,
    );
    const models = fallback
      ? [reservation.modelId, fallbackModelId ?? reservation.modelId]
      : [reservation.modelId];
    return { reservation, models: [...new Set(models)] };
  }

  /** Calls the admitted models in turn through the retry layer. */
  call<T>(
    admission: Admission,
    invoke: (modelId: string) => Promise<T>,
    signal?: AbortSignal,
  ): Promise<ModelCallResult<T>> {
    const { logger, context } = this.options;
    return callWithFallback(admission.models, invoke, {
      ...this.options.retry,
      ...(signal === undefined ? {} : { signal }),
      onRetry: ({ modelId, attempt, errorName }) =>
        logger.info('model call retry', { tenantTag: context.tenantTag, modelId, attempt, errorName }),
    });
  }

  /** Settles the reservation and meters the call, while its tokens are counted; never throws. */
  async complete(admission: Admission, usage: CallUsage): Promise<void> {
    const counting = this.#countTokens(usage);
    const { budget, metering, context, logger } = this.options;
    const { callIndex, latencyMs, last: _last, ...actual } = usage;
    await budget.settle(admission.reservation, actual).catch((err: unknown) =>
      logger.error('budget settlement failed', {
        tenantTag: context.tenantTag,
        errorName: errorNameOf(err),
      }),
    );
    const call: MeteredCall = { requestId: context.requestId, callIndex, latencyMs, ...actual };
    await metering.meterCall(context, call);
    try {
      this.options.onCall?.(call);
    } catch (err) {
      logger.error('model call telemetry failed', {
        tenantTag: context.tenantTag,
        errorName: errorNameOf(err),
      });
    }
    await counting;
  }

  /** Counts the call's tokens (fails open: a lost count is logged, the answer stands). */
  async #countTokens(usage: CallUsage): Promise<void> {
    const { countTokens, context, logger } = this.options;
    await countTokens?.(usage).catch((err: unknown) =>
      logger.error('token count failed', { tenantTag: context.tenantTag, errorName: errorNameOf(err) }),
    );
  }

  /** Releases the reservation of a call that did not complete; never throws. */
  async abandon(admission: Admission): Promise<void> {
    const { budget, context, logger } = this.options;
    await budget
      .release(admission.reservation)
      .catch((err: unknown) =>
        logger.error('budget release failed', { tenantTag: context.tenantTag, errorName: errorNameOf(err) }),
      );
  }
}

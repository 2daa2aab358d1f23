/**
 * The guard around every model call of one request (DESIGN invariant 7):
 *
 *   admit    reserve the call's maximum cost against the tenant's budget
 *            (BudgetExceededError — 402 — before any model is asked);
 *   call     through the ONE retry layer: the admitted model, then the
 *            tier's fallback (ModelUnavailableError — 503 — when both fail);
 *   complete meter the call and settle the reservation with what the
 *            answering model used, in ONE transaction (metering.ts joins the
 *            budget's settlement write to the call's usage record); count its tokens
 *            against the tokens-per-minute limits at the same time;
 *   abandon  release the reservation of a call that failed.
 *
 * Round trips per model call: one write before it (the reservation), one
 * after (the transaction). A chat turn need not wait for the one after: it
 * leaves `complete` in flight, writes the chat meanwhile, and awaits
 * `completed()` before it answers (chat.ts), so metering adds no sequential
 * round trip after the answer. The tokens-per-minute count (no exactly-once
 * needed) runs beside that transaction in `complete`, awaited together with it.
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
  readonly budget: Pick<BudgetGuard, 'reserve' | 'settlement' | 'settle' | 'release'>;
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
  readonly #inFlight = new Set<Promise<void>>();

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

  /**
   * Meters the call and settles its reservation, once, while its tokens are counted; never throws.
   * `completed()` waits for it too.
   */
  complete(admission: Admission, usage: CallUsage): Promise<void> {
    const completion = this.#complete(admission, usage);
    this.#inFlight.add(completion);
    return completion.finally(() => this.#inFlight.delete(completion));
  }

  /** Resolves when every call completed so far is metered and settled (never rejects). */
  async completed(): Promise<void> {
    await Promise.all(this.#inFlight);
  }

  async #complete(admission: Admission, usage: CallUsage): Promise<void> {
    const counting = this.#countTokens(usage);
    const { context, logger } = this.options;
    const { last: _last, ...metered } = usage;
    const call: MeteredCall = { requestId: context.requestId, ...metered };
    await this.#meterAndSettle(admission.reservation, call);
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
    try {
      await countTokens?.(usage);
    } catch (err) {
      logger.error('token count failed', { tenantTag: context.tenantTag, errorName: errorNameOf(err) });
    }
  }

  /**
   * One transaction: the call's record and usage cell with the budget's settlement. When another
   * run of the request had recorded the call already, the reservation is settled alone (the model
   * was called again: the budget pays it). When the write failed — possibly after committing — the
   * reservation stays held: over-charged until reclaimed (budget-guard.ts), never settled twice.
   */
  async #meterAndSettle(reservation: Reservation, call: MeteredCall): Promise<void> {
    const { budget, metering, context, logger } = this.options;
    const actual = { modelId: call.modelId, inputTokens: call.inputTokens, outputTokens: call.outputTokens };
    try {
      const outcome = await metering.meterCall(context, call, [budget.settlement(reservation, actual)]);
      if (outcome === 'duplicate') await budget.settle(reservation, actual);
    } catch (err) {
      logger.error('budget settlement failed', { tenantTag: context.tenantTag, errorName: errorNameOf(err) });
    }
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

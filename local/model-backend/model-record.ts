/**
 * What the local cloud keeps about every model call the front door lets through, whichever
 * backend answers it (the stand-in model or an OpenAI-compatible server): the requests
 * (operation, model, the caller's session tags, the tools offered), the usage reported per
 * caller tenant, requests that carried a secret value, and failures queued by tests. The
 * inspector shows it (`/model/requests`, `/model/usage`, `/model/fail-next`), so tests can hold
 * the platform's metering against what the model really reported.
 */
import { type EmulatorResponse, namedJsonError } from '../emulators/emulator-response.js';

export type ModelFailure = 'throttle' | 'fail';
export type ModelOperation = 'converse' | 'converse-stream' | 'invoke';

/** Who called, as the front door saw it: the session tags of the signing principal. */
export type ModelCaller = Readonly<Record<string, string>>;

/** One request the model received. */
export interface RecordedModelRequest {
  /** Increases by one per request, from 1. */
  readonly sequence: number;
  readonly operation: ModelOperation;
  readonly modelId: string;
  /** The caller's `TenantId` / `UserId` session tags (absent for a function's own credentials). */
  readonly tenantId?: string;
  readonly userId?: string;
  /** Tool names the request's toolConfig offered, in order. */
  readonly offeredTools: readonly string[];
  /** The tool the model asked for in its answer; `injected` when a tool result told it to. */
  readonly requestedTool?: { readonly name: string; readonly injected: boolean };
  /** How the request failed (on purpose, or the model server's fault); absent when it was answered. */
  readonly failure?: ModelFailure;
  /** The usage the answer reported (absent for a failed request). */
  readonly usage?: TokenCounts;
  /** The request held a secret value (a connector key): DESIGN invariant 9 says it never may. */
  readonly carriesSecret?: true;
}

export interface TokenCounts {
  readonly inputTokens: number;
  readonly outputTokens: number;
}

/** Usage the model reported to one tenant's callers: in all, and per model id. */
export interface TenantModelUsage extends TokenCounts {
  /** Answered requests (failed ones report no usage). */
  readonly calls: number;
  readonly byModel: Readonly<Record<string, TokenCounts & { readonly calls: number }>>;
}

/** Which requests a queued failure hits: all, or only one model's and/or one tenant's. */
export interface FailureScope {
  readonly modelId?: string;
  readonly tenantId?: string;
}

interface QueuedFailure extends FailureScope {
  readonly failure: ModelFailure;
}

/** What a recorded request's answer was. */
export type ModelOutcome = Pick<
  RecordedModelRequest,
  'requestedTool' | 'failure' | 'usage' | 'carriesSecret'
>;

/** Recorded requests kept (the oldest are dropped), so a long `npm start` does not grow without bound. */
const MAX_RECORDED_REQUESTS = 10_000;

export class ModelRecord {
  private readonly queuedFailures: QueuedFailure[] = [];
  private readonly recorded: RecordedModelRequest[] = [];
  /** Not bounded like `recorded`: totals must cover the whole run. One entry per tenant. */
  private readonly usageTotals = new Map<string, TenantModelUsage>();
  private sequence = 0;
  /** Not bounded: the run's verdict on secrets must cover every request. */
  private secretSightings = 0;

  /** `secretValues`: what no request may contain (the local Secrets Manager's values). */
  constructor(private readonly secretValues: () => readonly string[] = () => []) {}

  /** How many Converse requests so far held a secret value (should stay 0). */
  requestsCarryingSecrets(): number {
    return this.secretSightings;
  }

  /** Counts the request when it holds a secret value; the mark to record it with. */
  secretMarkOf(body: unknown): { carriesSecret?: true } {
    const text = JSON.stringify(body);
    if (!this.secretValues().some((value) => text.includes(value))) return {};
    this.secretSightings += 1;
    return { carriesSecret: true };
  }

  /**
   * Makes the next `times` calls within `scope` fail the given way. Scoping to a tenant keeps
   * a test's failures away from other tests' requests running at the same time.
   */
  failNext(failure: ModelFailure, times = 1, scope: FailureScope = {}): void {
    for (let n = 0; n < times; n++) this.queuedFailures.push({ failure, ...scope });
  }

  /** Removes and returns the first queued failure whose scope covers this request. */
  takeFailure(modelId: string, caller: ModelCaller): ModelFailure | undefined {
    const index = this.queuedFailures.findIndex(
      (queued) =>
        (queued.modelId === undefined || queued.modelId === modelId) &&
        (queued.tenantId === undefined || queued.tenantId === caller.TenantId),
    );
    if (index === -1) return undefined;
    return this.queuedFailures.splice(index, 1)[0]?.failure;
  }

  /** The usage reported to callers of one tenant so far (zeros when none). */
  usageOf(tenantId: string): TenantModelUsage {
    return this.usageTotals.get(tenantId) ?? { inputTokens: 0, outputTokens: 0, calls: 0, byModel: {} };
  }

  /** Recorded requests with a sequence number above `after`, oldest first. */
  requests(after = 0): RecordedModelRequest[] {
    return this.recorded.filter((request) => request.sequence > after);
  }

  /** Records one request and its outcome; its usage counts towards the caller's tenant. */
  record(
    operation: ModelOperation,
    modelId: string,
    caller: ModelCaller,
    offered: readonly string[],
    outcome: ModelOutcome,
  ): void {
    this.sequence += 1;
    this.recorded.push({
      sequence: this.sequence,
      operation,
      modelId,
      ...(caller.TenantId === undefined ? {} : { tenantId: caller.TenantId }),
      ...(caller.UserId === undefined ? {} : { userId: caller.UserId }),
      offeredTools: offered,
      ...outcome,
    });
    if (this.recorded.length > MAX_RECORDED_REQUESTS) this.recorded.shift();
    if (outcome.usage !== undefined && caller.TenantId !== undefined) {
      this.addUsage(caller.TenantId, modelId, outcome.usage);
    }
  }

  private addUsage(tenantId: string, modelId: string, usage: TokenCounts): void {
    const total = this.usageOf(tenantId);
    const ofModel = total.byModel[modelId] ?? { inputTokens: 0, outputTokens: 0, calls: 0 };
    this.usageTotals.set(tenantId, {
      inputTokens: total.inputTokens + usage.inputTokens,
      outputTokens: total.outputTokens + usage.outputTokens,
      calls: total.calls + 1,
      byModel: {
        ...total.byModel,
        [modelId]: {
          inputTokens: ofModel.inputTokens + usage.inputTokens,
          outputTokens: ofModel.outputTokens + usage.outputTokens,
          calls: ofModel.calls + 1,
        },
      },
    });
  }
}

/** Bedrock's answer to a queued (or requested) failure. */
export function failureResponse(failure: ModelFailure): EmulatorResponse {
  return failure === 'throttle'
    ? namedJsonError(429, 'ThrottlingException', 'Too many requests (local model)')
    : namedJsonError(500, 'InternalServerException', 'local model failure');
}

/**
 * A TurnTaker that puts every model turn through the request's ModelCallGuard:
 * reserve (estimated from system prompt, messages and tool specs; output
 * bounded by the turn's maxTokens), call with retries and the tier's fallback,
 * then settle and meter with the model that actually answered. The turn does
 * not wait for that write: it stays in flight while the chat goes on, and the
 * chat awaits the guard's `completed()` before it answers (chat.ts).
 *
 * Streaming turns are retried only until their first event: once text has
 * gone to the client, a retry would send it twice.
 */

import { estimateTokens } from '../admission/budget-guard.js';
import type { ModelCallGuard } from '../guardrails/model-call-guard.js';
import { timedExternally } from '../observability/request-timing.js';
import type { TurnEvent, TurnTaker } from './agent-loop.js';
import type { ConverseRequest } from './converse-model.js';
import { ModelResponseError } from './errors.js';

/** The texts a turn sends, for the token estimate. */
function promptTexts(request: ConverseRequest): string[] {
  return [
    ...request.system.map((block) => block.text),
    ...request.messages.map((message) => JSON.stringify(message.content)),
    ...(request.toolConfig === undefined ? [] : [JSON.stringify(request.toolConfig.tools)]),
  ];
}

interface StartedTurn {
  readonly events: AsyncIterator<TurnEvent>;
  readonly first: IteratorResult<TurnEvent>;
}

/** Starts a turn and waits for its first event (a transient failure before it can still be retried). */
async function startTurn(
  takeTurn: TurnTaker,
  request: ConverseRequest,
  signal: AbortSignal,
): Promise<StartedTurn> {
  const events = takeTurn(request, signal)[Symbol.asyncIterator]();
  return { events, first: await events.next() };
}

/** Guarded turns; `turnsWith` takes a turn with a given model. Call indexes count from 0 (= the step). */
export function guardedTurns(
  guard: ModelCallGuard,
  primaryModelId: string,
  turnsWith: (modelId: string) => TurnTaker,
): TurnTaker {
  let nextCallIndex = 0;
  return async function* (request, signal) {
    const callIndex = nextCallIndex++;
    const estimate = {
      modelId: primaryModelId,
      inputTokens: estimateTokens(promptTexts(request)),
      maxOutputTokens: request.inferenceConfig.maxTokens,
    };
    const admission = await guard.admit(estimate, { fallback: true });
    // A nearly spent budget admits a shorter answer: the model is held to what was reserved.
    const { maxOutputTokens } = admission.reservation;
    const admitted = {
      ...request,
      inferenceConfig: { ...request.inferenceConfig, maxTokens: maxOutputTokens },
    };
    const startedAt = Date.now();
    let completed = false;
    try {
      const { result: started, modelId } = await timedExternally(() =>
        guard.call(admission, (id) => startTurn(turnsWith(id), admitted, signal), signal),
      );
      for (let next = started.first; !next.done; next = await timedExternally(() => started.events.next())) {
        const event = next.value;
        if (event.type === 'turn') {
          // A model that reports no usage is charged its reservation: budgets fail safe.
          void guard.complete(admission, {
            callIndex,
            modelId,
            inputTokens: event.turn.usage?.inputTokens ?? estimate.inputTokens,
            outputTokens: event.turn.usage?.outputTokens ?? maxOutputTokens,
            latencyMs: Date.now() - startedAt,
            last: event.turn.stopReason !== 'tool_use',
          });
          completed = true;
        }
        yield event;
      }
      if (!completed) throw new ModelResponseError('the model ended its turn without an answer');
    } finally {
      if (!completed) await guard.abandon(admission);
    }
  };
}

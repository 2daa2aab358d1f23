/**
 * Streaming model turns are retried only before their first event reaches the client; a turn's
 * metering stays in flight past the turn, and the guard's completed() waits for it.
 */
import { describe, expect, it } from 'vitest';
import { BudgetGuard } from '../../../lambdas/admission/budget-guard.js';
import { TIER_BUDGETS } from '../../../lambdas/admission/tier-limits.js';
import type { TurnEvent, TurnTaker } from '../../../lambdas/agent/agent-loop.js';
import { guardedTurns } from '../../../lambdas/agent/guarded-turns.js';
import type { GuardedWrite } from '../../../lambdas/guardrails/guardrail-table.js';
import { ModelCallGuard, type ModelCallGuardOptions } from '../../../lambdas/guardrails/model-call-guard.js';
import { Metering } from '../../../lambdas/metering/metering.js';
import { usageRecordAddress } from '../../../lambdas/metering/usage-keys.js';
import { DEFAULT_PRICES } from '../../support/model-catalog.js';
import { capturingLogger, contextFor, recordingSleep } from './support/contexts.js';
import { MemoryGuardrailTable, throttled } from './support/memory-guardrail-table.js';

type Attempt = 'throttle-before-first-event' | 'throttle-after-text' | 'answer';

const REQUEST = {
  system: [{ text: 'You are a careful assistant.' }],
  messages: [{ role: 'user' as const, content: [{ text: 'hello' }] }],
  inferenceConfig: { maxTokens: 200 },
};

/** A model whose attempts follow `script`; records which model each attempt went to. */
function scriptedModel(script: Attempt[]) {
  const attempts: string[] = [];
  const turnsWith = (modelId: string): TurnTaker =>
    async function* () {
      attempts.push(modelId);
      const attempt = script.shift() ?? 'answer';
      if (attempt === 'throttle-before-first-event') throw throttled();
      yield { type: 'text', text: 'Hel' } satisfies TurnEvent;
      if (attempt === 'throttle-after-text') throw throttled();
      yield { type: 'text', text: 'lo' } satisfies TurnEvent;
      yield {
        type: 'turn',
        turn: {
          content: [{ text: 'Hello' }],
          stopReason: 'end_turn',
          usage: { inputTokens: 12, outputTokens: 3 },
        },
      } satisfies TurnEvent;
    };
  return { attempts, turnsWith };
}

/** A table whose transactions wait until `open()`. */
class GatedTable extends MemoryGuardrailTable {
  open: () => void = () => undefined;
  readonly #gate = new Promise<void>((resolve) => {
    this.open = resolve;
  });

  override async transactWrite(writes: readonly GuardedWrite[]): Promise<boolean> {
    await this.#gate;
    return super.transactWrite(writes);
  }
}

function guard(
  table = new MemoryGuardrailTable(contextFor('acme', 'alice')),
  countTokens?: ModelCallGuardOptions['countTokens'],
) {
  const context = contextFor('acme', 'alice');
  return new ModelCallGuard({
    context,
    budget: new BudgetGuard(table, { prices: DEFAULT_PRICES }),
    limits: TIER_BUDGETS.basic,
    metering: new Metering(table, { prices: DEFAULT_PRICES }),
    logger: capturingLogger(),
    retry: { sleep: recordingSleep() },
    ...(countTokens === undefined ? {} : { countTokens }),
  });
}

async function streamedTexts(turns: TurnTaker): Promise<{ texts: string[]; error?: unknown }> {
  const texts: string[] = [];
  try {
    for await (const event of turns(REQUEST, new AbortController().signal)) {
      if (event.type === 'text') texts.push(event.text);
    }
    return { texts };
  } catch (error) {
    return { texts, error };
  }
}

describe('guarded streaming turns', () => {
  it('retry a throttled turn that has sent nothing yet, so the client sees the answer once', async () => {
    const model = scriptedModel(['throttle-before-first-event', 'answer']);

    const { texts, error } = await streamedTexts(
      guardedTurns(guard(), 'amazon.nova-lite-v1:0', model.turnsWith),
    );

    expect(error).toBeUndefined();
    expect(model.attempts).toHaveLength(2);
    expect(texts).toEqual(['Hel', 'lo']);
  });

  it('do not retry once text has reached the client: the failure surfaces and nothing is sent twice', async () => {
    const model = scriptedModel(['throttle-after-text', 'answer']);

    const { texts, error } = await streamedTexts(
      guardedTurns(guard(), 'amazon.nova-lite-v1:0', model.turnsWith),
    );

    expect(error).toMatchObject({ name: 'ThrottlingException' });
    expect(model.attempts).toHaveLength(1);
    expect(texts).toEqual(['Hel']);
  });
});

describe('guarded turns and their metering', () => {
  it('leave the metering write in flight past the turn, and completed() waits for it to land', async () => {
    const table = new GatedTable(contextFor('acme', 'alice'));
    const modelGuard = guard(table);
    const model = scriptedModel(['answer']);

    const { texts, error } = await streamedTexts(
      guardedTurns(modelGuard, 'amazon.nova-lite-v1:0', model.turnsWith),
    );
    let landed = false;
    const completed = modelGuard.completed().then(() => {
      landed = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 5));

    expect([texts, error]).toEqual([['Hel', 'lo'], undefined]);
    expect(landed).toBe(false);
    expect(table.itemAt(usageRecordAddress('req-1', 0))).toBeUndefined();
    table.open();
    await completed;
    expect(table.itemAt(usageRecordAddress('req-1', 0))).toMatchObject({ inputTokens: 12, outputTokens: 3 });
  });
});

describe('token counting', () => {
  it('counts a finished turn’s tokens, marked as the request’s last call when it asks for no tool', async () => {
    const counted: Array<{ tokens: number; last: boolean | undefined }> = [];
    const model = scriptedModel(['answer']);
    const countingGuard = guard(undefined, async (call) => {
      counted.push({ tokens: call.inputTokens + call.outputTokens, last: call.last });
    });

    await streamedTexts(guardedTurns(countingGuard, 'amazon.nova-lite-v1:0', model.turnsWith));
    await countingGuard.completed();

    expect(counted).toEqual([{ tokens: 15, last: true }]);
  });

  it.each([
    [
      'rejects',
      async () => {
        throw new Error('DynamoDB is down');
      },
    ],
    [
      'throws before it starts',
      (): Promise<void> => {
        throw new Error('no ticket');
      },
    ],
  ])('answers, and completes, even when the token count %s (it fails open)', async (_how, countTokens) => {
    const model = scriptedModel(['answer']);
    const failingGuard = guard(undefined, countTokens);

    const { texts, error } = await streamedTexts(
      guardedTurns(failingGuard, 'amazon.nova-lite-v1:0', model.turnsWith),
    );

    expect(error).toBeUndefined();
    expect(texts).toEqual(['Hel', 'lo']);
    await expect(failingGuard.completed()).resolves.toBeUndefined();
  });
});

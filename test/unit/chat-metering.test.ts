/**
 * A chat's metering runs beside its own writes (guarded-turns.ts), so the chat must wait for it:
 * the answer leaves only once the turn's model calls are metered, and so does a failure.
 */
import { describe, expect, it, vi } from 'vitest';
import type { TurnTaker } from '../../lambdas/agent/agent-loop.js';
import { type ChatDependencies, chat } from '../../lambdas/conversations/chat.js';
import { contextFor } from './guardrails/support/contexts.js';

/** A promise that resolves when `open()` is called. */
function gate() {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

/** A model that answers at once (usage does not matter here: metering is the fake `metered`). */
const answering: TurnTaker = async function* () {
  yield { type: 'turn', turn: { content: [{ text: 'Hello' }], stopReason: 'end_turn', usage: undefined } };
};

/** A chat's dependencies; `persist` stands for writing the new session and its messages. */
function dependencies(metered: () => Promise<void>, persist: () => Promise<void>): ChatDependencies {
  return {
    context: contextFor('acme', 'alice'),
    sessions: {
      require: vi.fn(),
      recent: vi.fn(),
      create: vi.fn(async (title: string) => {
        await persist();
        return { id: 's1', title, createdAt: '', updatedAt: '' };
      }),
      append: vi.fn(),
    },
    services: {
      documents: { search: vi.fn(), delete: vi.fn() },
      memory: { list: vi.fn(), remember: vi.fn() },
      usage: { current: vi.fn() },
      audit: { note: vi.fn(async () => undefined) },
    },
    takeTurn: answering,
    signal: new AbortController().signal,
    reportFailure: vi.fn(),
    metered,
  };
}

/** Whether `promise` has settled after the pending work has run. */
async function settledYet(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  void promise.then(
    () => {
      settled = true;
    },
    () => {
      settled = true;
    },
  );
  await new Promise((resolve) => setTimeout(resolve, 5));
  return settled;
}

describe('a chat and its metering', () => {
  it('answers only once the turn’s model calls are metered', async () => {
    const metering = gate();

    const answer = chat(
      dependencies(
        () => metering.opened,
        async () => undefined,
      ),
      { message: 'hello' },
    );

    expect(await settledYet(answer)).toBe(false);
    metering.open();
    await expect(answer).resolves.toMatchObject({ sessionId: 's1', reply: 'Hello' });
  });

  it('waits for the metering before a failure leaves, too', async () => {
    const metering = gate();

    const answer = chat(
      dependencies(
        () => metering.opened,
        async () => {
          throw new Error('the messages could not be written');
        },
      ),
      { message: 'hello' },
    );

    expect(await settledYet(answer)).toBe(false);
    metering.open();
    await expect(answer).rejects.toThrow('the messages could not be written');
  });
});

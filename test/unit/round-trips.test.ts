/**
 * Sequential AWS round trips of a chat turn without a tool, before the model call and after it
 * (issue 13's target: at most 2 each). Every tenant-data call takes LATENCY_MS here; a call that
 * starts while one of the current round trip's calls is still in flight ran beside it (the same
 * round trip), one that starts after they ended waited for them. No wall-clock threshold, so a
 * loaded machine does not split one round trip into two.
 */
import type { ConverseCommandInput } from '@aws-sdk/client-bedrock-runtime';
import { describe, expect, it } from 'vitest';
import { ALICE_ANALYST, apiHarness } from './support/api-harness.js';
import { MemoryTable } from './support/memory-cloud.js';
import { obedientModel } from './support/scripted-model.js';

const LATENCY_MS = 20;

interface Call {
  readonly start: number;
  end: number;
}

/** A tenant table whose every call takes LATENCY_MS, recording when each started and ended. */
class SlowTable extends MemoryTable {
  calls: Call[] = [];

  constructor() {
    super();
    const answer = this.respond;
    this.respond = async (command) => {
      const call: Call = { start: performance.now(), end: Number.POSITIVE_INFINITY };
      this.calls.push(call);
      await new Promise((resolve) => setTimeout(resolve, LATENCY_MS));
      call.end = performance.now();
      return answer(command);
    };
  }
}

/** How many round trips `calls` took one after another. */
function sequentialRoundTrips(calls: readonly Call[]): number {
  let trips = 0;
  let tripEnds = Number.NEGATIVE_INFINITY;
  for (const call of [...calls].sort((a, b) => a.start - b.start)) {
    if (call.start < tripEnds) {
      tripEnds = Math.min(tripEnds, call.end);
      continue;
    }
    trips += 1;
    tripEnds = call.end;
  }
  return trips;
}

describe('a chat turn’s sequential round trips', () => {
  it('makes two after the model answers (metering beside the chat’s writes) and three before it', async () => {
    const table = new SlowTable();
    let modelCalledAt = 0;
    const api = apiHarness({
      table,
      converse: (input: ConverseCommandInput) => {
        modelCalledAt = performance.now();
        return obedientModel(input);
      },
    });
    // Warm: the tenant session and the registry are cached, as in a busy environment.
    await api.call(ALICE_ANALYST, 'POST', '/v1/chat', { message: 'warm up' });
    table.calls = [];

    const answer = await api.call(ALICE_ANALYST, 'POST', '/v1/chat', { message: 'hello' });

    expect(answer.statusCode).toBe(200);
    const before = table.calls.filter((call) => call.start < modelCalledAt);
    const after = table.calls.filter((call) => call.start > modelCalledAt);
    // After: the metering transaction beside the new session's put, then the messages.
    expect(sequentialRoundTrips(after)).toBe(2);
    // Before: admission (the user's item and a tenant shard at once), agent settings with the
    // connectors, the budget reservation — one more than issue 13's target (docs/model-call-path.md).
    expect(sequentialRoundTrips(before)).toBe(3);
  });
});

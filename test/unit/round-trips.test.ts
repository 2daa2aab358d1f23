/**
 * Sequential AWS round trips of a chat turn without a tool, before the model call and after it
 * (issue 13's target: at most 2 each). Every tenant-data call takes LATENCY_MS here, so calls that
 * start within half of it of each other ran side by side: one round trip.
 */
import type { ConverseCommandInput } from '@aws-sdk/client-bedrock-runtime';
import { describe, expect, it } from 'vitest';
import { ALICE_ANALYST, apiHarness } from './support/api-harness.js';
import { MemoryTable } from './support/memory-cloud.js';
import { obedientModel } from './support/scripted-model.js';

const LATENCY_MS = 20;

/** A tenant table whose every call takes LATENCY_MS, recording when each started. */
class SlowTable extends MemoryTable {
  starts: number[] = [];

  constructor() {
    super();
    const answer = this.respond;
    this.respond = async (command) => {
      this.starts.push(performance.now());
      await new Promise((resolve) => setTimeout(resolve, LATENCY_MS));
      return answer(command);
    };
  }
}

/** How many round trips calls starting at `starts` took one after another. */
function sequentialRoundTrips(starts: readonly number[]): number {
  let trips = 0;
  let tripStart = Number.NEGATIVE_INFINITY;
  for (const start of [...starts].sort((a, b) => a - b)) {
    if (start - tripStart < LATENCY_MS / 2) continue;
    trips += 1;
    tripStart = start;
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
    table.starts = [];

    const answer = await api.call(ALICE_ANALYST, 'POST', '/v1/chat', { message: 'hello' });

    expect(answer.statusCode).toBe(200);
    const before = table.starts.filter((start) => start < modelCalledAt);
    const after = table.starts.filter((start) => start > modelCalledAt);
    // After: the metering transaction beside the new session's put, then the messages.
    expect(sequentialRoundTrips(after)).toBe(2);
    // Before: admission (the user's item and a tenant shard at once), agent settings with the
    // connectors, the budget reservation — one more than issue 13's target (docs/model-call-path.md).
    expect(sequentialRoundTrips(before)).toBe(3);
  });
});

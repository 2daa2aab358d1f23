/**
 * The AWS calls each route makes, pinned: counted at the front door of a local cloud of this
 * file's own (so no other test's call is counted), warm, median of three (bench/aws-call-probes.ts,
 * which the bench also runs). A route that starts making more calls — the cost and latency that
 * matter in the cloud — fails here; one that makes fewer fails too, so the pins move only on
 * purpose (with bench/results/aws-calls.json).
 */
import { describe, expect, it } from 'vitest';
import { measureAwsCallsPerRoute } from '../../bench/aws-call-probes.js';

/**
 * AWS calls per warm request (bench/results/aws-calls.json). Issue 13's admission: the rate check
 * is one round trip (user and tenant shard at once, as before 2 calls); every request frees its
 * in-flight slot at its end (+1), except that a chat's last model call frees it in the tenant write
 * of its token count, and each model call counts its tokens for the user and the tenant (+2 per
 * call, alongside settlement and metering).
 */
const PINNED: Readonly<Record<string, number>> = {
  'GET /v1/me': 3,
  'GET /v1/memory': 4,
  'PUT /v1/memory': 8,
  'PUT /v1/memory with Idempotency-Key (first)': 10,
  'PUT /v1/memory with Idempotency-Key (replay)': 4,
  'DELETE /v1/memory/{id}': 8,
  'POST /v1/chat (no tool)': 13,
  'POST /v1/chat (one tool)': 22,
  'POST /v1/documents (2 KB)': 18,
  'POST /v1/chat (one connector tool)': 24,
  'GET /v1/connectors': 4,
  'POST /v1/search': 10,
  'GET /v1/costs': 16,
};

describe('AWS calls per route', () => {
  it('stay exactly as pinned for every measured route', async () => {
    const { results } = await measureAwsCallsPerRoute(3);

    expect(Object.fromEntries(results.map((result) => [result.route, result.awsCalls]))).toEqual(PINNED);
  }, 180_000);
});

/**
 * The AWS calls each route makes, pinned: counted at the front door of a local cloud of this
 * file's own (so no other test's call is counted), warm, median of three (bench/end-to-end.ts,
 * which the bench also runs). A route that starts making more calls — the cost and latency that
 * matter in the cloud — fails here; one that makes fewer fails too, so the pins move only on
 * purpose (with the bench's bench/results/latest.json).
 */
import { describe, expect, it } from 'vitest';
import { measureRoutes } from '../../bench/end-to-end.js';
import { startMeteredCloud } from '../../bench/metered-cloud.js';

/**
/**
 * AWS calls per warm request (bench/results/latest.json). Issue 13 took one call off every model
 * call (reserve and settle-and-meter: two writes, was three transactions), one off a chat that
 * starts a session (no update of the session just written) and five off the cost report (eight
 * usage-cell queries, was a batch read and twelve breakdown queries). Its admission made the rate
 * check one round trip (user and tenant shard at once, 2 calls as before); every request frees its
 * in-flight slot at its end (+1), except that a chat's last model call frees it in the tenant write
 * of its token count, and each model call counts its tokens for the user and the tenant (+2 per
 * call, alongside settlement and metering). Issue 15 added the budget to the cost report: one batch
 * read of the month's budget counters (+1).
 */
const PINNED: Readonly<Record<string, number>> = {
  'GET /v1/me': 3,
  'GET /v1/memory': 4,
  'PUT /v1/memory': 8,
  'PUT /v1/memory with Idempotency-Key (first)': 10,
  'PUT /v1/memory with Idempotency-Key (replay)': 4,
  'DELETE /v1/memory/{id}': 8,
  'POST /v1/chat (no tool)': 11,
  'POST /v1/chat (one tool)': 19,
  'POST /v1/chat/stream (no tool)': 11,
  'POST /v1/documents (2 KB)': 17,
  'POST /v1/chat (one connector tool)': 21,
  'GET /v1/connectors': 4,
  'POST /v1/search': 9,
  'GET /v1/costs': 12,
  'GET /v1/admin/tenants/{id} (operator)': 1,
};

describe('AWS calls per route', () => {
  it('stay exactly as pinned for every measured route', async () => {
    const metered = await startMeteredCloud();
    try {
      const { routes } = await measureRoutes(metered, 3);

      expect(Object.fromEntries(routes.map((route) => [route.route, route.awsCalls]))).toEqual(PINNED);
    } finally {
      await metered.cloud.stop();
    }
  }, 180_000);
});

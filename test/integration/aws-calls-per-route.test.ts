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
 * AWS calls per warm request (bench/results/latest.json). Issue 13 took one call off every model
 * call (reserve and settle-and-meter: two writes, was three transactions), one off a chat that
 * starts a session (no update of the session just written) and five off the cost report (eight
 * usage-cell queries, was a batch read and twelve breakdown queries).
 */
const PINNED: Readonly<Record<string, number>> = {
  'GET /v1/me': 2,
  'GET /v1/memory': 3,
  'PUT /v1/memory': 7,
  'PUT /v1/memory with Idempotency-Key (first)': 9,
  'PUT /v1/memory with Idempotency-Key (replay)': 3,
  'DELETE /v1/memory/{id}': 7,
  'POST /v1/chat (no tool)': 9,
  'POST /v1/chat (one tool)': 15,
  'POST /v1/chat/stream (no tool)': 9,
  'POST /v1/documents (2 KB)': 14,
  'POST /v1/chat (one connector tool)': 17,
  'GET /v1/connectors': 3,
  'POST /v1/search': 6,
  'GET /v1/costs': 10,
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

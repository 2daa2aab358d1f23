/**
 * Driving the placement job from tests: it is invoked for one tenant at a time (as an operator may
 * invoke it), so a test never moves another test's tenants. Where no request is in flight, each
 * run may stand a whole hold after the one before (`skipHold`), instead of waiting
 * REGISTRY_SETTLE_SECONDS in real time.
 */
import { expect } from 'vitest';
import { LOCAL_REGISTRY_SETTLE_SECONDS } from '../../../local/local-cloud.js';
import { callAs, OPERATOR } from './api-client.js';
import { capturedLogs, invokeFunction } from './inspector.js';
import { functionOf } from './local-cloud.js';

const PLACEMENT = functionOf('lambdas/handlers/placement.ts');
const SETTLE_MS = LOCAL_REGISTRY_SETTLE_SECONDS * 1000;

export interface TenantView {
  readonly placement?: 'pool' | 'silo';
  readonly move?: { readonly to: string; readonly phase: string; readonly lastError?: string };
  readonly lastMove?: {
    readonly to: string;
    readonly copied?: Record<'items' | 'objects' | 'vectors', { count: number; sha256: string }>;
  };
}

export async function tenantRecord(tenantId: string): Promise<TenantView> {
  const answer = await callAs(OPERATOR, 'GET', `/v1/admin/tenants/${tenantId}`);
  expect(answer.status).toBe(200);
  return answer.body as TenantView;
}

/** One run of the placement job for one tenant, standing for `time` (default now): its summary. */
export async function runPlacement(
  tenantId: string,
  time?: Date,
): Promise<{ moving: number; finished: number; failed: number }> {
  const answer = await invokeFunction(PLACEMENT.logicalId, undefined, {
    tenantId,
    ...(time === undefined ? {} : { time: time.toISOString() }),
  });
  if (answer.status !== 200) throw new Error(`the placement job did not run: ${JSON.stringify(answer)}`);
  return answer.result as { moving: number; finished: number; failed: number };
}

/** The time a run stands for when it skips the hold: a whole hold after the `run`-th before it. */
export function pastTheHold(run: number): Date {
  return new Date(Date.now() + (run + 1) * (SETTLE_MS + 1000));
}

/** Runs the placement job until the tenant's move has ended; the record afterwards. */
export async function untilMoved(tenantId: string, options: { skipHold: boolean }): Promise<TenantView> {
  for (let run = 0; run < 60; run += 1) {
    const record = await tenantRecord(tenantId);
    if (record.move === undefined) return record;
    // Each skipping run stands a whole hold after the one before: a hold begun in one run is over by the next.
    const summary = await runPlacement(tenantId, options.skipHold ? pastTheHold(run) : undefined);
    if (summary.failed > 0) {
      const log = (await capturedLogs()).lines
        .filter((line) => line.text.includes('placement step failed'))
        .at(-1);
      throw new Error(JSON.stringify({ summary, move: (await tenantRecord(tenantId)).move, log }));
    }
    if (!options.skipHold) await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  throw new Error(`the move of ${tenantId} did not end`);
}

/** Onboards a tenant of a silo tier and carries its move into its silo (nothing is in flight). */
export async function onboardInSilo(tenantId: string): Promise<void> {
  const created = await callAs(OPERATOR, 'POST', '/v1/admin/tenants', {
    tenantId,
    name: `Tenant ${tenantId}`,
    tier: 'enterprise',
  });
  if (created.status !== 201) throw new Error(`onboarding ${tenantId} failed: ${JSON.stringify(created)}`);
  const record = await untilMoved(tenantId, { skipHold: true });
  if (record.placement !== 'silo') throw new Error(`${tenantId} did not arrive in its silo`);
}

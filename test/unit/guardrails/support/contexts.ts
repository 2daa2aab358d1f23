/** Request contexts and capturing loggers for the guard-rail tests. */
import type { AuditTrail } from '../../../../lambdas/audit/audit-trail.js';
import { type TrailVerdict, verifyTrail } from '../../../../lambdas/audit/trail-verifier.js';
import type { LogFields, Logger } from '../../../../lambdas/observability/logger.js';
import {
  type RequestContext,
  requestContext,
  tenantTagFor,
} from '../../../../lambdas/tenancy/request-context.js';

export const TAG_KEY = 'guardrails-test-key';

export function contextFor(tenantId: string, userId: string, requestId = 'req-1'): RequestContext {
  return requestContext({
    tenantId,
    userId,
    roles: ['analyst'],
    tier: 'premium',
    requestId,
    tenantTag: tenantTagFor(tenantId, TAG_KEY),
  });
}

export interface LogLine {
  readonly level: 'info' | 'error';
  readonly message: string;
  readonly fields: LogFields;
}

/** A Logger that keeps what it was told. */
export function capturingLogger(): Logger & { readonly lines: LogLine[] } {
  const lines: LogLine[] = [];
  return {
    lines,
    info: (message, fields = {}) => lines.push({ level: 'info', message, fields }),
    error: (message, fields = {}) => lines.push({ level: 'error', message, fields }),
  };
}

/** A sleep that records delays and returns at once. */
export function recordingSleep(): ((ms: number) => Promise<void>) & { readonly delays: number[] } {
  const delays: number[] = [];
  return Object.assign(
    async (ms: number) => {
      delays.push(ms);
    },
    { delays },
  );
}

/** Verifies a trail that has no signed digests yet: every chain against its head. */
export async function verifyWithoutDigests(trail: AuditTrail): Promise<TrailVerdict> {
  return verifyTrail({ tenantId: 'unsigned', chains: await trail.chainEvidence(), digests: [] }, () => false);
}

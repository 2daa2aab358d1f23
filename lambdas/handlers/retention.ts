/**
 * Lambda entry of the retention job, run daily on a schedule (EventBridge): expires every
 * tenant's documents past its retention, as of the scheduled event's time
 * (lambdas/privacy/retention-run.ts). It reaches tenant data only through tenant sessions.
 */
import { readServiceConfig } from '../config.js';
import { jsonLogger } from '../observability/logger.js';
import { applyRetention, type RetentionRunSummary } from '../privacy/retention-run.js';
import { ServiceRuntime } from '../service-runtime.js';

const runtime = new ServiceRuntime(readServiceConfig());

export async function handler(event: { readonly time?: string }): Promise<RetentionRunSummary> {
  const scheduled = event.time === undefined ? Number.NaN : Date.parse(event.time);
  return applyRetention(runtime, Number.isNaN(scheduled) ? new Date() : new Date(scheduled), jsonLogger);
}

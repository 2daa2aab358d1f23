/**
 * Lambda entry of the retention job, run daily on a schedule (EventBridge): expires every
 * tenant's documents past its retention, as of the scheduled event's time
 * (lambdas/privacy/retention-run.ts). It reaches tenant data only through tenant sessions.
 */
import { readServiceConfig } from '../config.js';
import { jsonLogger } from '../observability/logger.js';
import { applyRetention, type RetentionRunSummary } from '../privacy/retention-run.js';
import { ServiceRuntime } from '../service-runtime.js';
import { scheduledTime } from './scheduled-event.js';

// Admin actions and jobs write into tenants outside any request hold: they read placement consistently.
const runtime = new ServiceRuntime(readServiceConfig(), undefined, { placement: 'consistent' });

export async function handler(event: unknown): Promise<RetentionRunSummary> {
  return applyRetention(runtime, scheduledTime(event), jsonLogger);
}

/**
 * Lambda entry of the retention job, run daily on a schedule (EventBridge): expires every
 * tenant's documents past its retention, as of the scheduled event's time
 * (lambdas/privacy/retention-run.ts). It reaches tenant data only through tenant sessions.
 */
import { z } from 'zod';
import { readServiceConfig } from '../config.js';
import { jsonLogger } from '../observability/logger.js';
import { applyRetention, type RetentionRunSummary } from '../privacy/retention-run.js';
import { ServiceRuntime } from '../service-runtime.js';

const runtime = new ServiceRuntime(readServiceConfig());

/** EventBridge's scheduled event: its `time` is the moment the run stands for. */
const ScheduledEventSchema = z.object({ time: z.iso.datetime().optional() });

export async function handler(event: unknown): Promise<RetentionRunSummary> {
  const parsed = ScheduledEventSchema.safeParse(event);
  const time = parsed.success ? parsed.data.time : undefined;
  return applyRetention(runtime, time === undefined ? new Date() : new Date(time), jsonLogger);
}

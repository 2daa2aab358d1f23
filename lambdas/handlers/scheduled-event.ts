/** The scheduled functions' event (EventBridge): its `time` is the moment a run stands for. */
import * as z from 'zod';

const ScheduledEventSchema = z.object({ time: z.iso.datetime().optional() });

/** The moment a scheduled run stands for: the event's `time`, else now. */
export function scheduledTime(event: unknown): Date {
  const parsed = ScheduledEventSchema.safeParse(event);
  const time = parsed.success ? parsed.data.time : undefined;
  return time === undefined ? new Date() : new Date(time);
}

/** A month's costs as the cost charts draw them: the cost so far on each day. */
import type { Schemas } from '@bulkhead/client';

/**
 * The cost so far on each day of `costs.month` (`label` is the day of the month), up to `today`'s
 * day when it is that month: days without usage carry the sum before them, so the last bar is the
 * month's total so far.
 */
export function monthToDate(
  costs: Pick<Schemas['CostReport'], 'month' | 'byDay'>,
  today: string,
): { label: string; value: number }[] {
  const [year = 0, month = 1] = costs.month.split('-').map(Number);
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const lastDay = costs.month === today.slice(0, 7) ? Number(today.slice(8, 10)) : daysInMonth;
  const byDate = new Map(costs.byDay.map((day) => [day.date, day.costUsd]));
  const bars: { label: string; value: number }[] = [];
  let sum = 0;
  for (let day = 1; day <= lastDay; day += 1) {
    sum += byDate.get(`${costs.month}-${String(day).padStart(2, '0')}`) ?? 0;
    bars.push({ label: String(day), value: sum });
  }
  return bars;
}

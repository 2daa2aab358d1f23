/**
 * A tenant's spend this month, day by day and summed up to each day, against its monthly budget
 * (the chart's limit line): the platform cost report (GET /v1/admin/costs) for this tenant, and
 * the budget from its record — so a budget change shows here as soon as it is saved.
 */
import { ApiError } from '../api-error.js';
import { BarChart } from '../bar-chart.js';
import { currentMonth, formatUsd } from '../format.js';
import { monthToDate } from '../month-to-date.js';
import { useApiData } from '../use-api.js';
import type { TenantRecord } from './tenant-types.js';

export function TenantSpend({ tenant }: { readonly tenant: TenantRecord }) {
  const month = currentMonth();
  const { data, refusal } = useApiData(
    (api) => api.GET('/v1/admin/costs', { params: { query: { month } } }),
    [month],
  );
  const costs = data?.tenants.find((summary) => summary.tenantId === tenant.tenantId);
  const bars = monthToDate({ month, byDay: costs?.byDay ?? [] }, new Date().toISOString());
  const budget = tenant.monthlyBudgetUsd;
  return (
    <section aria-labelledby="spend-heading">
      <h2 id="spend-heading">Spend in {month}</h2>
      {refusal && <ApiError refusal={refusal} />}
      {data && (
        <>
          <p>
            {formatUsd(costs?.totals.costUsd ?? 0)} so far
            {budget === undefined
              ? "; no budget of its own: the tier's default applies."
              : ` of ${formatUsd(budget)}.`}
          </p>
          <BarChart
            title={`Spend of ${tenant.tenantId} in ${month}, month to date`}
            bars={bars}
            format={formatUsd}
            {...(budget === undefined ? {} : { limit: { label: 'Monthly budget', value: budget } })}
          />
        </>
      )}
    </section>
  );
}

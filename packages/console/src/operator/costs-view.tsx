/**
 * "Platform costs" (operators): GET /v1/admin/costs for a month — what each tenant and each
 * model cost, as charts and a table — and the same answer as a CSV file, written in the browser
 * with the cost report's own CSV writer (`npm run report -- --format csv` writes the same file).
 */
import { renderCsv, type Schemas } from '@bulkhead/client';
import { useMemo, useState } from 'preact/hooks';
import { ApiError } from '../api-error.js';
import { BarChart } from '../bar-chart.js';
import { useFileUrl } from '../download.js';
import { currentMonth, formatCount, formatUsd } from '../format.js';
import { TextField } from '../text-field.js';
import { useApiData } from '../use-api.js';

type PlatformCosts = Schemas['PlatformCosts'];

/** Every model's cost summed over the tenants, most expensive first. */
function costPerModel(costs: PlatformCosts) {
  const sums = new Map<string, number>();
  for (const tenant of costs.tenants)
    for (const model of tenant.byModel)
      sums.set(model.modelId, (sums.get(model.modelId) ?? 0) + model.costUsd);
  return [...sums].map(([label, value]) => ({ label, value })).sort((a, b) => b.value - a.value);
}

/** A link that saves the report as CSV: a Blob of the text the view already has, no request. */
function CsvDownload({ costs }: { readonly costs: PlatformCosts }) {
  const href = useFileUrl(
    useMemo(() => renderCsv(costs), [costs]),
    'text/csv',
  );
  return (
    <a class="download" href={href} download={`bulkhead-costs-${costs.month}.csv`}>
      Download CSV
    </a>
  );
}

export function CostsView() {
  const [month, setMonth] = useState(currentMonth());
  const { data: costs, refusal } = useApiData(
    (api) => api.GET('/v1/admin/costs', { params: { query: { month } } }),
    [month],
  );
  return (
    <section class="operator" aria-labelledby="costs-heading">
      <h1 id="costs-heading">Platform costs</h1>
      <TextField
        label="Month"
        type="month"
        value={month}
        onInput={(picked) => {
          if (picked !== '') setMonth(picked);
        }}
      />
      {refusal && <ApiError refusal={refusal} />}
      {costs && costs.month === month && (
        <>
          <p>
            {formatUsd(costs.tenants.reduce((sum, tenant) => sum + tenant.totals.costUsd, 0))} in{' '}
            {costs.month} over {costs.tenants.length} tenants. <CsvDownload costs={costs} />
          </p>
          <BarChart
            title={`Cost per tenant, ${costs.month}`}
            bars={costs.tenants.map((tenant) => ({ label: tenant.tenantId, value: tenant.totals.costUsd }))}
            format={formatUsd}
          />
          <BarChart title={`Cost per model, ${costs.month}`} bars={costPerModel(costs)} format={formatUsd} />
          <table>
            <caption>Costs by tenant and model, {costs.month}</caption>
            <thead>
              <tr>
                <th scope="col">Tenant</th>
                <th scope="col">Model</th>
                <th scope="col">Calls</th>
                <th scope="col">Input tokens</th>
                <th scope="col">Output tokens</th>
                <th scope="col">Cost</th>
              </tr>
            </thead>
            <tbody>
              {costs.tenants.flatMap((tenant) =>
                tenant.byModel.map((model) => (
                  <tr key={`${tenant.tenantId} ${model.modelId}`}>
                    <th scope="row">{tenant.tenantId}</th>
                    <td>{model.modelId}</td>
                    <td>{formatCount(model.calls)}</td>
                    <td>{formatCount(model.inputTokens)}</td>
                    <td>{formatCount(model.outputTokens)}</td>
                    <td>{formatUsd(model.costUsd)}</td>
                  </tr>
                )),
              )}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}

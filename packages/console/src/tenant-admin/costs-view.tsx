/**
 * "Costs and budget" (`GET /v1/costs?month=`): the tenant's model costs for a month — totals, a
 * table by user and one by model, the month to date by day as a bar chart — and the monthly budget
 * as admission enforces it: used and remaining, and drawn as the chart's limit line.
 */
import type { Schemas } from '@bulkhead/client';
import { useId, useState } from 'preact/hooks';
import { ApiError } from '../api-error.js';
import { BarChart } from '../bar-chart.js';
import { currentMonth, formatUsd } from '../format.js';
import { monthToDate } from '../month-to-date.js';
import { TextField } from '../text-field.js';
import { useApiData } from '../use-api.js';

type CostReport = Schemas['CostReport'];
type UsageCost = CostReport['totals'];

function UsageTable<Row extends UsageCost>(props: {
  readonly caption: string;
  readonly keyHeading: string;
  readonly rows: readonly Row[];
  readonly keyOf: (row: Row) => string;
}) {
  const { caption, keyHeading, rows, keyOf } = props;
  return (
    <table>
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">{keyHeading}</th>
          <th scope="col">Cost</th>
          <th scope="col">Calls</th>
          <th scope="col">Input tokens</th>
          <th scope="col">Output tokens</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={keyOf(row)}>
            <th scope="row">{keyOf(row)}</th>
            <td>{formatUsd(row.costUsd)}</td>
            <td>{row.calls}</td>
            <td>{row.inputTokens}</td>
            <td>{row.outputTokens}</td>
          </tr>
        ))}
        {rows.length === 0 && (
          <tr>
            <td colSpan={5}>No usage this month.</td>
          </tr>
        )}
      </tbody>
    </table>
  );
}

/** Used against the budget: a meter, and the numbers in USD and tokens. */
function BudgetSummary({ budget }: { readonly budget: CostReport['budget'] }) {
  const meterId = useId();
  return (
    <section aria-labelledby={`${meterId}-heading`}>
      <h2 id={`${meterId}-heading`}>Budget</h2>
      <div class="field">
        <label for={meterId}>Budget used</label>
        <meter id={meterId} min={0} max={budget.monthlyBudgetUsd} value={budget.usedUsd}>
          {formatUsd(budget.usedUsd)} of {formatUsd(budget.monthlyBudgetUsd)}
        </meter>
      </div>
      <dl aria-label="Budget used and remaining">
        <dt>Monthly budget</dt>
        <dd>{formatUsd(budget.monthlyBudgetUsd)}</dd>
        <dt>Used</dt>
        <dd>{formatUsd(budget.usedUsd)}</dd>
        <dt>Remaining</dt>
        <dd>{formatUsd(budget.remainingUsd)}</dd>
        <dt>Tokens</dt>
        <dd>
          {budget.usedTokens} used, {budget.remainingTokens} of {budget.monthlyTokenBudget} left
        </dd>
      </dl>
      <p class="hint">
        As admission counts it: calls in flight hold their most, and a call that no longer fits is refused.
        The limits are today’s, also for past months.
      </p>
    </section>
  );
}

export function CostsView() {
  const [month, setMonth] = useState(currentMonth);
  const { data: costs, refusal } = useApiData(
    (api) => api.GET('/v1/costs', { params: { query: { month } } }),
    [month],
  );
  return (
    <section class="tenant-admin" aria-labelledby="costs-heading">
      <h1 id="costs-heading">Costs and budget</h1>
      <TextField
        label="Month"
        type="month"
        value={month}
        onInput={(value) => value !== '' && setMonth(value)}
      />
      {refusal && <ApiError refusal={refusal} />}
      {costs && (
        <>
          <dl aria-label="Month totals">
            <dt>Cost</dt>
            <dd>{formatUsd(costs.totals.costUsd)}</dd>
            <dt>Model calls</dt>
            <dd>{costs.totals.calls}</dd>
            <dt>Tokens</dt>
            <dd>
              {costs.totals.inputTokens} in, {costs.totals.outputTokens} out
            </dd>
            <dt>Prices</dt>
            <dd>{costs.priceVersion}</dd>
          </dl>
          <BudgetSummary budget={costs.budget} />
          <BarChart
            title={`Cost so far in ${costs.month}, by day`}
            bars={monthToDate(costs, new Date().toISOString())}
            format={formatUsd}
            limit={{ label: 'Budget', value: costs.budget.monthlyBudgetUsd }}
          />
          <UsageTable
            caption="Costs by user"
            keyHeading="User"
            rows={costs.byUser}
            keyOf={(row) => row.userId}
          />
          <UsageTable
            caption="Costs by model"
            keyHeading="Model"
            rows={costs.byModel}
            keyOf={(row) => row.modelId}
          />
        </>
      )}
    </section>
  );
}

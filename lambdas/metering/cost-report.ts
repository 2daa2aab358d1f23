/**
 * The monthly cost report: each tenant's tokens, calls and cost for a month,
 * read from its metering aggregates. Each tenant's aggregate is read through
 * that tenant's own session (the caller supplies `usageOf`), so producing the
 * report needs no cross-tenant data permission anywhere.
 */
import type { GuardrailTable } from '../guardrails/guardrail-table.js';
import { nanoToUsd } from './price-table.js';
import { TENANT_USAGE_SHARDS, tenantUsageAddress } from './usage-keys.js';

export interface UsageTotals {
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly calls: number;
  readonly costNanoUsd: number;
}

export interface TenantCost extends UsageTotals {
  readonly tenantId: string;
  readonly tier: string;
  readonly costUsd: number;
}

export interface CostReport {
  readonly month: string;
  readonly tenants: readonly TenantCost[];
  readonly totalCostUsd: number;
}

export type CostReportFormat = 'json' | 'csv';

const NO_USAGE: UsageTotals = { inputTokens: 0, outputTokens: 0, calls: 0, costNanoUsd: 0 };

/** A tenant's totals for a month: the sum of its aggregate shards. */
export async function tenantUsageTotals(
  table: Pick<GuardrailTable, 'batchGet'>,
  month: string,
): Promise<UsageTotals> {
  const shards = Array.from({ length: TENANT_USAGE_SHARDS }, (_, shard) => tenantUsageAddress(month, shard));
  const found = await table.batchGet(shards);
  return found.reduce<UsageTotals>(
    (sum, { attributes }) => ({
      inputTokens: sum.inputTokens + Number(attributes.inputTokens ?? 0),
      outputTokens: sum.outputTokens + Number(attributes.outputTokens ?? 0),
      calls: sum.calls + Number(attributes.calls ?? 0),
      costNanoUsd: sum.costNanoUsd + Number(attributes.costNanoUsd ?? 0),
    }),
    NO_USAGE,
  );
}

/** Builds the report; tenants are read one at a time to stay gentle on STS and the table. */
export async function buildCostReport(
  month: string,
  tenants: readonly { readonly tenantId: string; readonly tier: string }[],
  usageOf: (tenantId: string, month: string) => Promise<UsageTotals>,
): Promise<CostReport> {
  const rows: TenantCost[] = [];
  for (const tenant of tenants) {
    const usage = await usageOf(tenant.tenantId, month);
    rows.push({
      tenantId: tenant.tenantId,
      tier: tenant.tier,
      ...usage,
      costUsd: nanoToUsd(usage.costNanoUsd),
    });
  }
  rows.sort((a, b) => b.costNanoUsd - a.costNanoUsd || a.tenantId.localeCompare(b.tenantId));
  const totalNano = rows.reduce((sum, row) => sum + row.costNanoUsd, 0);
  return { month, tenants: rows, totalCostUsd: nanoToUsd(totalNano) };
}

const CSV_COLUMNS = ['tenantId', 'tier', 'inputTokens', 'outputTokens', 'calls', 'costUsd'] as const;

/** The report as pretty JSON or as CSV (one row per tenant; ids match a pattern that needs no quoting). */
export function formatCostReport(report: CostReport, format: CostReportFormat): string {
  if (format === 'json') return `${JSON.stringify(report, null, 2)}\n`;
  const lines = [
    `month,${CSV_COLUMNS.join(',')}`,
    ...report.tenants.map((row) =>
      [
        report.month,
        ...CSV_COLUMNS.map((column) => (column === 'costUsd' ? row.costUsd.toFixed(9) : row[column])),
      ].join(','),
    ),
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * `GET /v1/admin/costs` as CSV (RFC 4180 quoting, LF line ends): one row per tenant and model.
 * The cost report CLI (`npm run report -- --format csv`) and the web console's platform-costs
 * download both write it with this module, so it lives with the API's types and needs nothing else.
 */
import type { components } from './schema.js';

type PlatformCosts = components['schemas']['PlatformCosts'];

export const CSV_HEADER = [
  'month',
  'tenantId',
  'tenantName',
  'tier',
  'modelId',
  'inputTokens',
  'outputTokens',
  'calls',
  'costUsd',
] as const;

/** Spreadsheets run cells that start like a formula; a leading quote keeps such a text a text. */
const FORMULA_START = /^[=+\-@\t\r]/;

/** One text cell: formula-neutralised, quoted when it holds a comma, quote or line break. */
function textCell(value: string): string {
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** Costs in USD with nano-USD precision, the precision metering counts in. */
function usdCell(usd: number): string {
  return usd.toFixed(9);
}

export function renderCsv(report: PlatformCosts): string {
  const rows = report.tenants.flatMap((tenant) =>
    tenant.byModel.map((model) =>
      [
        textCell(report.month),
        textCell(tenant.tenantId),
        textCell(tenant.name),
        textCell(tenant.tier),
        textCell(model.modelId),
        String(model.inputTokens),
        String(model.outputTokens),
        String(model.calls),
        usdCell(model.costUsd),
      ].join(','),
    ),
  );
  return `${[CSV_HEADER.join(','), ...rows].join('\n')}\n`;
}

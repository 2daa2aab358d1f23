/**
 * The cost report as ONE self-contained HTML page: inline CSS, inline SVG
 * charts, no scripts, fonts or images, and a Content-Security-Policy that
 * would block anything else. Every text from the report is escaped.
 *
 *   svg#cost-per-tenant   a bar per tenant (rect[data-tenant])
 *   svg#daily-trend       the platform's cost per day of the month (polyline)
 *   table#tenant-totals   a row per tenant (tr[data-tenant])
 *   table#top-users       each tenant's most expensive users
 */
import type { PlatformCosts } from '../../lambdas/metering/platform-costs.js';

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text made safe for HTML content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => ESCAPES[character] ?? character);
}

export function formatUsd(usd: number): string {
  if (usd >= 0.01 || usd <= 0) return `$${usd.toFixed(2)}`;
  // Sub-cent amounts (a few tokens) keep two significant digits instead of rounding to zero.
  const decimals = Math.min(12, 1 - Math.floor(Math.log10(usd)));
  return `$${usd.toFixed(decimals)}`;
}

function formatCount(count: number): string {
  return count.toLocaleString('en-US');
}

const CHART_WIDTH = 720;
const LABEL_WIDTH = 220;
const BAR_HEIGHT = 22;
const BAR_GAP = 8;

function costPerTenantChart(report: PlatformCosts): string {
  const max = Math.max(0, ...report.tenants.map((tenant) => tenant.totals.costUsd));
  const barSpace = CHART_WIDTH - LABEL_WIDTH - 110;
  const height = Math.max(1, report.tenants.length) * (BAR_HEIGHT + BAR_GAP) + BAR_GAP;
  const bars = report.tenants.map((tenant, index) => {
    const y = BAR_GAP + index * (BAR_HEIGHT + BAR_GAP);
    const width = max === 0 ? 0 : (tenant.totals.costUsd / max) * barSpace;
    const id = escapeHtml(tenant.tenantId);
    const cost = escapeHtml(formatUsd(tenant.totals.costUsd));
    return [
      `<text x="${LABEL_WIDTH - 8}" y="${y + 16}" text-anchor="end">${escapeHtml(tenant.name)}</text>`,
      `<rect data-tenant="${id}" x="${LABEL_WIDTH}" y="${y}" width="${width.toFixed(1)}" height="${BAR_HEIGHT}">`,
      `<title>${escapeHtml(tenant.name)} (${id}): ${cost}</title></rect>`,
      `<text x="${(LABEL_WIDTH + width + 6).toFixed(1)}" y="${y + 16}">${cost}</text>`,
    ].join('');
  });
  const empty =
    report.tenants.length === 0 ? `<text x="${LABEL_WIDTH}" y="22">No tenants are registered.</text>` : '';
  return (
    `<svg id="cost-per-tenant" role="img" aria-label="Cost per tenant" viewBox="0 0 ${CHART_WIDTH} ${height}" ` +
    `width="${CHART_WIDTH}" height="${height}">${bars.join('')}${empty}</svg>`
  );
}

/** Every day of the month with the platform's cost that day (zero when nothing was used). */
function dailyCosts(report: PlatformCosts): Array<{ date: string; costUsd: number }> {
  const [year = 1970, month = 1] = report.month.split('-').map(Number);
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const costs = new Map<string, number>();
  for (const tenant of report.tenants) {
    for (const day of tenant.byDay) costs.set(day.date, (costs.get(day.date) ?? 0) + day.costUsd);
  }
  return Array.from({ length: daysInMonth }, (_, index) => {
    const date = `${report.month}-${String(index + 1).padStart(2, '0')}`;
    return { date, costUsd: costs.get(date) ?? 0 };
  });
}

const TREND_HEIGHT = 240;
const TREND_PADDING = 44;

function dailyTrendChart(report: PlatformCosts): string {
  const days = dailyCosts(report);
  const max = Math.max(0, ...days.map((day) => day.costUsd));
  const plotWidth = CHART_WIDTH - 2 * TREND_PADDING;
  const plotHeight = TREND_HEIGHT - 2 * TREND_PADDING;
  const bottom = TREND_HEIGHT - TREND_PADDING;
  const points = days.map((day, index) => {
    const x = TREND_PADDING + (days.length === 1 ? 0 : (index / (days.length - 1)) * plotWidth);
    const y = bottom - (max === 0 ? 0 : (day.costUsd / max) * plotHeight);
    return `${x.toFixed(1)},${y.toFixed(1)}`;
  });
  const first = days[0]?.date ?? report.month;
  const last = days.at(-1)?.date ?? report.month;
  return [
    `<svg id="daily-trend" role="img" aria-label="Cost per day" viewBox="0 0 ${CHART_WIDTH} ${TREND_HEIGHT}" `,
    `width="${CHART_WIDTH}" height="${TREND_HEIGHT}">`,
    `<line class="axis" x1="${TREND_PADDING}" y1="${bottom}" x2="${CHART_WIDTH - TREND_PADDING}" y2="${bottom}"/>`,
    `<line class="axis" x1="${TREND_PADDING}" y1="${TREND_PADDING}" x2="${TREND_PADDING}" y2="${bottom}"/>`,
    `<text x="${TREND_PADDING}" y="${TREND_PADDING - 10}">${escapeHtml(formatUsd(max))}</text>`,
    `<text x="${TREND_PADDING}" y="${bottom + 20}">${escapeHtml(first)}</text>`,
    `<text x="${CHART_WIDTH - TREND_PADDING}" y="${bottom + 20}" text-anchor="end">${escapeHtml(last)}</text>`,
    `<polyline points="${points.join(' ')}"/>`,
    '</svg>',
  ].join('');
}

function cells(values: readonly string[]): string {
  return values.map((value) => `<td>${escapeHtml(value)}</td>`).join('');
}

function tenantTotalsTable(report: PlatformCosts): string {
  const rows = report.tenants.map(
    (tenant) =>
      `<tr data-tenant="${escapeHtml(tenant.tenantId)}">${cells([
        tenant.tenantId,
        tenant.name,
        tenant.tier,
        formatCount(tenant.totals.calls),
        formatCount(tenant.totals.inputTokens),
        formatCount(tenant.totals.outputTokens),
        formatUsd(tenant.totals.costUsd),
      ])}</tr>`,
  );
  return [
    '<table id="tenant-totals"><thead><tr><th>Tenant</th><th>Name</th><th>Tier</th><th>Calls</th>',
    '<th>Input tokens</th><th>Output tokens</th><th>Cost</th></tr></thead>',
    `<tbody>${rows.join('')}</tbody></table>`,
  ].join('');
}

function topUsersTable(report: PlatformCosts): string {
  const rows = report.tenants.flatMap((tenant) =>
    tenant.topUsers.map(
      (user) =>
        `<tr data-tenant="${escapeHtml(tenant.tenantId)}">${cells([
          tenant.name,
          user.userId,
          formatCount(user.calls),
          formatCount(user.inputTokens + user.outputTokens),
          formatUsd(user.costUsd),
        ])}</tr>`,
    ),
  );
  return [
    '<table id="top-users"><thead><tr><th>Tenant</th><th>User</th><th>Calls</th><th>Tokens</th>',
    '<th>Cost</th></tr></thead>',
    `<tbody>${rows.join('')}</tbody></table>`,
  ].join('');
}

const STYLE = [
  'body{font:14px/1.4 system-ui,sans-serif;margin:2rem;color:#1d2430}',
  'h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:2rem}',
  'table{border-collapse:collapse;min-width:720px}',
  'th,td{border-bottom:1px solid #d8dde6;padding:.3rem .6rem;text-align:left}',
  'svg text{font-size:12px;fill:#1d2430}',
  'rect{fill:#3b6fd4}polyline{fill:none;stroke:#3b6fd4;stroke-width:2}.axis{stroke:#8a93a3}',
].join('');

/** The whole page. */
export function renderHtml(report: PlatformCosts): string {
  const totalUsd = report.tenants.reduce((sum, tenant) => sum + tenant.totals.costUsd, 0);
  const month = escapeHtml(report.month);
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    `<title>Model costs ${month}</title><style>${STYLE}</style></head><body>`,
    `<h1>Model costs, ${month}</h1>`,
    `<p>${escapeHtml(`${report.tenants.length} tenants, ${formatUsd(totalUsd)} in total.`)}</p>`,
    '<h2>Cost per tenant</h2>',
    costPerTenantChart(report),
    '<h2>Cost per day</h2>',
    dailyTrendChart(report),
    '<h2>Tenants</h2>',
    tenantTotalsTable(report),
    '<h2>Top users</h2>',
    topUsersTable(report),
    '</body></html>',
    '',
  ].join('\n');
}

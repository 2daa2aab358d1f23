/**
 * The month's Bedrock cost per tenant as AWS billed it (CUR 2.0 line items, attributed by the
 * `TenantId` tag of the IAM session that made each call) against the platform's own metered
 * cost per tenant, and where they disagree. See docs/cost-reconciliation.md for the choices.
 */
import type { CurLineItem } from './cur-export.js';

/** Which CUR cost column is compared: what the bill charged, or usage at public on-demand prices. */
export const COST_BASES = ['unblended', 'public-on-demand'] as const;
export type CostBasis = (typeof COST_BASES)[number];

/** The IAM principal tag key AWS puts in the CUR 2.0 `tags` map for the `TenantId` session tag. */
export const DEFAULT_TAG_KEY = 'iamPrincipal/TenantId';
export const DEFAULT_PRODUCT_CODES: readonly string[] = ['AmazonBedrock'];
/** Differences up to this share of the larger side pass. */
export const DEFAULT_TOLERANCE_PERCENT = 1;
/** Differences up to one cent always pass: CUR rounds each line item, and tiny months are all rounding. */
export const MIN_DIFFERENCE_USD = 0.01;

/** Line item types that are usage: the metered side counts exactly these. */
const USAGE_TYPES = new Set(['Usage', 'DiscountedUsage', 'SavingsPlanCoveredUsage']);
/** Credits, refunds and discounts: they change the bill, not the usage; shown apart, not compared. */
const ADJUSTMENT_TYPES = new Set([
  'Credit',
  'Refund',
  'Discount',
  'BundledDiscount',
  'EdpDiscount',
  'PrivateRateDiscount',
  'DistributorDiscount',
  'SavingsPlanNegation',
]);

export interface ReconcileOptions {
  readonly month: string;
  readonly tagKey: string;
  readonly tolerancePercent: number;
  readonly costBasis: CostBasis;
  readonly productCodes: readonly string[];
}

export type Side = 'both' | 'cur-only' | 'metered-only' | 'untagged';

export interface TenantReconciliation {
  /** Undefined for the untagged row. */
  readonly tenantId: string | undefined;
  readonly side: Side;
  readonly curUsd: number;
  readonly meteredUsd: number;
  /** CUR minus metered. */
  readonly differenceUsd: number;
  /** Credits, refunds and discounts on the tenant's line items (negative), not compared. */
  readonly adjustmentsUsd: number;
  readonly mismatch: boolean;
}

export interface Reconciliation {
  readonly month: string;
  readonly options: ReconcileOptions;
  /** Tenants by id, then the untagged row. */
  readonly rows: readonly TenantReconciliation[];
  /** The callers (`line_item_iam_principal`) of the untagged usage, when the export names them. */
  readonly untaggedPrincipals: readonly string[];
  /** Line items read but left out, by why. */
  readonly skipped: {
    readonly otherProducts: number;
    readonly otherMonths: number;
    readonly notCompared: number;
  };
  readonly mismatches: number;
}

interface Sums {
  usage: number;
  adjustments: number;
}

/** Compares the CUR's line items with the metered cost per tenant (`metered`: tenant id → USD). */
export function reconcileCosts(
  lineItems: Iterable<CurLineItem>,
  metered: ReadonlyMap<string, number>,
  options: ReconcileOptions,
): Reconciliation {
  const products = new Set(options.productCodes);
  const byTenant = new Map<string, Sums>();
  const untagged: Sums = { usage: 0, adjustments: 0 };
  const untaggedPrincipals = new Set<string>();
  const skipped = { otherProducts: 0, otherMonths: 0, notCompared: 0 };
  for (const item of lineItems) {
    if (!products.has(item.productCode)) skipped.otherProducts += 1;
    else if (item.billingPeriod !== options.month) skipped.otherMonths += 1;
    else {
      const isUsage = USAGE_TYPES.has(item.lineItemType);
      if (!isUsage && !ADJUSTMENT_TYPES.has(item.lineItemType)) {
        skipped.notCompared += 1;
        continue;
      }
      const tenantId = item.tags[options.tagKey];
      const sums = tenantId === undefined || tenantId === '' ? untagged : sumsOf(byTenant, tenantId);
      if (isUsage) {
        sums.usage += options.costBasis === 'unblended' ? item.unblendedCost : item.publicOnDemandCost;
        if (sums === untagged && item.iamPrincipal !== undefined) untaggedPrincipals.add(item.iamPrincipal);
      } else sums.adjustments += item.unblendedCost;
    }
  }
  const tenantIds = [...new Set([...byTenant.keys(), ...metered.keys()])].sort();
  const rows: TenantReconciliation[] = [];
  for (const tenantId of tenantIds) {
    const cur = byTenant.get(tenantId);
    const meteredUsd = metered.get(tenantId);
    // A tenant with nothing on either side (registered, no usage) is not worth a line.
    if (cur === undefined && (meteredUsd ?? 0) === 0) continue;
    const side: Side = cur === undefined ? 'metered-only' : meteredUsd === undefined ? 'cur-only' : 'both';
    rows.push(row(tenantId, side, cur ?? { usage: 0, adjustments: 0 }, meteredUsd ?? 0, options));
  }
  if (untagged.usage !== 0 || untagged.adjustments !== 0)
    rows.push(row(undefined, 'untagged', untagged, 0, options));
  return {
    month: options.month,
    options,
    rows,
    untaggedPrincipals: [...untaggedPrincipals].sort(),
    skipped,
    mismatches: rows.filter((candidate) => candidate.mismatch).length,
  };
}

function sumsOf(byTenant: Map<string, Sums>, tenantId: string): Sums {
  let sums = byTenant.get(tenantId);
  if (sums === undefined) {
    sums = { usage: 0, adjustments: 0 };
    byTenant.set(tenantId, sums);
  }
  return sums;
}

function row(
  tenantId: string | undefined,
  side: Side,
  cur: Sums,
  meteredUsd: number,
  options: ReconcileOptions,
): TenantReconciliation {
  const differenceUsd = roundToNanos(cur.usage - meteredUsd);
  const allowed = Math.max(
    MIN_DIFFERENCE_USD,
    (options.tolerancePercent / 100) * Math.max(Math.abs(cur.usage), Math.abs(meteredUsd)),
  );
  return {
    tenantId,
    side,
    curUsd: roundToNanos(cur.usage),
    meteredUsd,
    differenceUsd,
    adjustmentsUsd: roundToNanos(cur.adjustments),
    mismatch: Math.abs(differenceUsd) > allowed,
  };
}

/** Sums of many float line items drift in the last bits; the metered side counts nano-dollars. */
function roundToNanos(usd: number): number {
  return Math.round(usd * 1e9) / 1e9;
}

const LABELS: Record<Side, string> = {
  both: '',
  'cur-only': ' (CUR only)',
  'metered-only': ' (metered only)',
  untagged: '',
};

const usd = (value: number): string => value.toFixed(6);
const signed = (value: number): string => `${value > 0 ? '+' : ''}${usd(value)}`;

/** The reconciliation as a plain-text table, one line per tenant, and a verdict line. */
export function renderReconciliation(reconciliation: Reconciliation): string {
  const { options } = reconciliation;
  const basis =
    options.costBasis === 'unblended' ? 'line_item_unblended_cost' : 'pricing_public_on_demand_cost';
  const table = [
    ['tenant', 'CUR USD', 'metered USD', 'difference', 'credits/refunds', ''],
    ...reconciliation.rows.map((entry) => [
      entry.tenantId === undefined ? 'untagged' : `${entry.tenantId}${LABELS[entry.side]}`,
      entry.side === 'metered-only' ? '-' : usd(entry.curUsd),
      entry.side === 'cur-only' || entry.side === 'untagged' ? '-' : usd(entry.meteredUsd),
      signed(entry.differenceUsd),
      entry.adjustmentsUsd === 0 ? '' : usd(entry.adjustmentsUsd),
      entry.mismatch ? 'MISMATCH' : 'ok',
    ]),
  ];
  const widths =
    table[0]?.map((_, column) => Math.max(...table.map((cells) => (cells[column] ?? '').length))) ?? [];
  const lines = table.map((cells) =>
    cells
      .map((cell, column) =>
        column === 0 || column === cells.length - 1
          ? cell.padEnd(widths[column] ?? 0)
          : cell.padStart(widths[column] ?? 0),
      )
      .join('  ')
      .trimEnd(),
  );
  const { skipped } = reconciliation;
  const notes = [
    `Bedrock cost by tenant, ${reconciliation.month}: CUR (${basis}, by tag ${options.tagKey}) against metered`,
    `tolerance: ${options.tolerancePercent} % of the larger side, at least $${MIN_DIFFERENCE_USD.toFixed(2)}`,
    '',
    ...lines,
    '',
    `line items left out: ${skipped.otherProducts} of other products, ${skipped.otherMonths} of other months, ` +
      `${skipped.notCompared} neither usage nor credits (tax, fees)`,
  ];
  if (reconciliation.untaggedPrincipals.length > 0)
    notes.push(`untagged usage was called by: ${reconciliation.untaggedPrincipals.join(', ')}`);
  notes.push(
    reconciliation.mismatches === 0
      ? 'no mismatch beyond tolerance'
      : `${reconciliation.mismatches} mismatch(es) beyond tolerance`,
  );
  return `${notes.join('\n')}\n`;
}

/**
 * Writes CUR 2.0 exports for tests, as AWS Data Exports would: the CUR 2.0 table's column names
 * and types (https://docs.aws.amazon.com/cur/latest/userguide/table-dictionary-cur2.html), as
 * Parquet (maps as MAP columns, timestamps, doubles) or as CSV (maps as JSON text), gzipped or not.
 */
import { writeFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { parquetWriteBuffer } from 'hyparquet-writer';

export interface FixtureLineItem {
  readonly lineItemType: string;
  readonly productCode: string;
  readonly usageType?: string;
  readonly description?: string;
  /** `YYYY-MM-DD`: usage start; the billing period is its month. */
  readonly day: string;
  readonly unblendedCost: number;
  /** @default unblendedCost */
  readonly publicOnDemandCost?: number;
  readonly iamPrincipal?: string;
  /** The `tags` map (every activated tag, with its source prefix). */
  readonly tags?: Readonly<Record<string, string>>;
  readonly resourceTags?: Readonly<Record<string, string>>;
}

const PAYER = '111122223333';

/**
 * The columns in the order an export lists them, with each line item's value (maps as objects),
 * less the columns named in `without` (an export whose column selection left them out).
 */
function columns(items: readonly FixtureLineItem[], without: readonly string[]) {
  const periodStart = (item: FixtureLineItem) => new Date(`${item.day.slice(0, 7)}-01T00:00:00Z`);
  const periodEnd = (item: FixtureLineItem) => {
    const start = periodStart(item);
    return new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
  };
  const usageStart = (item: FixtureLineItem) => new Date(`${item.day}T00:00:00Z`);
  return [
    { name: 'identity_line_item_id', kind: 'string', values: items.map((_, n) => `li-${n + 1}`) },
    { name: 'bill_bill_type', kind: 'string', values: items.map(() => 'Anniversary') },
    { name: 'bill_billing_period_start_date', kind: 'timestamp', values: items.map(periodStart) },
    { name: 'bill_billing_period_end_date', kind: 'timestamp', values: items.map(periodEnd) },
    { name: 'bill_payer_account_id', kind: 'string', values: items.map(() => PAYER) },
    { name: 'line_item_usage_account_id', kind: 'string', values: items.map(() => PAYER) },
    { name: 'line_item_line_item_type', kind: 'string', values: items.map((item) => item.lineItemType) },
    { name: 'line_item_usage_start_date', kind: 'timestamp', values: items.map(usageStart) },
    {
      name: 'line_item_usage_end_date',
      kind: 'timestamp',
      values: items.map((item) => new Date(usageStart(item).getTime() + 86_400_000)),
    },
    { name: 'line_item_product_code', kind: 'string', values: items.map((item) => item.productCode) },
    { name: 'line_item_usage_type', kind: 'string', values: items.map((item) => item.usageType ?? '') },
    { name: 'line_item_operation', kind: 'string', values: items.map(() => 'InvokeModelInference') },
    { name: 'line_item_unblended_cost', kind: 'double', values: items.map((item) => item.unblendedCost) },
    {
      name: 'line_item_line_item_description',
      kind: 'string',
      values: items.map((item) => item.description ?? ''),
    },
    { name: 'line_item_iam_principal', kind: 'string', values: items.map((item) => item.iamPrincipal ?? '') },
    {
      name: 'pricing_public_on_demand_cost',
      kind: 'double',
      values: items.map((item) => item.publicOnDemandCost ?? item.unblendedCost),
    },
    { name: 'product_servicecode', kind: 'string', values: items.map((item) => item.productCode) },
    { name: 'resource_tags', kind: 'map', values: items.map((item) => ({ ...item.resourceTags })) },
    { name: 'tags', kind: 'map', values: items.map((item) => ({ ...item.tags })) },
  ].filter((column) => !without.includes(column.name));
}

/** RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled. */
function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** Writes the line items as a CUR 2.0 CSV export (gzipped when `gzip`), less the columns `without`. */
export async function writeCurCsv(
  path: string,
  items: readonly FixtureLineItem[],
  gzip = false,
  without: readonly string[] = [],
): Promise<void> {
  const table = columns(items, without);
  const cell = (value: unknown): string => {
    if (value instanceof Date) return value.toISOString();
    if (typeof value === 'object' && value !== null)
      return Object.keys(value).length === 0 ? '' : JSON.stringify(value);
    return String(value);
  };
  const lines = [
    table.map((column) => column.name).join(','),
    ...items.map((_, row) => table.map((column) => csvField(cell(column.values[row]))).join(',')),
  ];
  const text = `${lines.join('\r\n')}\r\n`;
  await writeFile(path, gzip ? gzipSync(text) : text);
}

/**
 * Writes the line items as a CUR 2.0 Parquet export (Snappy-compressed, as AWS writes it, or
 * GZIP), less the columns `without`.
 */
export async function writeCurParquet(
  path: string,
  items: readonly FixtureLineItem[],
  codec: 'SNAPPY' | 'GZIP' = 'SNAPPY',
  without: readonly string[] = [],
): Promise<void> {
  const table = columns(items, without);
  const schema: Parameters<typeof parquetWriteBuffer>[0]['schema'] = [
    { name: 'root', num_children: table.length },
  ];
  for (const column of table) {
    if (column.kind === 'string')
      schema.push({
        name: column.name,
        type: 'BYTE_ARRAY',
        converted_type: 'UTF8',
        repetition_type: 'OPTIONAL',
      });
    else if (column.kind === 'double')
      schema.push({ name: column.name, type: 'DOUBLE', repetition_type: 'OPTIONAL' });
    else if (column.kind === 'timestamp')
      schema.push({
        name: column.name,
        type: 'INT64',
        converted_type: 'TIMESTAMP_MILLIS',
        repetition_type: 'OPTIONAL',
      });
    else
      schema.push(
        { name: column.name, converted_type: 'MAP', repetition_type: 'OPTIONAL', num_children: 1 },
        { name: 'key_value', repetition_type: 'REPEATED', num_children: 2 },
        { name: 'key', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
        { name: 'value', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
      );
  }
  const buffer = parquetWriteBuffer({
    columnData: table.map((column) => ({ name: column.name, data: [...column.values] })),
    schema,
    codec,
    compressors: { GZIP: (input) => new Uint8Array(gzipSync(input)) },
  });
  await writeFile(path, new Uint8Array(buffer));
}

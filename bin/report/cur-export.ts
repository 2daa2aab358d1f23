/**
 * Reads an AWS Cost and Usage Report 2.0 export (AWS Data Exports) — Parquet, CSV or gzipped
 * CSV, told apart by their first bytes — into the few fields the reconciliation needs. The `tags`
 * map column is a map in Parquet and JSON text in CSV.
 * Column names: https://docs.aws.amazon.com/cur/latest/userguide/table-dictionary-cur2.html
 */
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { parquetMetadata, parquetReadObjects, parquetSchema } from 'hyparquet';
import { isRecord } from '../../lambdas/is-record.js';
import type { CostBasis } from './cost-reconciliation.js';
import { CsvSyntaxError, csvRecords, csvRows } from './csv-records.js';
import { CurExportError } from './errors.js';

/** One line item, as far as the reconciliation reads it. */
export interface CurLineItem {
  readonly productCode: string;
  /** `Usage`, `Credit`, `Refund`, `Tax`, … */
  readonly lineItemType: string;
  /** `YYYY-MM` of the billing period the line item belongs to. */
  readonly billingPeriod: string;
  readonly unblendedCost: number;
  readonly publicOnDemandCost: number;
  /**
   * The `tags` map: every activated tag, keyed with its source prefix (`iamPrincipal/` for the
   * session tags). Never `resource_tags`: session tags are no resource tags, and its keys are
   * `user_<key>`, so the tenant is never there.
   */
  readonly tags: Readonly<Record<string, string>>;
  /** The caller's ARN (`line_item_iam_principal`), when the export includes IAM principal data. */
  readonly iamPrincipal: string | undefined;
}

export const CUR_COLUMNS = {
  productCode: 'line_item_product_code',
  lineItemType: 'line_item_line_item_type',
  billingPeriodStart: 'bill_billing_period_start_date',
  billingPeriod: 'billing_period',
  usageStart: 'line_item_usage_start_date',
  unblendedCost: 'line_item_unblended_cost',
  publicOnDemandCost: 'pricing_public_on_demand_cost',
  tags: 'tags',
  iamPrincipal: 'line_item_iam_principal',
} as const;

const REQUIRED = [CUR_COLUMNS.productCode, CUR_COLUMNS.lineItemType, CUR_COLUMNS.unblendedCost] as const;
const WANTED: readonly string[] = Object.values(CUR_COLUMNS);

/** A row as the file holds it: CSV gives strings, Parquet typed values. */
type RawRow = Readonly<Record<string, unknown>>;

interface RawExport {
  readonly columns: readonly string[];
  readonly rows: Iterable<RawRow>;
}

const PARQUET_MAGIC = Buffer.from('PAR1');
const GZIP_MAGIC = Buffer.from([0x1f, 0x8b]);

/**
 * Reads every part of an export (a month AWS split over several files, in any mix of formats),
 * one file at a time so only one is in memory, into one list of line items. Each part is read
 * with its own header, so no part's header row is ever taken for a line item.
 */
export async function readCurExports(paths: readonly string[], costBasis: CostBasis): Promise<CurLineItem[]> {
  const items: CurLineItem[] = [];
  for (const path of paths) for (const item of await readCurExport(path, costBasis)) items.push(item);
  return items;
}

/**
 * Reads the export at `path`; throws CurExportError when it is not a CUR 2.0 export it can read,
 * or lacks the column `costBasis` compares.
 */
export async function readCurExport(path: string, costBasis: CostBasis): Promise<CurLineItem[]> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw new CurExportError(`cannot read ${path}: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    });
  }
  const raw = await rawExport(path, bytes);
  const missing = REQUIRED.filter((column) => !raw.columns.includes(column));
  if (missing.length > 0)
    throw new CurExportError(`${path} is not a CUR 2.0 export: no ${missing.join(', ')} column`);
  // An absent column would read as zero cost on every line item, not as an error.
  if (costBasis === 'public-on-demand' && !raw.columns.includes(CUR_COLUMNS.publicOnDemandCost))
    throw new CurExportError(
      `${path} has no ${CUR_COLUMNS.publicOnDemandCost} column, which --cost public-on-demand compares: ` +
        `add ${CUR_COLUMNS.publicOnDemandCost} to the export's columns (Data Exports: edit the export, ` +
        'select the column in its CUR 2.0 table, or add it to its SQL query), or compare --cost unblended',
    );
  if (!raw.columns.includes(CUR_COLUMNS.tags))
    throw new CurExportError(
      `${path} has no tags column: include the tags column in the export, so the IAM principal ` +
        'tags (iamPrincipal/TenantId) are in it',
    );
  if (!PERIOD_COLUMNS.some((column) => raw.columns.includes(column)))
    throw new CurExportError(`${path} has no ${PERIOD_COLUMNS.join(' or ')} column to tell the month by`);
  const items: CurLineItem[] = [];
  let rowNumber = 0;
  for (const row of raw.rows) {
    rowNumber += 1;
    items.push(lineItem(row, `${path}, line item ${rowNumber}`));
  }
  return items;
}

async function rawExport(path: string, bytes: Buffer): Promise<RawExport> {
  if (bytes.subarray(0, 4).equals(PARQUET_MAGIC)) return parquetExport(path, bytes);
  let csv = bytes;
  if (bytes.subarray(0, 2).equals(GZIP_MAGIC)) {
    try {
      csv = gunzipSync(bytes);
    } catch (err) {
      if (hasCode(err, 'ERR_BUFFER_TOO_LARGE')) throw tooLarge(path, err);
      throw new CurExportError(`${path} is not valid gzip`, { cause: err });
    }
  }
  let text: string;
  try {
    text = csv.toString('utf8');
  } catch (err) {
    if (hasCode(err, 'ERR_STRING_TOO_LONG')) throw tooLarge(path, err);
    throw err;
  }
  try {
    let columns: string[] = [];
    for (const header of csvRows(text)) {
      columns = header;
      break;
    }
    return { columns, rows: [...csvRecords(text)] };
  } catch (err) {
    if (err instanceof CsvSyntaxError) throw new CurExportError(`${path}: ${err.message}`, { cause: err });
    throw err;
  }
}

function hasCode(err: unknown, code: string): boolean {
  return err instanceof Error && 'code' in err && err.code === code;
}

/** A CSV export over what Node holds as one string (about 512 MiB of text). */
function tooLarge(path: string, cause: unknown): CurExportError {
  return new CurExportError(
    `${path} is too large to read as CSV text (over Node's string limit): filter the export to ` +
      "Bedrock first (Data Exports SQL: WHERE line_item_product_code = 'AmazonBedrock'), or export " +
      'it as Parquet, of which only the columns needed are read',
    { cause },
  );
}

async function parquetExport(path: string, bytes: Buffer): Promise<RawExport> {
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  try {
    const metadata = parquetMetadata(file);
    const columns = parquetSchema(metadata).children.map((child) => child.element.name);
    const rows = await parquetReadObjects({
      file,
      metadata,
      columns: WANTED.filter((column) => columns.includes(column)),
      // hyparquet reads Snappy (what AWS writes by default) itself; GZIP through Node's zlib.
      compressors: { GZIP: (input) => new Uint8Array(gunzipSync(input)) },
    });
    return { columns, rows };
  } catch (err) {
    throw new CurExportError(
      `${path} is not a readable Parquet file: ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    );
  }
}

const PERIOD_COLUMNS = [CUR_COLUMNS.billingPeriodStart, CUR_COLUMNS.billingPeriod, CUR_COLUMNS.usageStart];

function lineItem(row: RawRow, where: string): CurLineItem {
  const period = PERIOD_COLUMNS.map((column) => text(row[column])).find((value) => value !== '') ?? '';
  const billingPeriod = period.slice(0, 7);
  if (!/^\d{4}-\d{2}$/.test(billingPeriod))
    throw new CurExportError(`${where}: no billing period or usage date`);
  const iamPrincipal = text(row[CUR_COLUMNS.iamPrincipal]);
  return {
    productCode: text(row[CUR_COLUMNS.productCode]),
    lineItemType: text(row[CUR_COLUMNS.lineItemType]),
    billingPeriod,
    unblendedCost: amount(row[CUR_COLUMNS.unblendedCost], CUR_COLUMNS.unblendedCost, where),
    publicOnDemandCost: amount(row[CUR_COLUMNS.publicOnDemandCost], CUR_COLUMNS.publicOnDemandCost, where),
    tags: tagMap(row[CUR_COLUMNS.tags], where),
    iamPrincipal: iamPrincipal === '' ? undefined : iamPrincipal,
  };
}

/** A cell as text: Parquet timestamps as ISO strings, absent cells as ''. */
function text(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (value instanceof Date) return value.toISOString();
  return String(value);
}

/** A cost cell: a number (Parquet DOUBLE or DECIMAL), or its decimal text (CSV); empty is 0. */
function amount(value: unknown, column: string, where: string): number {
  if (value === undefined || value === null || value === '') return 0;
  const number = typeof value === 'number' ? value : Number(String(value));
  if (!Number.isFinite(number))
    throw new CurExportError(`${where}: ${column} is not a number: ${String(value)}`);
  return number;
}

/** A map cell: an object (Parquet MAP) or its JSON text (CSV); empty is no tags. */
function tagMap(value: unknown, where: string): Record<string, string> {
  if (value === undefined || value === null || value === '') return {};
  let map: unknown = value;
  if (typeof value === 'string') {
    try {
      map = JSON.parse(value);
    } catch (err) {
      throw new CurExportError(`${where}: ${CUR_COLUMNS.tags} is not a JSON map`, { cause: err });
    }
  }
  if (!isRecord(map)) throw new CurExportError(`${where}: ${CUR_COLUMNS.tags} is not a map`);
  const tags: Record<string, string> = {};
  for (const [key, tagValue] of Object.entries(map)) if (tagValue != null) tags[key] = String(tagValue);
  return tags;
}

/**
 * `npm run report -- reconcile` on CUR 2.0 exports written here in each format AWS delivers
 * (Parquet, CSV, gzipped CSV), with the metered side through the command's one seam (a fake of
 * `GET /v1/admin/costs`; the integration test reads the local cloud's real one).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { csvRecords, csvRows } from '../../bin/report/csv-records.js';
import type { MeteredCostsFetcher } from '../../bin/report/metered-costs.js';
import { MISMATCH_EXIT_CODE, runReconcile } from '../../bin/report/reconcile-cli.js';
import { type FixtureLineItem, writeCurCsv, writeCurParquet } from '../support/cur-fixture.js';

const MONTH = '2026-11';
const ROLE = 'arn:aws:sts::111122223333:assumed-role/TenantAccessRole';
const bedrock = (
  day: string,
  unblendedCost: number,
  tenantId: string | undefined,
  extra: Partial<FixtureLineItem> = {},
): FixtureLineItem => ({
  lineItemType: 'Usage',
  productCode: 'AmazonBedrock',
  usageType: 'USE1-NovaLite-input-tokens',
  day,
  unblendedCost,
  iamPrincipal: `${ROLE}/${tenantId ?? 'platform-job'}`,
  ...(tenantId === undefined
    ? {}
    : { tags: { 'iamPrincipal/TenantId': tenantId, 'iamPrincipal/UserId': 'u1' } }),
  ...extra,
});

/** Two tenants' Bedrock usage, a non-Bedrock line, an untagged call, a credit, a refund, tax, last month. */
const LINE_ITEMS: readonly FixtureLineItem[] = [
  bedrock('2026-11-02', 0.12, 'acme', { description: 'Nova Lite, input tokens\n"per 1K"' }),
  bedrock('2026-11-03', 0.3, 'acme', { usageType: 'USE1-NovaLite-output-tokens' }),
  bedrock('2026-11-04', 1.5, 'globex'),
  { ...bedrock('2026-11-05', -0.05, 'acme'), lineItemType: 'Credit' },
  { ...bedrock('2026-11-06', -0.1, 'globex'), lineItemType: 'Refund' },
  { ...bedrock('2026-11-30', 0.07, undefined), lineItemType: 'Tax', iamPrincipal: '' },
  bedrock('2026-11-07', 0.25, undefined),
  bedrock('2026-10-31', 5, 'acme'),
  {
    lineItemType: 'Usage',
    productCode: 'AmazonS3',
    day: '2026-11-02',
    unblendedCost: 9.99,
    resourceTags: { user_TenantId: 'acme' },
  },
];

const METERED = new Map([
  ['acme', 0.4195],
  ['globex', 1],
  ['initech', 0.2],
  ['idle', 0],
]);

let workDir: string;
const files: Record<'parquet' | 'gzip.parquet' | 'csv' | 'csv.gz', string> = {
  parquet: '',
  'gzip.parquet': '',
  csv: '',
  'csv.gz': '',
};

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'bulkhead-cur-'));
  files.parquet = join(workDir, 'export.snappy.parquet');
  files['gzip.parquet'] = join(workDir, 'export.gzip.parquet');
  files.csv = join(workDir, 'export.csv');
  files['csv.gz'] = join(workDir, 'export.csv.gz');
  await writeCurParquet(files.parquet, LINE_ITEMS);
  await writeCurParquet(files['gzip.parquet'], LINE_ITEMS, 'GZIP');
  await writeCurCsv(files.csv, LINE_ITEMS);
  await writeCurCsv(files['csv.gz'], LINE_ITEMS, true);
});

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

async function reconcile(args: readonly string[], metered: ReadonlyMap<string, number> = METERED) {
  let stdout = '';
  let stderr = '';
  const months: string[] = [];
  const fetchMetered: MeteredCostsFetcher = async (_connection, month) => {
    months.push(month);
    return new Map(metered);
  };
  const code = await runReconcile(
    [...args, '--api', 'http://127.0.0.1:9/prod', '--token', 'operator-token'],
    {},
    { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text) },
    fetchMetered,
  );
  return { code, stdout, stderr, months };
}

describe('npm run report -- reconcile', () => {
  for (const format of ['parquet', 'gzip.parquet', 'csv', 'csv.gz'] as const) {
    it(`reports each tenant, the one-sided and the untagged, and exits ${MISMATCH_EXIT_CODE} on a mismatch (${format})`, async () => {
      const { code, stdout, stderr, months } = await reconcile(['--cur', files[format], '--month', MONTH]);

      expect(stderr).toBe('');
      expect(months).toEqual([MONTH]);
      expect(code).toBe(MISMATCH_EXIT_CODE);
      // Usage only: the credit is shown apart; S3, tax and October are left out.
      expect(stdout).toMatch(/^acme\s+0\.420000\s+0\.419500\s+\+0\.000500\s+-0\.050000\s+ok$/m);
      expect(stdout).toMatch(/^globex\s+1\.500000\s+1\.000000\s+\+0\.500000\s+-0\.100000\s+MISMATCH$/m);
      expect(stdout).toMatch(/^initech \(metered only\)\s+-\s+0\.200000\s+-0\.200000\s+MISMATCH$/m);
      expect(stdout).toMatch(/^untagged\s+0\.250000\s+-\s+\+0\.250000\s+MISMATCH$/m);
      expect(stdout).not.toMatch(/^idle/m);
      expect(stdout).toContain(`untagged usage was called by: ${ROLE}/platform-job`);
      expect(stdout).toContain(
        'line items left out: 1 of other products, 1 of other months, 1 neither usage',
      );
      expect(stdout).toMatch(/^3 mismatch\(es\) beyond tolerance$/m);
    });
  }

  it('reads a month split over several part files (CSV and Parquet) as the one whole file', async () => {
    const firstPart = join(workDir, 'part-00001.csv');
    const secondPart = join(workDir, 'part-00002.snappy.parquet');
    await writeCurCsv(firstPart, LINE_ITEMS.slice(0, 4));
    await writeCurParquet(secondPart, LINE_ITEMS.slice(4));

    const whole = await reconcile(['--cur', files.csv, '--month', MONTH]);
    const parts = await reconcile(['--cur', firstPart, '--cur', secondPart, '--month', MONTH]);

    expect(parts.stderr).toBe('');
    expect(parts).toEqual(whole);
    expect(parts.stdout).toMatch(/^acme\s+0\.420000\s+0\.419500\s+\+0\.000500\s+-0\.050000\s+ok$/m);
  });

  it('exits 0 when every tenant agrees within tolerance, and flags the same month beyond a tighter one', async () => {
    const items = [bedrock('2026-11-02', 0.42, 'acme'), bedrock('2026-11-03', 10, 'globex')];
    const path = join(workDir, 'agreeing.csv');
    await writeCurCsv(path, items);
    const metered = new Map([
      ['acme', 0.415],
      ['globex', 10.05],
    ]);

    const agreeing = await reconcile(['--cur', path, '--month', MONTH], metered);
    const strict = await reconcile(['--cur', path, '--month', MONTH, '--tolerance', '0.1'], metered);

    expect(agreeing.code).toBe(0);
    expect(agreeing.stdout).toMatch(/^no mismatch beyond tolerance$/m);
    expect(strict.code).toBe(MISMATCH_EXIT_CODE);
    expect(strict.stdout).toMatch(/^globex\s+10\.000000\s+10\.050000\s+-0\.050000\s+MISMATCH$/m);
    expect(strict.stdout).toMatch(/^acme\s+.*\s+ok$/m);
  });

  it('compares public on-demand cost when asked', async () => {
    const path = join(workDir, 'public-price.parquet');
    await writeCurParquet(path, [{ ...bedrock('2026-11-02', 0.8, 'acme'), publicOnDemandCost: 1 }]);

    const unblended = await reconcile(['--cur', path, '--month', MONTH], new Map([['acme', 1]]));
    const publicPrice = await reconcile(
      ['--cur', path, '--month', MONTH, '--cost', 'public-on-demand'],
      new Map([['acme', 1]]),
    );

    expect(unblended.code).toBe(MISMATCH_EXIT_CODE);
    expect(publicPrice.code).toBe(0);
    expect(publicPrice.stdout).toContain('CUR (pricing_public_on_demand_cost, by tag iamPrincipal/TenantId)');
  });

  it('reads the tenant from the tags column only: resource_tags (user_ keys) never names it', async () => {
    // What a real export holds: the session tag in `tags` with its iamPrincipal/ prefix; a
    // resource tag in `resource_tags` as user_<key> (and in `tags` as resourceTags/user_<key>).
    const path = join(workDir, 'resource-tags.parquet');
    const items = [
      bedrock('2026-11-02', 0.4, 'acme', { resourceTags: { user_TenantId: 'globex' } }),
      bedrock('2026-11-03', 0.6, undefined, {
        resourceTags: { user_TenantId: 'globex' },
        tags: { 'resourceTags/user_TenantId': 'globex' },
      }),
    ];
    await writeCurParquet(path, items);
    const noTags = join(workDir, 'no-tags.csv');
    await writeCurCsv(noTags, items, false, ['tags']);

    const { code, stdout } = await reconcile(['--cur', path, '--month', MONTH], new Map([['acme', 0.4]]));
    const refused = await reconcile(['--cur', noTags, '--month', MONTH], new Map([['acme', 0.4]]));

    expect(code).toBe(MISMATCH_EXIT_CODE);
    expect(stdout).toMatch(/^acme\s+0\.400000\s+0\.400000\s+0\.000000\s+ok$/m);
    expect(stdout).toMatch(/^untagged\s+0\.600000\s+-\s+\+0\.600000\s+MISMATCH$/m);
    expect(stdout).not.toMatch(/^globex/m);
    expect(refused).toMatchObject({ code: 2, stdout: '' });
    expect(refused.stderr).toMatch(/no-tags\.csv has no tags column: include the tags column in the export/);
  });

  it('refuses --cost public-on-demand on an export without pricing_public_on_demand_cost, naming the column', async () => {
    const path = join(workDir, 'no-public-price.csv');
    await writeCurCsv(path, [bedrock('2026-11-02', 0.42, 'acme')], false, ['pricing_public_on_demand_cost']);

    const unblended = await reconcile(['--cur', path, '--month', MONTH], new Map([['acme', 0.42]]));
    const publicPrice = await reconcile(
      ['--cur', path, '--month', MONTH, '--cost', 'public-on-demand'],
      new Map([['acme', 0.42]]),
    );

    expect(unblended.code).toBe(0);
    expect(publicPrice).toMatchObject({ code: 2, stdout: '' });
    expect(publicPrice.stderr).toMatch(
      /has no pricing_public_on_demand_cost column, which --cost public-on-demand compares: add pricing_public_on_demand_cost to the export's columns/,
    );
  });

  it('tells a CSV too large for one string apart from a broken gzip, and says how to make it smaller', async () => {
    const broken = join(workDir, 'broken.csv.gz');
    await writeFile(broken, gzipSync('line_item_product_code\n').subarray(0, 12));
    // Node refuses to make a string of over about 512 MiB; a test cannot afford a file that big,
    // so the one Buffer#toString of this export's CSV text answers what Node would.
    const realToString = Buffer.prototype.toString;
    const spy = vi.spyOn(Buffer.prototype, 'toString').mockImplementation(function (this: Buffer, ...args) {
      if (this.subarray(0, 21).equals(Buffer.from('identity_line_item_id')))
        throw Object.assign(new Error('Cannot create a string longer than 0x1fffffe8 characters'), {
          code: 'ERR_STRING_TOO_LONG',
        });
      return realToString.apply(this, args);
    });
    let tooLarge: Awaited<ReturnType<typeof reconcile>>;
    try {
      tooLarge = await reconcile(['--cur', files['csv.gz'], '--month', MONTH]);
    } finally {
      spy.mockRestore();
    }
    const notGzip = await reconcile(['--cur', broken, '--month', MONTH]);

    expect(tooLarge).toMatchObject({ code: 2, stdout: '' });
    expect(tooLarge.stderr).toContain('export.csv.gz is too large to read as CSV text');
    expect(tooLarge.stderr).toContain(
      "filter the export to Bedrock first (Data Exports SQL: WHERE line_item_product_code = 'AmazonBedrock')",
    );
    expect(tooLarge.stderr).not.toContain('gzip');
    expect(notGzip).toMatchObject({ code: 2 });
    expect(notGzip.stderr).toContain('broken.csv.gz is not valid gzip');
  });

  it('refuses a file that is not a CUR 2.0 export, and bad arguments, with exit 2', async () => {
    const notCur = join(workDir, 'not-cur.csv');
    await writeFile(notCur, 'name,cost\nacme,1\n');

    const wrongFile = await reconcile(['--cur', notCur, '--month', MONTH]);
    const missingFile = await reconcile(['--cur', join(workDir, 'absent.parquet'), '--month', MONTH]);
    const badMonth = await reconcile(['--cur', files.csv, '--month', '2026-13']);
    const badTolerance = await reconcile(['--cur', files.csv, '--month', MONTH, '--tolerance', 'lots']);

    expect(wrongFile).toMatchObject({ code: 2, stdout: '' });
    expect(wrongFile.stderr).toMatch(
      /is not a CUR 2\.0 export: no line_item_product_code, line_item_line_item_type/,
    );
    expect(missingFile).toMatchObject({ code: 2 });
    expect(missingFile.stderr).toMatch(/cannot read .*absent\.parquet/);
    expect(badMonth).toMatchObject({ code: 2 });
    expect(badMonth.stderr).toMatch(/--month: expected a month as YYYY-MM/);
    expect(badTolerance).toMatchObject({ code: 2 });
    expect(badTolerance.stderr).toMatch(/--tolerance must be a number/);
  });
});

describe('CSV records (RFC 4180)', () => {
  it('reads quoted fields with commas, doubled quotes and line breaks, CRLF or LF, and a BOM', () => {
    const text = '\ufeffa,b,c\r\n"1,5","say ""hi""","two\r\nlines"\n,,"{""k"":""v""}"\r\n';

    expect([...csvRecords(text)]).toEqual([
      { a: '1,5', b: 'say "hi"', c: 'two\r\nlines' },
      { a: '', b: '', c: '{"k":"v"}' },
    ]);
  });

  it('refuses an unterminated quote, a quote inside a bare field and a short record', () => {
    expect(() => [...csvRows('a,b\n"open,1\n')]).toThrow(/opened on line 2 never closes/);
    expect(() => [...csvRows('a,b\nx"y,1\n')]).toThrow(/a quote inside an unquoted field/);
    expect(() => [...csvRows('a\n"q"x\n')]).toThrow(/unexpected "x" after a quoted field/);
    expect(() => [...csvRecords('a,b\n1\n')]).toThrow(/record 1 has 1 fields; the header has 2/);
  });
});

/**
 * `npm run report -- reconcile` end to end: two tenants chat on the local cloud, a CUR 2.0
 * export (Parquet) bills one of them what the platform metered and the other a dollar more,
 * and the command — run as an operator would, against the local API — passes the first,
 * flags the second and exits 3. Other test files' tenants share this cloud, so only these two
 * tenants' lines are asserted.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoPath } from '../../lib/repo-root.js';
import { writeCurParquet } from '../support/cur-fixture.js';
import { type Caller, callAs, OPERATOR, onboard, tokenFor } from './support/api-client.js';
import { cloud, uniqueSuffix } from './support/local-cloud.js';

const run = promisify(execFile);
const suffix = uniqueSuffix();
const [billedRight, billedMore] = ['right', 'more'].map((name) => `zq-cur-${name}-${suffix}`) as [
  string,
  string,
];
const month = new Date().toISOString().slice(0, 7);
let workDir: string;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'bulkhead-reconcile-'));
  await Promise.all([billedRight, billedMore].map((tenantId) => onboard(tenantId, 'basic')));
  for (const tenantId of [billedRight, billedMore]) {
    const user: Caller = { sub: 'payer', tenantId, groups: ['analyst'] };
    expect((await callAs(user, 'POST', '/v1/chat', { message: 'spend a little' })).status).toBe(200);
  }
});

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

describe('npm run report -- reconcile against the local cloud', () => {
  it('passes the tenant billed what was metered, flags the one billed more, and exits 3', async () => {
    const platform = await callAs(OPERATOR, 'GET', `/v1/admin/costs?month=${month}`);
    const metered = new Map(
      (platform.body as { tenants: { tenantId: string; totals: { costUsd: number } }[] }).tenants.map(
        (tenant) => [tenant.tenantId, tenant.totals.costUsd],
      ),
    );
    const costOf = (tenantId: string): number => metered.get(tenantId) ?? Number.NaN;
    expect(costOf(billedRight)).toBeGreaterThan(0);
    expect(costOf(billedMore)).toBeGreaterThan(0);
    const day = `${month}-01`;
    const line = (tenantId: string, unblendedCost: number) => ({
      lineItemType: 'Usage',
      productCode: 'AmazonBedrock',
      day,
      unblendedCost,
      tags: { 'iamPrincipal/TenantId': tenantId },
    });
    const cur = join(workDir, 'export.parquet');
    // The right tenant's cost in two line items (input and output tokens), as AWS splits it.
    await writeCurParquet(cur, [
      line(billedRight, costOf(billedRight) / 4),
      line(billedRight, (costOf(billedRight) * 3) / 4),
      line(billedMore, costOf(billedMore) + 1),
    ]);

    const failure = await run(
      'npm',
      [
        'run',
        '--silent',
        'report',
        '--',
        'reconcile',
        '--cur',
        cur,
        '--month',
        month,
        '--api',
        cloud.apiEndpoint,
        '--token',
        await tokenFor(OPERATOR),
      ],
      { cwd: repoPath('.'), timeout: 45_000 },
    ).then(
      () => undefined,
      (err: unknown) => err as { code: number; stdout: string; stderr: string },
    );

    expect(failure?.stderr).toBe('');
    expect(failure?.code).toBe(3);
    expect(failure?.stdout).toMatch(
      new RegExp(`^${billedRight}\\s+\\d+\\.\\d{6}\\s+\\d+\\.\\d{6}\\s+[+-]?0\\.000000\\s+ok$`, 'm'),
    );
    expect(failure?.stdout).toMatch(
      new RegExp(`^${billedMore}\\s+\\d+\\.\\d{6}\\s+\\d+\\.\\d{6}\\s+\\+1\\.000000\\s+MISMATCH$`, 'm'),
    );
  });
});

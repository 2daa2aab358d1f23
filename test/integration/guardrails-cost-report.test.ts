/**
 * The operator's cost report (issue 5): `npm run report -- --format html` against the local API
 * with an operator token, on usage seeded here, writes a self-contained page that headless
 * Chromium renders; the rendered DOM has the charts and tables, and a bar and a row for each
 * seeded tenant with usage. Chromium is required: without it this test fails (CI installs it).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoPath } from '../../lib/repo-root.js';
import { chromiumCommand } from '../../local/prerequisites.js';
import { type Caller, callAs, OPERATOR, onboard, tokenFor } from './support/api-client.js';
import { cloud, uniqueSuffix } from './support/local-cloud.js';

const run = promisify(execFile);
const suffix = uniqueSuffix();
const seeded = ['a', 'b', 'c'].map((name) => `zq-report-${name}-${suffix}`);
const month = new Date().toISOString().slice(0, 7);
let workDir: string;

/** The page as headless Chromium parsed and rendered it. */
async function renderedDom(page: string): Promise<string> {
  // The Chromium the prerequisites check found; none is a failure, not a skip (its message says how to install one).
  const { stdout } = await run(
    await chromiumCommand(),
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      `--user-data-dir=${join(workDir, 'chromium-profile')}`,
      '--dump-dom',
      `file://${page}`,
    ],
    { timeout: 45_000, maxBuffer: 32 * 1024 * 1024 },
  );
  return stdout;
}

/** The markup of the element with this id (an `<svg>` or `<table>`), as rendered. */
function elementById(dom: string, tag: 'svg' | 'table', id: string): string {
  const start = dom.indexOf(`<${tag} id="${id}"`);
  if (start === -1) return '';
  return dom.slice(start, dom.indexOf(`</${tag}>`, start));
}

const occurrences = (text: string, needle: string): number => text.split(needle).length - 1;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'bulkhead-report-'));
  await Promise.all(seeded.map((tenantId) => onboard(tenantId, 'basic')));
  await Promise.all(
    seeded.map(async (tenantId, n) => {
      const user: Caller = { sub: `payer-${n}`, tenantId, groups: ['analyst'] };
      for (let turn = 0; turn <= n; turn += 1) {
        expect((await callAs(user, 'POST', '/v1/chat', { message: `spend ${turn}` })).status).toBe(200);
      }
    }),
  );
});

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

describe('the HTML cost report', () => {
  it('renders in headless Chromium with the charts, the tables and every seeded tenant', async () => {
    const page = join(workDir, 'costs.html');
    const operatorToken = await tokenFor(OPERATOR);

    await run(
      'npm',
      [
        'run',
        '--silent',
        'report',
        '--',
        '--month',
        month,
        '--format',
        'html',
        '--api',
        cloud.apiEndpoint,
        '--token',
        operatorToken,
        '--out',
        page,
      ],
      { cwd: repoPath('.'), timeout: 45_000 },
    );

    const html = await readFile(page, 'utf8');
    expect(html).not.toMatch(/\b(?:src|href)="(?:https?:)?\/\//);
    const dom = await renderedDom(page);
    const bars = elementById(dom, 'svg', 'cost-per-tenant');
    const totals = elementById(dom, 'table', 'tenant-totals');
    expect(bars).not.toBe('');
    expect(elementById(dom, 'svg', 'daily-trend')).not.toBe('');
    expect(elementById(dom, 'table', 'top-users')).not.toBe('');
    expect(totals).not.toBe('');
    for (const tenantId of seeded) {
      expect({ tenantId, bars: occurrences(bars, `<rect data-tenant="${tenantId}"`) }).toEqual({
        tenantId,
        bars: 1,
      });
      expect({ tenantId, rows: occurrences(totals, `<tr data-tenant="${tenantId}"`) }).toEqual({
        tenantId,
        rows: 1,
      });
    }
    // The operator's own view of the same month agrees on who was billed.
    const platform = await callAs(OPERATOR, 'GET', `/v1/admin/costs?month=${month}`);
    const billed = (platform.body as { tenants: { tenantId: string }[] }).tenants.map((t) => t.tenantId);
    expect(billed).toEqual(expect.arrayContaining(seeded));
  });
});

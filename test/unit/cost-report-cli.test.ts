/**
 * The cost-report CLI against a tiny local HTTP server that serves a canned
 * `GET /v1/admin/costs` answer (and refuses bad tokens as the API would).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCostReport } from '../../bin/report/cli.js';
import { formatUsd } from '../../bin/report/html-report.js';
import type { PlatformCosts } from '../../lambdas/metering/platform-costs.js';

const OPERATOR_TOKEN = 'operator-token';
const READER_TOKEN = 'reader-token';
const ROOT = join(import.meta.dirname, '..', '..');

const usage = (costUsd: number, calls: number) => ({
  costUsd,
  inputTokens: calls * 100,
  outputTokens: calls * 50,
  calls,
});

const REPORT: PlatformCosts = {
  month: '2026-11',
  tenants: [
    {
      tenantId: 'evil-co',
      name: '<script>alert("x")</script>',
      tier: 'basic',
      totals: usage(0.5, 5),
      byModel: [
        { modelId: 'amazon.nova-lite-v1:0', ...usage(0.4, 4) },
        { modelId: 'amazon.titan-embed-text-v2:0', ...usage(0.1, 1) },
      ],
      byDay: [
        { date: '2026-11-02', ...usage(0.2, 2) },
        { date: '2026-11-03', ...usage(0.3, 3) },
      ],
      topUsers: [{ userId: 'mallory', ...usage(0.5, 5) }],
    },
    {
      tenantId: 'acme',
      name: 'Acme, "Inc"',
      tier: 'premium',
      totals: usage(0.25, 2),
      byModel: [{ modelId: 'amazon.nova-micro-v1:0', ...usage(0.25, 2) }],
      byDay: [{ date: '2026-11-03', ...usage(0.25, 2) }],
      topUsers: [{ userId: 'alice', ...usage(0.25, 2) }],
    },
  ],
};

let server: Server;
let baseUrl: string;
const requests: Array<{ url: string; authorization: string | undefined }> = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    requests.push({ url: request.url ?? '', authorization: request.headers.authorization });
    const reply = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    const error = (status: number, code: string) =>
      reply(status, { error: { code, message: `${code} (test)`, requestId: 'r' } });
    if (!request.url?.startsWith('/prod/v1/admin/costs')) return error(404, 'not_found');
    if (request.headers.authorization === `Bearer ${READER_TOKEN}`) return error(403, 'forbidden');
    if (request.headers.authorization === 'Bearer crash') return error(500, 'internal_error');
    if (request.headers.authorization !== `Bearer ${OPERATOR_TOKEN}`) return error(401, 'unauthenticated');
    return reply(200, REPORT);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/prod`;
});

afterAll(async () => {
  await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
});

/** Runs the CLI in-process; returns its exit code and output. */
async function report(argv: string[], env: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const code = await runCostReport(argv, env, {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
  });
  return { code, stdout, stderr };
}

const withApi = (...argv: string[]) => ['--api', baseUrl, '--token', OPERATOR_TOKEN, ...argv];

describe('cost-report CLI', () => {
  it.each([
    ['no --api', ['--token', 't'], /--api \(or BULKHEAD_API_URL\) is required/],
    ['no --token', ['--api', 'https://api.example.com'], /--token \(or BULKHEAD_TOKEN\) is required/],
    ['a bad month', ['--api', 'https://a.example', '--token', 't', '--month', '2026-13'], /--month/],
    [
      'a bad format',
      ['--api', 'https://a.example', '--token', 't', '--format', 'pdf'],
      /--format must be one of/,
    ],
    [
      'an unknown option',
      ['--api', 'https://a.example', '--token', 't', '--tenant', 'acme'],
      /Unknown option/,
    ],
    ['plain http off loopback', ['--api', 'http://api.example.com', '--token', 't'], /https/],
    ['a non-URL', ['--api', 'not a url', '--token', 't'], /not a URL/],
  ])('exits 2 with a clear message for %s, without calling the API', async (_label, argv, message) => {
    const before = requests.length;

    const result = await report(argv);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toContain('usage: npm run report');
    expect(result.stdout).toBe('');
    expect(requests.length).toBe(before);
  });

  it('exits 2 when the API answers 401 or 403, naming the refusal', async () => {
    const unauthenticated = await report(['--api', baseUrl, '--token', 'wrong']);
    const forbidden = await report(['--api', baseUrl, '--token', READER_TOKEN]);

    expect(unauthenticated.code).toBe(2);
    expect(unauthenticated.stderr).toMatch(/token is missing, invalid or expired.*unauthenticated/);
    expect(forbidden.code).toBe(2);
    expect(forbidden.stderr).toMatch(/operator role is required.*forbidden/);
  });

  it('exits 1 when the API fails', async () => {
    const result = await report(['--api', baseUrl, '--token', 'crash']);

    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/the API failed: internal_error/);
  });

  it('prints the API payload as JSON, asking for the month with the operator token', async () => {
    const result = await report(withApi('--month', '2026-11'));

    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual(REPORT);
    expect(requests.at(-1)).toEqual({
      url: '/prod/v1/admin/costs?month=2026-11',
      authorization: `Bearer ${OPERATOR_TOKEN}`,
    });
  });

  it('takes the API and token from BULKHEAD_API_URL and BULKHEAD_TOKEN', async () => {
    const result = await report([], { BULKHEAD_API_URL: baseUrl, BULKHEAD_TOKEN: OPERATOR_TOKEN });

    expect(result.code).toBe(0);
    expect(requests.at(-1)?.url).toBe('/prod/v1/admin/costs');
  });

  it('writes CSV with one row per tenant and model, quoting and defusing text cells', async () => {
    const result = await report(withApi('--format', 'csv'));

    expect(result.code).toBe(0);
    expect(result.stdout.split('\n')).toEqual([
      'month,tenantId,tenantName,tier,modelId,inputTokens,outputTokens,calls,costUsd',
      '2026-11,evil-co,"<script>alert(""x"")</script>",basic,amazon.nova-lite-v1:0,400,200,4,0.400000000',
      '2026-11,evil-co,"<script>alert(""x"")</script>",basic,amazon.titan-embed-text-v2:0,100,50,1,0.100000000',
      '2026-11,acme,"Acme, ""Inc""",premium,amazon.nova-micro-v1:0,200,100,2,0.250000000',
      '',
    ]);
  });

  it('writes one self-contained HTML page with the charts and tables, escaping every text', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cost-report-'));
    try {
      const out = join(dir, 'costs.html');
      const result = await report(withApi('--format', 'html', '--out', out));
      const html = await readFile(out, 'utf8');

      expect(result).toEqual({ code: 0, stdout: '', stderr: '' });
      expect(html).toMatch(/^<!doctype html>/);
      expect(html).toMatch(/<svg id="cost-per-tenant"[^>]*>/);
      expect(html.match(/<rect data-tenant="[^"]+"/g)).toEqual([
        '<rect data-tenant="evil-co"',
        '<rect data-tenant="acme"',
      ]);
      expect(html).toMatch(/<svg id="daily-trend"[^>]*>.*<polyline points="[^"]+"/s);
      expect(html).toContain('<table id="top-users">');
      expect(html.match(/<tr data-tenant="[^"]+"/g)).toEqual(
        expect.arrayContaining(['<tr data-tenant="evil-co"', '<tr data-tenant="acme"']),
      );
      expect(html).toMatch(
        /<table id="tenant-totals">.*<tr data-tenant="evil-co">.*<tr data-tenant="acme">/s,
      );
      expect(html).toContain('mallory');
      // Escaped, never live markup; nothing loaded from elsewhere.
      expect(html).not.toContain('<script');
      expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
      expect(html).toContain('Acme, &quot;Inc&quot;');
      expect(html).not.toMatch(/\b(src|href)=|url\(|@import|https?:\/\//i);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('runs as `npm run report` does, exiting 2 on missing arguments and printing JSON on success', async () => {
    const run = promisify(execFile);
    const cli = [join(ROOT, 'node_modules', '.bin', 'tsx'), join(ROOT, 'bin', 'cost-report.ts')] as const;
    const env = { ...process.env, BULKHEAD_API_URL: '', BULKHEAD_TOKEN: '' };

    const failed = await run(cli[0], [cli[1]], { env }).then(
      () => ({ code: 0, stderr: '' }),
      (err: { code: number; stderr: string }) => ({ code: err.code, stderr: err.stderr }),
    );
    const succeeded = await run(cli[0], [cli[1], ...withApi('--month', '2026-11')], { env });

    expect(failed.code).toBe(2);
    expect(failed.stderr).toMatch(/--api \(or BULKHEAD_API_URL\) is required/);
    expect(JSON.parse(succeeded.stdout)).toEqual(REPORT);
  });
});

describe('formatUsd', () => {
  it('shows cents, and two significant digits below a cent instead of rounding to zero', () => {
    expect(formatUsd(12.345)).toBe('$12.35');
    expect(formatUsd(0)).toBe('$0.00');
    expect(formatUsd(0.0012345)).toBe('$0.0012');
    expect(formatUsd(2.2e-7)).toBe('$0.00000022');
  });
});

/** The capacity CLI: flags, clear errors with exit code 2, and the files it writes. */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  DOCS_BEGIN,
  DOCS_END,
  parseCapacityArgs,
  replaceGeneratedBlock,
  runCapacityCli,
} from '../../bench/capacity/cli.js';

const ROOT = join(import.meta.dirname, '..', '..');
const FAST = [
  '--tenants',
  '20',
  '--users',
  '400',
  '--warmup-s',
  '100',
  '--measure-s',
  '200',
  '--sampled-envs',
  '2',
];

function capture() {
  const out = { stdout: '', stderr: '' };
  return {
    out,
    io: {
      stdout: (text: string) => {
        out.stdout += text;
      },
      stderr: (text: string) => {
        out.stderr += text;
      },
    },
  };
}

describe('capacity CLI', () => {
  it('reads the flags over the defaults', () => {
    const plan = parseCapacityArgs([
      '--tenants',
      '5000',
      '--users',
      '500000',
      '--rps',
      '1000,2000',
      '--seed',
      '7',
    ]);

    expect(plan.options.tenants).toBe(5_000);
    expect(plan.options.users).toBe(500_000);
    expect(plan.options.rps).toEqual([1_000, 2_000]);
    expect(plan.options.seed).toBe(7);
    expect(plan.options.cacheSize).toBe(500);
    expect(plan.json).toBe(false);
  });

  it.each([
    [['--rps', 'fast'], /--rps must be a number, got "fast"/],
    [['--rps=-5'], /--rps must be at least 0, got "-5"/],
    [['--rps', '50,0'], /--rps loads must be positive, got "0"/],
    [['--tenants', '2.5'], /--tenants must be a whole number/],
    [['--tenants', '10', '--users', '5'], /--users \(5\) must be at least --tenants \(10\)/],
    [['--model', 'gpt-9'], /--model gpt-9 has no price in table 2026-12/],
    [['--lifetime-min-s', '900', '--lifetime-max-s', '300'], /--lifetime-min-s must not exceed/],
    [['--frobnicate'], /Unknown option '--frobnicate'/],
    [['--prices', '/nonexistent/prices.json'], /cannot read the price table/],
  ])('refuses %j with a message and exit code 2', (argv, message) => {
    const { out, io } = capture();

    const code = runCapacityCli(argv, io);

    expect(code).toBe(2);
    expect(out.stderr).toMatch(message);
    expect(out.stderr).toMatch(/usage: npm run capacity/);
    expect(out.stdout).toBe('');
  });

  it('exits the process with code 2 on a bad flag', async () => {
    const run = promisify(execFile)('npx', ['tsx', 'bench/capacity/main.ts', '--users', 'many'], {
      cwd: ROOT,
    });

    await expect(run).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--users must be a number/),
    });
  });

  it('prints the tables, and writes JSON, markdown, the chart and the docs block', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'capacity-'));
    try {
      const docs = join(dir, 'doc.md');
      await writeFile(docs, `# Doc\n\n${DOCS_BEGIN}\nstale-generated-block\n${DOCS_END}\n\nafter\n`);
      const { out, io } = capture();

      const code = runCapacityCli(
        [
          ...FAST,
          '--rps',
          '5,50',
          '--chart-rps',
          '5,20',
          '--out',
          dir,
          '--chart',
          join(dir, 'c.svg'),
          '--docs',
          docs,
        ],
        io,
      );

      expect(code).toBe(0);
      expect(out.stdout).toMatch(/\| 50 \| 75 \|/);
      const report = JSON.parse(await readFile(join(dir, 'capacity.json'), 'utf8'));
      expect(report.rows).toHaveLength(2);
      expect(await readFile(join(dir, 'capacity.md'), 'utf8')).toMatch(/Cost per 1,000 chat turns/);
      expect(await readFile(join(dir, 'c.svg'), 'utf8')).toMatch(/^<svg[\s\S]*<path[\s\S]*<\/svg>\n$/);
      const doc = await readFile(docs, 'utf8');
      expect(doc).not.toMatch(/stale-generated-block/);
      expect(doc).toMatch(/Sessions and concurrency[\s\S]*capacity:end -->\n\nafter\n$/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses a docs file without the markers', () => {
    expect(() => replaceGeneratedBlock('# no markers', 'x')).toThrow(/no capacity markers/);
  });
});

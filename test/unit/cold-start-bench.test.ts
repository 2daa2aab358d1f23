/**
 * The cold-start benchmark's init probe: what it reports about a module, not how long it took
 * (init times live in the benchmark only).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleModuleInit } from '../../bench/cold-start/module-init.js';

let dir: string;

/** Writes an ESM module into the fixture directory and returns its path. */
function fixture(name: string, source: string): string {
  const path = join(dir, name);
  writeFileSync(path, source);
  return path;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'bulkhead-cold-start-probe-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('the module init probe', () => {
  it('reports a handler module that opens no connection at init', () => {
    const bundlePath = fixture('quiet.mjs', 'export const handler = async () => ({ statusCode: 200 });\n');

    const sample = sampleModuleInit({ functionName: 'Quiet', bundlePath, environment: {} }, process.execPath);

    expect(sample).toMatchObject({ exportsHandler: true, connections: [] });
    expect(sample.initMs).toBeGreaterThan(0);
  });

  it('records a call that init fires without awaiting, at the closed AWS endpoint', () => {
    const bundlePath = fixture(
      'calls-at-init.mjs',
      [
        "import http from 'node:http';",
        "http.get(process.env.AWS_ENDPOINT_URL).on('error', () => {});",
        'export const handler = async () => ({ statusCode: 200 });',
        '',
      ].join('\n'),
    );

    const sample = sampleModuleInit(
      { functionName: 'Chatty', bundlePath, environment: {} },
      process.execPath,
    );

    expect(sample.connections).toEqual(['127.0.0.1:9']);
  });

  it('gives the module the function’s environment and the runtime’s awslambda global', () => {
    const bundlePath = fixture(
      'reads-env.mjs',
      [
        "if (process.env.TABLE_NAME !== 'orders') throw new Error('TABLE_NAME is not set');",
        'export const handler = awslambda.streamifyResponse(async () => undefined);',
        '',
      ].join('\n'),
    );

    const sample = sampleModuleInit(
      { functionName: 'Streams', bundlePath, environment: { TABLE_NAME: 'orders' } },
      process.execPath,
    );

    expect(sample.exportsHandler).toBe(true);
  });
});

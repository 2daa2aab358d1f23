import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConsoleServer, startConsoleServer } from '../../local/console-server.js';

// A stand-in build: index.html and one asset, inside a folder that has a secret next to it.
const root = mkdtempSync(join(tmpdir(), 'console-server-'));
const dist = join(root, 'dist');
let server: ConsoleServer;

beforeAll(async () => {
  mkdirSync(join(dist, 'assets'), { recursive: true });
  writeFileSync(join(dist, 'index.html'), '<!doctype html><title>console</title>');
  writeFileSync(join(dist, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(join(root, 'secret.txt'), 'outside the build');
  server = await startConsoleServer(0, dist);
});

afterAll(async () => {
  await server.stop();
  rmSync(root, { recursive: true, force: true });
});

/** A raw request path, sent as is (fetch would resolve `..` segments before sending). */
async function get(path: string): Promise<{ status: number; text: string }> {
  const url = new URL(server.origin);
  return new Promise((resolve, reject) => {
    request({ host: url.hostname, port: url.port, path, method: 'GET' }, (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => {
        text += chunk.toString();
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
    })
      .on('error', reject)
      .end();
  });
}

describe('the local console host', () => {
  it('serves the build and falls back to index.html for app routes', async () => {
    expect(await get('/console/assets/app.js')).toEqual({ status: 200, text: 'console.log(1)' });
    expect((await get('/console/tenants')).text).toContain('<title>console</title>');
  });

  it.each([
    '/console/../secret.txt',
    '/console/..%2fsecret.txt',
    '/console/assets/..%2f..%2fsecret.txt',
    '/console/%2e%2e%2fsecret.txt',
  ])('never serves a file outside the build: %s', async (path) => {
    const answer = await get(path);
    expect(answer.text).not.toContain('outside the build');
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.status).toBeLessThan(500);
  });

  it('sends / and /console to /console/, as the distribution does', async () => {
    for (const path of ['/', '/console']) expect((await get(path)).status, path).toBe(301);
  });

  it('answers malformed percent-encoding with 400 and keeps serving', async () => {
    expect((await get('/console/%E0%A4%A.js')).status).toBe(400);
    expect((await get('/console/assets/app.js')).status).toBe(200);
  });
});

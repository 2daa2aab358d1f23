/**
 * The typed client's examples (`packages/client/examples/`), each run as an adopter runs it —
 * `tsx <example>` with BULKHEAD_API_URL and BULKHEAD_TOKEN — against the local cloud's API
 * Gateway, through `@bulkhead/client` and openapi-fetch. Each must exit 0 and print what the API
 * answered; a refused call must exit 1 with the API's error code.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoPath } from '../../lib/repo-root.js';
import { type Caller, onboard, tokenFor } from './support/api-client.js';
import { cloud, uniqueSuffix } from './support/local-cloud.js';

const run = promisify(execFile);
const suffix = uniqueSuffix();
const tenant = `client-${suffix}`;
const analyst: Caller = { sub: 'cleo', tenantId: tenant, groups: ['analyst'] };
const admin: Caller = { sub: 'carl', tenantId: tenant, groups: ['admin'] };

/** Runs one example with a demo user's token (or the given token); resolves with its exit code and output (a non-zero exit is an answer, not a throw). */
async function example(name: string, caller: Caller | string | undefined, args: readonly string[] = []) {
  const token = caller === undefined ? '' : typeof caller === 'string' ? caller : await tokenFor(caller);
  const env = { ...process.env, BULKHEAD_API_URL: cloud.apiEndpoint, BULKHEAD_TOKEN: token };
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ['--import', 'tsx', repoPath(`packages/client/examples/${name}.ts`), ...args],
      { env, cwd: repoPath('.'), timeout: 45_000 },
    );
    return { code: 0, stdout, stderr };
  } catch (err) {
    // execFile rejects a non-zero exit with the code and the output on the error.
    if (!(err instanceof Error)) throw err;
    const output = (name: string) => String(Reflect.get(err, name) ?? '');
    return { code: Reflect.get(err, 'code'), stdout: output('stdout'), stderr: output('stderr') };
  }
}

beforeAll(async () => {
  await onboard(tenant, 'basic');
});

describe('the client examples against the local cloud', () => {
  it('who-am-i prints the tenant, user and roles of the token', async () => {
    const answer = await example('who-am-i', analyst);

    expect(answer).toMatchObject({ code: 0 });
    expect(answer.stdout).toContain(`tenant ${tenant}, user cleo, roles analyst`);
  });

  it('remember-a-fact stores a fact and lists it back', async () => {
    const answer = await example('remember-a-fact', analyst, [`likes typed clients ${suffix}`]);

    expect(answer).toMatchObject({ code: 0 });
    expect(answer.stdout).toMatch(new RegExp(`remembered [0-9a-f-]{36}: likes typed clients ${suffix}`));
    expect(answer.stdout).toContain(`- likes typed clients ${suffix}`);
  });

  it('chat prints the agent’s reply, the session and the tokens', async () => {
    const answer = await example('chat', analyst, ['hello from the client']);

    expect(answer).toMatchObject({ code: 0 });
    expect(answer.stdout).toMatch(/session [0-9a-f-]{36} · \d+ tokens in, \d+ out/);
  });

  it('stream-chat writes the streamed answer and ends with the done event', async () => {
    const answer = await example('stream-chat', analyst, ['hello, streamed']);

    expect(answer).toMatchObject({ code: 0 });
    // The text events' words come before the done event's line.
    const [text = ''] = answer.stdout.split(/\n?session [0-9a-f-]{36}/);
    expect(text.trim().length).toBeGreaterThan(0);
    expect(answer.stdout).toMatch(/session [0-9a-f-]{36} · \d+ tokens out/);
  });

  it('stream-chat exits 1 with the API’s 401 for a bad token', async () => {
    const answer = await example('stream-chat', 'not.a.token', ['hello, streamed']);

    expect(answer).toMatchObject({ code: 1, stdout: '' });
    expect(answer.stderr).toContain('HTTP 401: unauthorized');
  });

  it('my-costs prints the month’s costs to a tenant admin, and exits 1 with forbidden for an analyst', async () => {
    const month = new Date().toISOString().slice(0, 7);
    const allowed = await example('my-costs', admin, [month]);
    const refused = await example('my-costs', analyst, [month]);

    expect(allowed).toMatchObject({ code: 0 });
    expect(allowed.stdout).toMatch(new RegExp(`^${month}: \\$\\d+\\.\\d{6} over \\d+ model calls`));
    expect(allowed.stdout).toContain('user cleo');
    expect(refused).toMatchObject({ code: 1 });
    expect(refused.stderr).toContain('HTTP 403: forbidden');
  });

  it('every example refuses to start without a token, and the API refuses a bad one', async () => {
    const missing = await example('who-am-i', undefined);
    const bad = await example('who-am-i', 'not.a.token');

    expect(missing).toMatchObject({ code: 2 });
    expect(missing.stderr).toContain('Set BULKHEAD_API_URL');
    expect(bad).toMatchObject({ code: 1 });
    expect(bad.stderr).toContain('HTTP 401: unauthorized');
  });
});

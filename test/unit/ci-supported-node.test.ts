/**
 * `.ci/run`'s Node.js selection (.ci/supported-node.sh), run by bash with fake `node` and `npm`
 * on PATH: the version range agrees with package.json engines, and a switch that still leaves an
 * old Node fails with a message instead of going on.
 */
import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoPath } from '../../lib/repo-root.js';
import { nodeVersionSatisfies, supportedNodeRange } from '../../local/prerequisites.js';

const run = promisify(execFile);
const SCRIPT = repoPath('.ci/supported-node.sh');
let workDir: string;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'bulkhead-ci-node-'));
});

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

async function program(dir: string, name: string, output: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, name);
  await writeFile(path, `#!/bin/sh\necho '${output}'\n`);
  await chmod(path, 0o755);
  return path;
}

/** Runs `command` in bash with the script sourced and only `dirs` (and /usr/bin:/bin for coreutils) on PATH. */
async function bash(command: string, dirs: readonly string[]) {
  try {
    const { stdout, stderr } = await run('bash', ['-c', `source ${SCRIPT}; ${command}`], {
      env: { PATH: [...dirs, '/usr/bin', '/bin'].join(':') },
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const field = (name: string) => (err instanceof Error ? Reflect.get(err, name) : undefined);
    return {
      code: field('code'),
      stdout: String(field('stdout') ?? ''),
      stderr: String(field('stderr') ?? ''),
    };
  }
}

describe('.ci/run on the Node.js it finds', () => {
  it('accepts exactly the versions package.json engines accepts', async () => {
    const range = supportedNodeRange();
    for (const version of [
      '20.20.2',
      '22.0.0',
      '22.12.9',
      '22.13.0',
      '22.20.1',
      '23.11.0',
      '24.0.0',
      '25.1.0',
    ]) {
      const { code } = await bash(`node_version_supported v${version}`, []);
      expect(code === 0, version).toBe(nodeVersionSatisfies(version, range));
    }
  });

  it('keeps a supported system Node, and switches an old one to the registry’s Node 22', async () => {
    const system = join(workDir, 'system');
    const registry = join(workDir, 'registry');
    const registryNode = await program(registry, 'node', 'v22.14.0');
    await program(system, 'npm', registryNode);

    await program(system, 'node', 'v22.13.1');
    const kept = await bash('use_supported_node && node --version', [system]);
    await program(system, 'node', 'v22.12.0');
    const switched = await bash('use_supported_node && node --version', [system]);

    expect(kept).toMatchObject({ code: 0, stdout: 'v22.13.1\n' });
    expect(switched.code).toBe(0);
    expect(switched.stdout).toBe(
      `System Node.js v22.12.0 is older than 22.13; using v22.14.0 from the npm registry (${registryNode})\nv22.14.0\n`,
    );
  });

  it('fails with a message when the Node after the switch is still too old', async () => {
    const system = join(workDir, 'old-system');
    const registry = join(workDir, 'old-registry');
    const registryNode = await program(registry, 'node', 'v22.1.0');
    await program(system, 'npm', registryNode);
    await program(system, 'node', 'v20.20.2');

    const { code, stdout, stderr } = await bash('use_supported_node && echo went on', [system]);

    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain(
      `Node.js v20.20.2 is older than 22.13, and after switching PATH to ${registryNode} \`node\` is still v22.1.0`,
    );
  });
});

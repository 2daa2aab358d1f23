/**
 * What each function really ships: every handler is bundled by esbuild the way the house
 * function construct bundles it (ESM, `module` before `main`, node target), and the bundle's
 * metafile lists every input file. None may come from the infrastructure code, the tests, the
 * benchmarks or the local cloud, nor from CDK, cdk-nag, the AGPL IAM simulator or the toolchain.
 */
import { relative } from 'node:path';
import { type BuildOptions, build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { HANDLER_ENTRIES } from '../../lib/bulkhead-stack.js';
import { REPO_ROOT, repoPath } from '../../lib/repo-root.js';

const FORBIDDEN_PACKAGES = [
  'aws-cdk-lib',
  'constructs',
  'cdk-nag',
  '@cloud-copilot',
  'esbuild',
  'vitest',
  'tsx',
];
const FORBIDDEN_DIRS = ['lib/', 'test/', 'bench/', 'local/', 'bin/'];

/** The same bundle shape as lib/house-function.ts (what NodejsFunction hands esbuild). */
const BUNDLE_OPTIONS: BuildOptions = {
  bundle: true,
  write: false,
  metafile: true,
  platform: 'node',
  format: 'esm',
  target: 'node24',
  mainFields: ['module', 'main'],
  logLevel: 'silent',
};

/** Every input file of one bundle, as esbuild's metafile names them (repo-relative). */
async function inputsOf(entry: Pick<BuildOptions, 'entryPoints' | 'stdin'>): Promise<string[]> {
  const result = await build({ ...BUNDLE_OPTIONS, ...entry });
  return Object.keys(result.metafile?.inputs ?? {});
}

/** The inputs a Lambda must never ship, as repo-relative paths. */
function forbiddenInputs(inputs: readonly string[]): string[] {
  return inputs.filter((input) => {
    const path = relative(REPO_ROOT, repoPath(input)).replaceAll('\\', '/');
    const packageName = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1];
    if (packageName !== undefined)
      return FORBIDDEN_PACKAGES.some((name) => packageName === name || packageName.startsWith(`${name}/`));
    return FORBIDDEN_DIRS.some((dir) => path.startsWith(dir));
  });
}

describe('the functions’ real bundles', () => {
  it.each(Object.entries(HANDLER_ENTRIES))(
    '%s ships no infrastructure, test or toolchain code',
    async (_name, entry) => {
      const inputs = await inputsOf({ entryPoints: [repoPath(entry)] });

      expect(inputs).toContain(entry);
      expect(forbiddenInputs(inputs)).toEqual([]);
    },
  );

  it.each([
    ["lib's tenant policy", "import '../../lib/tenant-policy.js';", 'lib/tenant-policy.ts'],
    ['the IAM simulator', "import '@cloud-copilot/iam-simulate';", '@cloud-copilot'],
    ['aws-cdk-lib', "import 'aws-cdk-lib/aws-iam';", 'aws-cdk-lib'],
    ['a test helper', "import '../../test/support/iam-evaluation.js';", 'test/support/iam-evaluation.ts'],
  ])('catches a handler that imports %s', async (_label, contents, expected) => {
    const inputs = await inputsOf({ stdin: { contents, resolveDir: repoPath('lambdas/handlers') } });

    expect(forbiddenInputs(inputs).join('\n')).toContain(expected);
  });
});

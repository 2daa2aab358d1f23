/**
 * The Node.js the functions run on in Lambda (nodejs24.x), taken from the npm registry's `node`
 * package through npx, so init is measured on Lambda's major version whatever runs the bench.
 */
import { execFileSync } from 'node:child_process';

/** The Lambda runtime's Node.js major version (lib/house-function.ts: NODEJS_24_X). */
export const LAMBDA_NODE_MAJOR = 24;

export interface NodeRuntime {
  /** Absolute path of the `node` binary. */
  readonly binary: string;
  /** Its `process.version`, e.g. `v24.21.0`. */
  readonly version: string;
  /** Set when this is not Lambda's major version: why npx could not provide it. */
  readonly fallbackReason?: string;
}

/** Where `node` reports itself to be, and its version. */
function describe(command: string, args: readonly string[]): NodeRuntime {
  const [binary = '', version = ''] = execFileSync(
    command,
    [...args, '--print', 'process.execPath + "\\n" + process.version'],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  )
    .trim()
    .split('\n');
  return { binary, version };
}

/**
 * Node.js `LAMBDA_NODE_MAJOR` from the npm registry (npx caches it after the first run); when
 * npx cannot get it, the Node.js running this process, so the report can say which it measured.
 */
export function lambdaNodeRuntime(): NodeRuntime {
  try {
    return describe('npx', ['--yes', '--package', `node@${LAMBDA_NODE_MAJOR}`, 'node']);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    return { binary: process.execPath, version: process.version, fallbackReason: reason };
  }
}

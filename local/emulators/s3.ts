/**
 * S3: our own small in-memory S3 server on 127.0.0.1, path-style, with object versioning, delete
 * markers and Object Lock retention (`local/emulators/s3-*.ts`). No npm S3 emulator that runs on
 * Node 20 has versions or Object Lock (fauxqs 1.x has neither; 2.x needs Node 22), and the
 * template's tenant buckets are versioned. It checks no signatures: the front door does.
 *
 * With a data directory, every bucket (settings, versions, delete markers, retention) is written
 * to `<bucket>.json` on stop and read back on start.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { basename, join } from 'node:path';
import { closeServer, LOOPBACK, listenOnLoopback, readBody } from '../net.js';
import type { EmulatorResponse } from './emulator-response.js';
import { handleS3Request } from './s3-dispatch.js';
import { notImplemented, S3Error } from './s3-errors.js';
import type { S3Context, S3Request } from './s3-operation.js';
import { receivedBody } from './s3-request-body.js';
import { type BucketConfiguration, type BucketSnapshot, S3Store } from './s3-store.js';
import { errorDocument } from './s3-xml.js';

export type { BucketConfiguration } from './s3-store.js';

export interface S3Emulator {
  readonly endpoint: string;
  /** Creates a bucket as a template declares it, or brings a restored one to that configuration. */
  createBucket(name: string, configuration?: BucketConfiguration): Promise<void>;
  /** Deletes an empty bucket (S3Error BucketNotEmpty while any object version is left), and its snapshot. */
  deleteBucket(name: string): Promise<void>;
  stop(): Promise<void>;
}

export interface S3EmulatorOptions {
  /** Directory holding the bucket snapshots; in memory only when absent. */
  readonly dataDir?: string;
  /** The clock for LastModified and Object Lock retention (tests move it). @default Date.now */
  readonly now?: () => number;
}

const UNVERSIONED: BucketConfiguration = { versioned: false, objectLock: false };

/** Starts the S3 emulator on a free loopback port. */
export async function startS3Emulator(options: S3EmulatorOptions = {}): Promise<S3Emulator> {
  const now = options.now ?? Date.now;
  const store = new S3Store(now);
  const { dataDir } = options;
  if (dataDir !== undefined) await restoreBuckets(store, dataDir);
  const server = createServer((incoming, outgoing) => {
    void serve({ store, now }, incoming, outgoing);
  });
  const port = await listenOnLoopback(server, 0);
  return {
    endpoint: `http://${LOOPBACK}:${port}`,
    async createBucket(name, configuration = UNVERSIONED) {
      store.deployBucket(name, configuration);
    },
    async deleteBucket(name) {
      store.deleteBucket(name);
      if (dataDir !== undefined) await rm(join(dataDir, `${name}.json`), { force: true });
    },
    async stop() {
      await closeServer(server);
      if (dataDir !== undefined) await saveBuckets(store, dataDir);
    },
  };
}

async function serve(context: S3Context, incoming: IncomingMessage, outgoing: ServerResponse): Promise<void> {
  const requestId = randomBytes(8).toString('hex').toUpperCase();
  let response: EmulatorResponse;
  try {
    response = handleS3Request(context, await s3Request(incoming));
  } catch (err) {
    response = errorResponse(err, requestId);
  }
  const body = Buffer.from(response.body);
  outgoing.writeHead(response.status, {
    'content-length': String(body.length),
    ...response.headers,
    'x-amz-request-id': requestId,
  });
  outgoing.end(incoming.method === 'HEAD' ? undefined : body);
}

/** The request as the operations see it: bucket and key decoded, headers flattened, body decoded. */
async function s3Request(incoming: IncomingMessage): Promise<S3Request> {
  const [rawPath = '/', query = ''] = (incoming.url ?? '/').split('?');
  const match = /^\/([^/]+)(?:\/(.*))?$/.exec(rawPath);
  if (match?.[1] === undefined) throw notImplemented('requests that name no bucket (ListBuckets)');
  const headers = Object.fromEntries(
    Object.entries(incoming.headers).flatMap(([name, value]) =>
      value === undefined ? [] : [[name, Array.isArray(value) ? value.join(',') : value]],
    ),
  );
  const raw = await readBody(incoming);
  try {
    const key = match[2] === undefined || match[2] === '' ? undefined : decodeURIComponent(match[2]);
    return {
      method: incoming.method ?? 'GET',
      bucket: decodeURIComponent(match[1]),
      ...(key === undefined ? {} : { key }),
      query: new URLSearchParams(query),
      headers,
      body: receivedBody(raw, headers),
    };
  } catch (err) {
    if (err instanceof URIError) throw new S3Error(400, 'InvalidURI', "Couldn't parse the specified URI.");
    throw err;
  }
}

function errorResponse(err: unknown, requestId: string): EmulatorResponse {
  if (err instanceof S3Error) {
    return {
      status: err.status,
      headers: { 'content-type': 'application/xml', ...err.headers },
      body: errorDocument(err, requestId),
    };
  }
  console.error('local S3: internal error', err);
  const internal = new S3Error(500, 'InternalError', 'We encountered an internal error. Please try again.');
  return {
    status: 500,
    headers: { 'content-type': 'application/xml' },
    body: errorDocument(internal, requestId),
  };
}

async function saveBuckets(store: S3Store, dataDir: string): Promise<void> {
  await mkdir(dataDir, { recursive: true });
  for (const name of store.bucketNames()) {
    await writeFile(join(dataDir, `${name}.json`), JSON.stringify(store.snapshot(name)));
  }
}

/** Snapshots written by the fauxqs-based emulator: the current objects of an unversioned bucket. */
interface EarlierSnapshotObject {
  readonly key: string;
  readonly contentType?: string;
  readonly base64: string;
}

async function restoreBuckets(store: S3Store, dataDir: string): Promise<void> {
  const files = await readdir(dataDir).catch(() => []); // first run: nothing saved yet
  for (const file of files.filter((name) => name.endsWith('.json'))) {
    // Our own files: a bucket snapshot, or the earlier emulator's list of objects.
    const saved = JSON.parse(await readFile(join(dataDir, file), 'utf8')) as
      | BucketSnapshot
      | EarlierSnapshotObject[];
    if (!Array.isArray(saved)) {
      store.restore(saved);
      continue;
    }
    const bucket = basename(file, '.json');
    store.deployBucket(bucket, UNVERSIONED);
    for (const object of saved) {
      store.putObject(
        bucket,
        object.key,
        {
          body: Buffer.from(object.base64, 'base64'),
          headers: object.contentType === undefined ? {} : { 'content-type': object.contentType },
          tags: {},
        },
        undefined,
      );
    }
  }
}

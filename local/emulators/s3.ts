/**
 * S3: fauxqs's in-memory S3, bound to 127.0.0.1 (its `startFauxqs` binds 0.0.0.0, so we build
 * the app and listen ourselves). fauxqs has no persistence; with a data directory we snapshot
 * every object to disk on stop and put them back on start, through the S3 API itself.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { buildApp } from 'fauxqs';
import { LOOPBACK } from '../net.js';

export interface S3Emulator {
  readonly endpoint: string;
  createBucket(name: string): Promise<void>;
  stop(): Promise<void>;
}

export interface S3EmulatorOptions {
  /** Directory holding the object snapshot; in memory only when absent. */
  readonly dataDir?: string;
}

/** Starts the S3 emulator on a free loopback port. */
export async function startS3Emulator(options: S3EmulatorOptions = {}): Promise<S3Emulator> {
  const app = buildApp({ logger: false });
  const address = await app.listen({ port: 0, host: LOOPBACK });
  // The emulator itself checks no signatures: these credentials only satisfy the SDK.
  const client = new S3Client({
    endpoint: address,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'emulator', secretAccessKey: 'emulator' },
  });
  const buckets: string[] = [];
  const dataDir = options.dataDir;
  return {
    endpoint: address,
    async createBucket(name) {
      await client.send(new CreateBucketCommand({ Bucket: name }));
      buckets.push(name);
      if (dataDir !== undefined) await restoreBucket(client, name, join(dataDir, `${name}.json`));
    },
    async stop() {
      if (dataDir !== undefined) {
        for (const bucket of buckets) await snapshotBucket(client, bucket, join(dataDir, `${bucket}.json`));
      }
      client.destroy();
      await app.close();
    },
  };
}

interface SnapshotObject {
  readonly key: string;
  readonly contentType?: string;
  readonly base64: string;
}

async function snapshotBucket(client: S3Client, bucket: string, file: string): Promise<void> {
  const objects: SnapshotObject[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    for (const { Key } of page.Contents ?? []) {
      if (Key === undefined) continue;
      const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key }));
      const body = (await object.Body?.transformToByteArray()) ?? new Uint8Array();
      objects.push({
        key: Key,
        contentType: object.ContentType,
        base64: Buffer.from(body).toString('base64'),
      });
    }
    token = page.NextContinuationToken;
  } while (token !== undefined);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, JSON.stringify(objects));
}

async function restoreBucket(client: S3Client, bucket: string, file: string): Promise<void> {
  const text = await readFile(file, 'utf8').catch(() => '[]');
  const objects = JSON.parse(text) as SnapshotObject[];
  for (const object of objects) {
    await client.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: object.key,
        ContentType: object.contentType,
        Body: Buffer.from(object.base64, 'base64'),
      }),
    );
  }
}

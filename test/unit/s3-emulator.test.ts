/**
 * The local S3 (local/emulators/s3.ts) driven by the real S3Client, as the functions drive it:
 * versions and delete markers, listings, aws-chunked streaming uploads with the SDK's default
 * checksums, Object Lock retention against an injected clock, and the data-directory snapshot.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  GetObjectRetentionCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutObjectCommand,
  PutObjectLockConfigurationCommand,
  PutObjectRetentionCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type S3Emulator, type S3EmulatorOptions, startS3Emulator } from '../../local/emulators/s3.js';

const DAY = 24 * 60 * 60 * 1000;
const VERSIONED = 'versioned-bucket';
const LOCKED = 'locked-bucket';
/** The emulator's clock: real time plus however far a test has moved it. */
let clockOffset = 0;
const now = () => Date.now() + clockOffset;
let emulator: S3Emulator;
let s3: S3Client;

function clientFor(target: S3Emulator, config: Partial<S3ClientConfig> = {}): S3Client {
  return new S3Client({
    endpoint: target.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
    ...config,
  });
}

beforeAll(async () => {
  emulator = await startS3Emulator({ now });
  s3 = clientFor(emulator);
  await emulator.createBucket(VERSIONED, { versioned: true, objectLock: false });
  await s3.send(new CreateBucketCommand({ Bucket: LOCKED, ObjectLockEnabledForBucket: true }));
});
afterAll(async () => {
  s3.destroy();
  await emulator.stop();
});

const text = async (output: { Body?: { transformToString(): Promise<string> } }) =>
  (await output.Body?.transformToString()) ?? '';
const put = async (bucket: string, key: string, body: string, extra: object = {}) =>
  (await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ...extra }))).VersionId;
const inFuture = (days: number) => new Date(now() + days * DAY);

describe('versioning', () => {
  it('lists every version and delete marker of a key, newest first, the marker current', async () => {
    const first = await put(VERSIONED, 'history/doc', 'one');
    const second = await put(VERSIONED, 'history/doc', 'two');
    const deleted = await s3.send(new DeleteObjectCommand({ Bucket: VERSIONED, Key: 'history/doc' }));

    const listing = await s3.send(new ListObjectVersionsCommand({ Bucket: VERSIONED, Prefix: 'history/' }));

    expect(deleted.DeleteMarker).toBe(true);
    expect(new Set([first, second, deleted.VersionId]).size).toBe(3);
    expect(listing.Versions?.map((v) => [v.VersionId, v.IsLatest, v.Size])).toEqual([
      [second, false, 3],
      [first, false, 3],
    ]);
    expect(listing.DeleteMarkers?.map((m) => [m.VersionId, m.IsLatest])).toEqual([[deleted.VersionId, true]]);
    expect(listing.Versions?.[0]?.ETag).toBe('"b8a9f715dbb64fd5c56e7783c6820a61"'); // MD5 of "two"
  });

  it("keeps a deleted key's earlier versions readable by version id, not by key", async () => {
    const first = await put(VERSIONED, 'readable/doc', 'one');
    const marker = await s3.send(new DeleteObjectCommand({ Bucket: VERSIONED, Key: 'readable/doc' }));

    const old = await s3.send(
      new GetObjectCommand({ Bucket: VERSIONED, Key: 'readable/doc', VersionId: first }),
    );

    expect(await text(old)).toBe('one');
    expect(old.VersionId).toBe(first);
    await expect(
      s3.send(new GetObjectCommand({ Bucket: VERSIONED, Key: 'readable/doc' })),
    ).rejects.toMatchObject({
      name: 'NoSuchKey',
    });
    await expect(
      s3.send(new GetObjectCommand({ Bucket: VERSIONED, Key: 'readable/doc', VersionId: marker.VersionId })),
    ).rejects.toMatchObject({ name: 'MethodNotAllowed', $metadata: { httpStatusCode: 405 } });
    await expect(
      s3.send(new GetObjectCommand({ Bucket: VERSIONED, Key: 'readable/doc', VersionId: 'no-such-version' })),
    ).rejects.toMatchObject({ name: 'NoSuchVersion', $metadata: { httpStatusCode: 404 } });
  });

  it('leaves an empty listing once every version and marker is deleted', async () => {
    await put(VERSIONED, 'erased/a', 'one');
    await put(VERSIONED, 'erased/a', 'two');
    await put(VERSIONED, 'erased/b', 'three');
    await s3.send(new DeleteObjectCommand({ Bucket: VERSIONED, Key: 'erased/b' }));
    const before = await s3.send(new ListObjectVersionsCommand({ Bucket: VERSIONED, Prefix: 'erased/' }));
    const everything = [...(before.Versions ?? []), ...(before.DeleteMarkers ?? [])];

    const result = await s3.send(
      new DeleteObjectsCommand({
        Bucket: VERSIONED,
        Delete: { Objects: everything.map(({ Key, VersionId }) => ({ Key, VersionId })) },
      }),
    );
    const after = await s3.send(new ListObjectVersionsCommand({ Bucket: VERSIONED, Prefix: 'erased/' }));
    const current = await s3.send(new ListObjectsV2Command({ Bucket: VERSIONED, Prefix: 'erased/' }));

    expect(everything).toHaveLength(4);
    expect(result.Deleted).toHaveLength(4);
    expect(result.Errors).toBeUndefined();
    expect(after.Versions).toBeUndefined();
    expect(after.DeleteMarkers).toBeUndefined();
    expect(current.KeyCount).toBe(0);
  });

  it('pages ListObjectsV2 over current objects only, rolling keys up into common prefixes', async () => {
    for (const key of ['list/a/1', 'list/a/2', 'list/b', 'list/c', 'list/d/1'])
      await put(VERSIONED, key, key);
    await s3.send(new DeleteObjectCommand({ Bucket: VERSIONED, Key: 'list/c' }));

    const pages: string[][] = [];
    let token: string | undefined;
    do {
      const page = await s3.send(
        new ListObjectsV2Command({
          Bucket: VERSIONED,
          Prefix: 'list/',
          Delimiter: '/',
          MaxKeys: 1,
          ContinuationToken: token,
        }),
      );
      pages.push([
        ...(page.Contents ?? []).map((object) => object.Key ?? ''),
        ...(page.CommonPrefixes ?? []).map((prefix) => prefix.Prefix ?? ''),
      ]);
      token = page.NextContinuationToken;
    } while (token !== undefined && pages.length < 10);

    expect(pages).toEqual([['list/a/'], ['list/b'], ['list/d/']]);
  });

  it('pages ListObjectVersions by key and version markers through every version', async () => {
    const ids = [await put(VERSIONED, 'paged/a', '1'), await put(VERSIONED, 'paged/a', '2')];
    ids.push(await put(VERSIONED, 'paged/b', '3'));

    const seen: (string | undefined)[] = [];
    let markers: { KeyMarker?: string; VersionIdMarker?: string } = {};
    for (let pages = 1; pages < 10; pages++) {
      const page = await s3.send(
        new ListObjectVersionsCommand({ Bucket: VERSIONED, Prefix: 'paged/', MaxKeys: 2, ...markers }),
      );
      seen.push(...(page.Versions ?? []).map((version) => version.VersionId));
      if (!page.IsTruncated) break;
      markers = { KeyMarker: page.NextKeyMarker, VersionIdMarker: page.NextVersionIdMarker };
    }

    expect(seen).toEqual([ids[1], ids[0], ids[2]]);
  });

  it('decodes an aws-chunked streaming upload and returns the bytes with their checksum', async () => {
    const bytes = randomBytes(200_000);
    const chunks = [bytes.subarray(0, 70_000), bytes.subarray(70_000, 140_000), bytes.subarray(140_000)];
    const command = new PutObjectCommand({
      Bucket: VERSIONED,
      Key: 'streamed/blob',
      Body: Readable.from(chunks),
      ContentLength: bytes.length,
    });
    let sentEncoding: string | undefined;
    command.middlewareStack.add(
      (next) => async (args) => {
        const { headers } = args.request as { headers: Record<string, string> };
        sentEncoding = headers['content-encoding'];
        return next(args);
      },
      { step: 'finalizeRequest' },
    );

    await s3.send(command);
    const object = await s3.send(new GetObjectCommand({ Bucket: VERSIONED, Key: 'streamed/blob' }));

    expect(sentEncoding).toBe('aws-chunked');
    expect(Buffer.from((await object.Body?.transformToByteArray()) ?? [])).toEqual(bytes);
    expect(object.ChecksumCRC32).toBeDefined();
    expect(object.ContentLength).toBe(bytes.length);
  });

  it('refuses an upload whose checksum does not match its bytes', async () => {
    await expect(put(VERSIONED, 'corrupt', 'payload', { ChecksumCRC32: 'AAAAAA==' })).rejects.toMatchObject({
      name: 'BadDigest',
    });
    await expect(s3.send(new HeadObjectCommand({ Bucket: VERSIONED, Key: 'corrupt' }))).rejects.toMatchObject(
      {
        name: 'NotFound',
      },
    );
  });

  it('stores content type, user metadata and tags with the version', async () => {
    await put(VERSIONED, 'described', '{}', {
      ContentType: 'application/json',
      Metadata: { origin: 'test' },
      Tagging: 'a=1&b=2',
    });

    const object = await s3.send(new GetObjectCommand({ Bucket: VERSIONED, Key: 'described' }));

    expect(object).toMatchObject({
      ContentType: 'application/json',
      Metadata: { origin: 'test' },
      TagCount: 2,
    });
    expect(await text(object)).toBe('{}');
  });
  it('restores an earlier version by copying it over the current one, metadata and all', async () => {
    const first = await put(VERSIONED, 'restored/doc', 'one', {
      ContentType: 'text/plain',
      Metadata: { rev: '1' },
    });
    await put(VERSIONED, 'restored/doc', 'two', { ContentType: 'text/markdown' });

    const copy = await s3.send(
      new CopyObjectCommand({
        Bucket: VERSIONED,
        Key: 'restored/doc',
        CopySource: `${VERSIONED}/restored/doc?versionId=${first}`,
      }),
    );
    const current = await s3.send(new GetObjectCommand({ Bucket: VERSIONED, Key: 'restored/doc' }));

    expect(copy.CopySourceVersionId).toBe(first);
    expect(copy.VersionId).not.toBe(first);
    expect(current).toMatchObject({
      VersionId: copy.VersionId,
      ContentType: 'text/plain',
      Metadata: { rev: '1' },
    });
    expect(await text(current)).toBe('one');
    await s3.send(new DeleteObjectCommand({ Bucket: VERSIONED, Key: 'restored/doc' }));
    await expect(
      s3.send(
        new CopyObjectCommand({
          Bucket: VERSIONED,
          Key: 'restored/copy',
          CopySource: `${VERSIONED}/restored/doc`,
        }),
      ),
    ).rejects.toMatchObject({ name: 'NoSuchKey' });
  });

  it('keeps one "null" version per key in a bucket that was never versioned', async () => {
    await emulator.createBucket('unversioned');
    const written = await put('unversioned', 'doc', 'one');
    await put('unversioned', 'doc', 'two');

    const listing = await s3.send(new ListObjectVersionsCommand({ Bucket: 'unversioned' }));
    const deleted = await s3.send(new DeleteObjectCommand({ Bucket: 'unversioned', Key: 'doc' }));
    const after = await s3.send(new ListObjectVersionsCommand({ Bucket: 'unversioned' }));

    expect(written).toBeUndefined();
    expect(listing.Versions?.map((v) => [v.VersionId, v.Size])).toEqual([['null', 3]]);
    expect(deleted.DeleteMarker).toBeUndefined();
    expect(after.Versions).toBeUndefined();
    expect(after.DeleteMarkers).toBeUndefined();
  });
});

describe('Object Lock', () => {
  it('refuses to delete a COMPLIANCE-locked version or shorten its retention, even with the bypass', async () => {
    const until = inFuture(1);
    const locked = await put(LOCKED, 'compliance/digest', 'signed', {
      ObjectLockMode: 'COMPLIANCE',
      ObjectLockRetainUntilDate: until,
    });
    const target = { Bucket: LOCKED, Key: 'compliance/digest', VersionId: locked };

    await expect(s3.send(new DeleteObjectCommand(target))).rejects.toMatchObject({ name: 'AccessDenied' });
    await expect(
      s3.send(new DeleteObjectCommand({ ...target, BypassGovernanceRetention: true })),
    ).rejects.toMatchObject({ name: 'AccessDenied' });
    await expect(
      s3.send(
        new PutObjectRetentionCommand({
          ...target,
          Retention: { Mode: 'COMPLIANCE', RetainUntilDate: new Date(until.getTime() - 60_000) },
        }),
      ),
    ).rejects.toMatchObject({ name: 'AccessDenied' });
    await expect(
      s3.send(
        new PutObjectRetentionCommand({
          ...target,
          Retention: { Mode: 'GOVERNANCE', RetainUntilDate: until },
        }),
      ),
    ).rejects.toMatchObject({ name: 'AccessDenied' });
    const extended = inFuture(2);
    await s3.send(
      new PutObjectRetentionCommand({
        ...target,
        Retention: { Mode: 'COMPLIANCE', RetainUntilDate: extended },
      }),
    );
    const retention = await s3.send(new GetObjectRetentionCommand(target));
    expect(retention.Retention).toEqual({ Mode: 'COMPLIANCE', RetainUntilDate: extended });
  });

  it('puts a new version on top of a locked one, which stays readable and locked', async () => {
    const until = inFuture(1);
    const locked = await put(LOCKED, 'stacked/digest', 'first', {
      ObjectLockMode: 'COMPLIANCE',
      ObjectLockRetainUntilDate: until,
    });

    const newer = await put(LOCKED, 'stacked/digest', 'second');
    const marker = await s3.send(new DeleteObjectCommand({ Bucket: LOCKED, Key: 'stacked/digest' }));
    const old = await s3.send(
      new GetObjectCommand({ Bucket: LOCKED, Key: 'stacked/digest', VersionId: locked }),
    );

    expect(newer).not.toBe(locked);
    expect(marker.DeleteMarker).toBe(true);
    expect(await text(old)).toBe('first');
    expect(old).toMatchObject({ ObjectLockMode: 'COMPLIANCE', ObjectLockRetainUntilDate: until });
  });

  it('deletes a locked version once the clock has passed its retain-until date', async () => {
    const locked = await put(LOCKED, 'expiring/digest', 'signed', {
      ObjectLockMode: 'COMPLIANCE',
      ObjectLockRetainUntilDate: inFuture(1),
    });
    const target = { Bucket: LOCKED, Key: 'expiring/digest', VersionId: locked };
    await expect(s3.send(new DeleteObjectCommand(target))).rejects.toMatchObject({ name: 'AccessDenied' });

    clockOffset += 2 * DAY;
    const deleted = await s3.send(new DeleteObjectCommand(target));

    expect(deleted.VersionId).toBe(locked);
    await expect(s3.send(new GetObjectCommand(target))).rejects.toMatchObject({ name: 'NoSuchVersion' });
  });

  it('lets GOVERNANCE retention yield only to a request that bypasses it', async () => {
    const locked = await put(LOCKED, 'governed/doc', 'x', {
      ObjectLockMode: 'GOVERNANCE',
      ObjectLockRetainUntilDate: inFuture(1),
    });
    const target = { Bucket: LOCKED, Key: 'governed/doc', VersionId: locked };

    await expect(s3.send(new DeleteObjectCommand(target))).rejects.toMatchObject({ name: 'AccessDenied' });
    await s3.send(new DeleteObjectCommand({ ...target, BypassGovernanceRetention: true }));

    await expect(s3.send(new HeadObjectCommand(target))).rejects.toMatchObject({ name: 'NotFound' });
  });

  it('answers DeleteObjects with AccessDenied for each locked version and deletes the others', async () => {
    const locked = await put(LOCKED, 'batch/locked', 'x', {
      ObjectLockMode: 'COMPLIANCE',
      ObjectLockRetainUntilDate: inFuture(1),
    });
    const free = await put(LOCKED, 'batch/free', 'y');

    const result = await s3.send(
      new DeleteObjectsCommand({
        Bucket: LOCKED,
        Delete: {
          Objects: [
            { Key: 'batch/locked', VersionId: locked },
            { Key: 'batch/free', VersionId: free },
          ],
        },
      }),
    );

    expect(result.Deleted).toEqual([{ Key: 'batch/free', VersionId: free }]);
    expect(result.Errors).toEqual([
      expect.objectContaining({ Key: 'batch/locked', VersionId: locked, Code: 'AccessDenied' }),
    ]);
  });

  it("gives new versions the bucket's default retention, from the API or from the template", async () => {
    await s3.send(
      new PutObjectLockConfigurationCommand({
        Bucket: LOCKED,
        ObjectLockConfiguration: {
          ObjectLockEnabled: 'Enabled',
          Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 1 } },
        },
      }),
    );
    await emulator.createBucket('template-locked', {
      versioned: true,
      objectLock: true,
      defaultRetention: { mode: 'GOVERNANCE', years: 1 },
    });

    const before = now();
    const byApi = await put(LOCKED, 'defaulted/doc', 'x');
    const byTemplate = await put('template-locked', 'doc', 'y');
    const viaApi = await s3.send(
      new HeadObjectCommand({ Bucket: LOCKED, Key: 'defaulted/doc', VersionId: byApi }),
    );
    const viaTemplate = await s3.send(
      new GetObjectRetentionCommand({ Bucket: 'template-locked', Key: 'doc', VersionId: byTemplate }),
    );
    await s3.send(
      new PutObjectLockConfigurationCommand({
        Bucket: LOCKED,
        ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled' },
      }),
    );

    expect(viaApi.ObjectLockMode).toBe('COMPLIANCE');
    expect(viaApi.ObjectLockRetainUntilDate?.getTime()).toBeGreaterThanOrEqual(before + DAY - 1000);
    expect(viaApi.ObjectLockRetainUntilDate?.getTime()).toBeLessThanOrEqual(now() + DAY);
    expect(viaTemplate.Retention?.Mode).toBe('GOVERNANCE');
    expect(viaTemplate.Retention?.RetainUntilDate?.getUTCFullYear()).toBe(
      new Date(before).getUTCFullYear() + 1,
    );
  });

  it('refuses Object Lock settings on a bucket without Object Lock', async () => {
    await expect(
      put(VERSIONED, 'unlockable', 'x', {
        ObjectLockMode: 'COMPLIANCE',
        ObjectLockRetainUntilDate: inFuture(1),
      }),
    ).rejects.toMatchObject({ name: 'InvalidRequest' });
  });

  it('requires an integrity checksum on an Object Lock upload, as S3 does', async () => {
    const withoutChecksums = clientFor(emulator, { requestChecksumCalculation: 'WHEN_REQUIRED' });
    const lockedPut = (client: S3Client) =>
      client.send(
        new PutObjectCommand({
          Bucket: LOCKED,
          Key: 'checked/doc',
          Body: 'x',
          ObjectLockMode: 'GOVERNANCE',
          ObjectLockRetainUntilDate: inFuture(1),
        }),
      );

    await expect(lockedPut(withoutChecksums)).rejects.toMatchObject({ name: 'InvalidRequest' });
    await expect(lockedPut(s3)).resolves.toMatchObject({ VersionId: expect.any(String) });
    withoutChecksums.destroy();
  });
});

describe('the data directory', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'bulkhead-s3-'));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  const started = async (options: S3EmulatorOptions) => {
    const instance = await startS3Emulator(options);
    return { instance, client: clientFor(instance) };
  };

  it('restores every version, delete marker and retention after a restart', async () => {
    const first = await started({ dataDir, now });
    await first.client.send(new CreateBucketCommand({ Bucket: 'kept', ObjectLockEnabledForBucket: true }));
    const until = inFuture(1);
    const { VersionId: locked } = await first.client.send(
      new PutObjectCommand({
        Bucket: 'kept',
        Key: 'digest',
        Body: 'signed',
        ObjectLockMode: 'COMPLIANCE',
        ObjectLockRetainUntilDate: until,
      }),
    );
    await first.client.send(new PutObjectCommand({ Bucket: 'kept', Key: 'digest', Body: 'newer' }));
    await first.client.send(new DeleteObjectCommand({ Bucket: 'kept', Key: 'digest' }));
    const before = await first.client.send(new ListObjectVersionsCommand({ Bucket: 'kept' }));
    first.client.destroy();
    await first.instance.stop();

    const second = await started({ dataDir, now });
    const after = await second.client.send(new ListObjectVersionsCommand({ Bucket: 'kept' }));
    const old = await second.client.send(
      new GetObjectCommand({ Bucket: 'kept', Key: 'digest', VersionId: locked }),
    );
    const denied = second.client.send(
      new DeleteObjectCommand({ Bucket: 'kept', Key: 'digest', VersionId: locked }),
    );

    expect(after.Versions).toEqual(before.Versions);
    expect(after.DeleteMarkers).toEqual(before.DeleteMarkers);
    expect(after.DeleteMarkers?.[0]?.IsLatest).toBe(true);
    expect(await text(old)).toBe('signed');
    expect(old.ObjectLockRetainUntilDate).toEqual(until);
    await expect(denied).rejects.toMatchObject({ name: 'AccessDenied' });
    second.client.destroy();
    await second.instance.stop();
  });

  it('reads the snapshot the earlier, unversioned emulator wrote', async () => {
    const earlierDir = join(dataDir, 'earlier');
    await mkdir(earlierDir);
    await writeFile(
      join(earlierDir, 'old-bucket.json'),
      JSON.stringify([
        { key: 'a.txt', contentType: 'text/plain', base64: Buffer.from('kept').toString('base64') },
      ]),
    );

    const { instance, client } = await started({ dataDir: earlierDir });
    const object = await client.send(new GetObjectCommand({ Bucket: 'old-bucket', Key: 'a.txt' }));

    expect(await text(object)).toBe('kept');
    expect(object.ContentType).toBe('text/plain');
    client.destroy();
    await instance.stop();
  });
});

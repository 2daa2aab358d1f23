/**
 * The tenant bucket is versioned in the template, and the local cloud deploys it so: through the
 * front door with a tenant session, every overwrite gets its own version and a delete leaves a
 * delete marker. Listing versions is s3:ListBucketVersions, which the tenant role does not have.
 */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { apiEnv, rawClients, tenantSession, uniqueSuffix } from './support/local-cloud.js';

const BUCKET = apiEnv('TENANT_BUCKET_NAME');
const tenant = `tenant-v-${uniqueSuffix()}`;
const prefix = `tenants/${tenant}/shared/`;
let s3: S3Client;

beforeAll(async () => {
  s3 = rawClients(await tenantSession(tenant, 'alice')).s3;
});

describe('the versioned tenant bucket', () => {
  it('gives each write of a key its own version id', async () => {
    const key = `${prefix}overwritten.txt`;

    const first = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'one' }));
    const second = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'two' }));
    const current = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));

    expect(first.VersionId).toEqual(expect.any(String));
    expect(second.VersionId).not.toBe(first.VersionId);
    expect(current.VersionId).toBe(second.VersionId);
    expect(await current.Body?.transformToString()).toBe('two');
  });

  it('answers a delete with a delete marker, after which the key reads as missing', async () => {
    const key = `${prefix}deleted.txt`;
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'gone soon' }));

    const deleted = await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key }));

    expect(deleted).toMatchObject({ DeleteMarker: true, VersionId: expect.any(String) });
    await expect(s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).rejects.toMatchObject({
      name: 'NoSuchKey',
    });
    const listing = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }));
    expect(listing.Contents?.map((object) => object.Key)).not.toContain(key);
  });

  it('denies the tenant role a listing of versions, even under its own prefix', async () => {
    await expect(
      s3.send(new ListObjectVersionsCommand({ Bucket: BUCKET, Prefix: prefix })),
    ).rejects.toMatchObject({
      name: 'AccessDenied',
      message: expect.stringContaining('not authorized to perform: s3:ListBucketVersions'),
    });
    await expect(
      s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix })),
    ).resolves.toMatchObject({
      $metadata: { httpStatusCode: 200 },
    });
  });
});

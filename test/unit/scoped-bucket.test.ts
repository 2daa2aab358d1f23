import { NoSuchKey, S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { ScopedKeyError } from '../../lambdas/tenancy/errors.js';
import { ScopedBucket } from '../../lambdas/tenancy/scoped-bucket.js';
import { captureCommands, metadata, offlineClientConfig } from './support/fake-sdk.js';

const OWNER = { tenantId: 'acme', userId: 'alice' };

function keyOf(input: object): string | undefined {
  if ('Key' in input && typeof input.Key === 'string') return input.Key;
  if ('Prefix' in input && typeof input.Prefix === 'string') return input.Prefix;
  return undefined;
}

function fakeBucket() {
  const client = new S3Client(offlineClientConfig);
  const sent = captureCommands(client, ({ name, input }) => {
    if (name === 'ListObjectsV2Command') {
      return {
        ...metadata,
        Contents: [{ Key: 'tenants/acme/users/alice/notes/a.txt' }, { Key: 'tenants/acme2/users/alice/x' }],
      };
    }
    if (name === 'GetObjectCommand' && keyOf(input)?.endsWith('missing')) {
      throw new NoSuchKey({ message: 'no such key', $metadata: {} });
    }
    return { ...metadata };
  });
  return { bucket: new ScopedBucket(client, 'tenant-bucket', OWNER), sent };
}

describe('ScopedBucket', () => {
  it('puts, gets, deletes and lists only under the owner prefix', async () => {
    const { bucket, sent } = fakeBucket();

    await bucket.put('tenant', 'docs/report.pdf', 'body', 'application/pdf');
    await bucket.delete('private', 'notes/a.txt');
    const missing = await bucket.get('private', 'missing');
    const listing = await bucket.list('private', { prefix: 'notes/' });

    expect(sent.map((command) => keyOf(command.input))).toEqual([
      'tenants/acme/shared/docs/report.pdf',
      'tenants/acme/users/alice/notes/a.txt',
      'tenants/acme/users/alice/missing',
      'tenants/acme/users/alice/notes/',
    ]);
    for (const command of sent) expect(command.input).toMatchObject({ Bucket: 'tenant-bucket' });
    expect(missing).toBeUndefined();
    expect(listing.keys).toEqual(['notes/a.txt']);
  });

  it.each([
    '',
    '/etc/passwd',
    '..',
    '../acme2/shared/x',
    'docs/../../acme2/shared/x',
    'docs/./x',
    'docs//x',
    'docs\\..\\x',
  ])('refuses the relative key %j without sending anything', async (key) => {
    const { bucket, sent } = fakeBucket();

    await expect(bucket.put('tenant', key, 'x')).rejects.toBeInstanceOf(ScopedKeyError);
    await expect(bucket.get('private', key)).rejects.toBeInstanceOf(ScopedKeyError);

    expect(sent).toHaveLength(0);
  });

  it('refuses a listing prefix that climbs out of the owner prefix', async () => {
    const { bucket, sent } = fakeBucket();

    await expect(bucket.list('tenant', { prefix: '../' })).rejects.toBeInstanceOf(ScopedKeyError);

    expect(sent).toHaveLength(0);
  });
});

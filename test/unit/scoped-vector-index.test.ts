import { ConflictException, S3VectorsClient } from '@aws-sdk/client-s3vectors';
import { describe, expect, it } from 'vitest';
import { ScopedKeyError } from '../../lambdas/tenancy/errors.js';
import { ScopedVectorIndex } from '../../lambdas/tenancy/scoped-vector-index.js';
import { captureCommands, metadata, offlineClientConfig } from './support/fake-sdk.js';

const OWNER = { tenantId: 'acme', userId: 'alice' };
const VISIBILITY_FILTER = { $or: [{ visibility: 'tenant' }, { owner: 'alice' }] };

const storedVectors = [
  { key: 't/shared-1', metadata: { visibility: 'tenant', topic: 'x' } },
  { key: 'u/alice/mine-1', metadata: { visibility: 'private', owner: 'alice' } },
  { key: 'u/bob/theirs-1', metadata: { visibility: 'private', owner: 'bob' } },
];

function fakeIndex(options: { indexExists?: boolean } = {}) {
  const client = new S3VectorsClient(offlineClientConfig);
  const sent = captureCommands(client, ({ name }) => {
    if (name === 'CreateIndexCommand' && options.indexExists) {
      throw new ConflictException({ message: 'exists', $metadata: {} });
    }
    if (name === 'QueryVectorsCommand') {
      return {
        ...metadata,
        distanceMetric: 'cosine',
        vectors: storedVectors.map((vector, index) => ({ ...vector, distance: index / 10 })),
      };
    }
    if (name === 'GetVectorsCommand' || name === 'ListVectorsCommand')
      return { ...metadata, vectors: storedVectors };
    return { ...metadata };
  });
  return { index: new ScopedVectorIndex(client, 'vectors', OWNER), sent };
}

const vector = Array.from({ length: 4 }, (_, i) => i / 4);

describe('ScopedVectorIndex', () => {
  it('sends every operation to the tenant’s own index', async () => {
    const { index, sent } = fakeIndex();

    await index.createIndex();
    await index.put([{ key: 'a', visibility: 'tenant', data: vector }]);
    await index.get([{ key: 'a', visibility: 'tenant' }]);
    await index.query({ vector, topK: 3 });
    await index.list();
    await index.delete([{ key: 'a', visibility: 'private' }]);

    expect(sent).toHaveLength(6);
    for (const command of sent)
      expect(command.input).toMatchObject({ vectorBucketName: 'vectors', indexName: 'acme' });
  });

  it('adds the visibility filter to every query and only narrows it with the caller’s filter', async () => {
    const { index, sent } = fakeIndex();

    await index.query({ vector, topK: 5 });
    await index.query({ vector, topK: 5, filter: { $or: [{ visibility: 'private' }, { owner: 'bob' }] } });

    expect(sent[0]?.input).toMatchObject({ filter: VISIBILITY_FILTER });
    expect(sent[1]?.input).toMatchObject({
      filter: { $and: [VISIBILITY_FILTER, { $or: [{ visibility: 'private' }, { owner: 'bob' }] }] },
    });
  });

  it('stores private vectors in the caller’s key namespace with owner and visibility metadata', async () => {
    const { index, sent } = fakeIndex();

    await index.put([
      { key: 'note', visibility: 'private', data: vector, metadata: { topic: 'x' } },
      { key: 'doc', visibility: 'tenant', data: vector },
    ]);

    expect(sent[0]?.input).toMatchObject({
      vectors: [
        { key: 'u/alice/note', metadata: { topic: 'x', visibility: 'private', owner: 'alice' } },
        { key: 't/doc', metadata: { visibility: 'tenant' } },
      ],
    });
  });

  it('refuses caller metadata that would forge visibility or ownership', async () => {
    const { index, sent } = fakeIndex();

    await expect(
      index.put([{ key: 'k', visibility: 'private', data: vector, metadata: { owner: 'bob' } }]),
    ).rejects.toBeInstanceOf(ScopedKeyError);
    await expect(
      index.put([{ key: 'k', visibility: 'private', data: vector, metadata: { visibility: 'tenant' } }]),
    ).rejects.toBeInstanceOf(ScopedKeyError);

    expect(sent).toHaveLength(0);
  });

  it('returns tenant vectors and the caller’s own, never another user’s private ones', async () => {
    const { index } = fakeIndex();

    const matches = await index.query({ vector, topK: 3 });
    const listed = await index.list();
    const got = await index.get([{ key: 'shared-1', visibility: 'tenant' }]);

    const expected = [
      { key: 'shared-1', visibility: 'tenant', metadata: { topic: 'x' } },
      { key: 'mine-1', visibility: 'private', metadata: {} },
    ];
    expect(matches.map(({ distance: _distance, ...record }) => record)).toEqual(expected);
    expect(listed.vectors).toEqual(expected);
    expect(got).toEqual(expected);
  });

  it('creates a 1024-dimension cosine float32 index with non-filterable chunk text, and treats an existing one as done', async () => {
    const fresh = fakeIndex();
    const existing = fakeIndex({ indexExists: true });

    await expect(fresh.index.createIndex()).resolves.toBe(true);
    await expect(existing.index.createIndex()).resolves.toBe(false);

    expect(fresh.sent[0]?.input).toMatchObject({
      dimension: 1024,
      distanceMetric: 'cosine',
      dataType: 'float32',
      metadataConfiguration: { nonFilterableMetadataKeys: ['text'] },
    });
  });

  it('refuses a topK outside 1–100', async () => {
    const { index, sent } = fakeIndex();

    await expect(index.query({ vector, topK: 0 })).rejects.toBeInstanceOf(ScopedKeyError);
    await expect(index.query({ vector, topK: 101 })).rejects.toBeInstanceOf(ScopedKeyError);

    expect(sent).toHaveLength(0);
  });
});

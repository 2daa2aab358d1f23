import { DynamoDBClient, TransactionConflictException } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import { errorResponse } from '../../lambdas/http/error-response.js';
import { ScopedKeyError, TransactionConflictError } from '../../lambdas/tenancy/errors.js';
import { type ItemAddress, ScopedTable } from '../../lambdas/tenancy/scoped-table.js';
import { captureCommands, metadata, offlineClientConfig } from './support/fake-sdk.js';

const OWNER = { tenantId: 'acme', userId: 'alice' };
const SHARED_PREFIX = 'acme#t#';
const PRIVATE_PREFIX = 'acme#u#alice#';

/** Every partition-key value a command carries: `pk` attributes and the `:pk` query value. */
function partitionKeysIn(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(partitionKeysIn);
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([name, inner]) => {
    if ((name === 'pk' || name === ':pk') && typeof inner === 'object' && inner !== null && 'S' in inner) {
      return [String(inner.S)];
    }
    return partitionKeysIn(inner);
  });
}

function fakeTable() {
  const client = new DynamoDBClient(offlineClientConfig);
  const sent = captureCommands(client, ({ name }) => {
    switch (name) {
      case 'GetItemCommand':
        return { ...metadata, Item: marshall({ pk: `${PRIVATE_PREFIX}notes`, sk: 'n1', text: 'hi' }) };
      case 'QueryCommand':
        return {
          ...metadata,
          Items: [marshall({ pk: `${PRIVATE_PREFIX}notes`, sk: 'n1', text: 'hi' })],
          LastEvaluatedKey: marshall({ pk: `${PRIVATE_PREFIX}notes`, sk: 'n1' }),
        };
      case 'BatchGetItemCommand':
        return {
          ...metadata,
          Responses: { data: [marshall({ pk: `${SHARED_PREFIX}docs`, sk: 'd1', title: 'T' })] },
        };
      default:
        return { ...metadata };
    }
  });
  return { table: new ScopedTable(client, 'data', OWNER), sent };
}

const privateNote: ItemAddress = { visibility: 'private', collection: 'notes', sk: 'n1' };
const sharedDoc: ItemAddress = { visibility: 'tenant', collection: 'docs', segments: ['2024'], sk: 'd1' };

describe('ScopedTable', () => {
  it('builds every partition key of every operation under the owner prefix', async () => {
    const { table, sent } = fakeTable();

    await table.get(privateNote);
    await table.put(sharedDoc, { title: 'T' });
    await table.update(privateNote, { text: 'new' });
    await table.addWithin({ address: privateNote, add: { tokens: 5 } });
    await table.delete(sharedDoc);
    await table.query({ visibility: 'private', collection: 'notes' }, { cursor: 'bjE' });
    await table.batchGet([privateNote, { visibility: 'tenant', collection: 'docs', sk: 'd1' }]);
    await table.batchWrite({ puts: [{ address: sharedDoc, attributes: { a: 1 } }], deletes: [privateNote] });
    await table.transactWrite([
      { kind: 'put', address: privateNote, attributes: { text: 'x' }, ifNotExists: true },
      { kind: 'delete', address: sharedDoc },
      { kind: 'conditionCheck', address: privateNote, exists: true },
    ]);

    const keys = sent.flatMap((command) => partitionKeysIn(command.input));
    expect(sent.map((command) => command.name)).toEqual([
      'GetItemCommand',
      'PutItemCommand',
      'UpdateItemCommand',
      'UpdateItemCommand',
      'DeleteItemCommand',
      'QueryCommand',
      'BatchGetItemCommand',
      'BatchWriteItemCommand',
      'TransactWriteItemsCommand',
    ]);
    expect(keys.length).toBeGreaterThanOrEqual(13);
    for (const key of keys) {
      expect(key.startsWith(SHARED_PREFIX) || key.startsWith(PRIVATE_PREFIX), key).toBe(true);
    }
    expect(keys).toContain('acme#t#docs#2024');
    expect(keys).toContain('acme#u#alice#notes');
  });

  it('refuses addresses and attributes that could name another partition, sending nothing', async () => {
    const { table, sent } = fakeTable();

    await expect(table.put(privateNote, { pk: 'acme2#t#docs' })).rejects.toBeInstanceOf(ScopedKeyError);
    await expect(table.update(privateNote, { sk: 'x' })).rejects.toBeInstanceOf(ScopedKeyError);
    await expect(table.addWithin({ address: privateNote, add: { pk: 1 } })).rejects.toBeInstanceOf(
      ScopedKeyError,
    );
    await expect(table.get({ visibility: 'tenant', collection: 'docs#x', sk: 'a' })).rejects.toBeInstanceOf(
      ScopedKeyError,
    );
    await expect(
      table.get({ visibility: 'tenant', collection: 'docs', segments: ['a#u#bob'], sk: 'a' }),
    ).rejects.toBeInstanceOf(ScopedKeyError);
    await expect(table.get({ visibility: 'private', collection: 'notes', sk: '' })).rejects.toBeInstanceOf(
      ScopedKeyError,
    );

    expect(sent).toHaveLength(0);
  });

  it('returns items and cursors without partition-key internals', async () => {
    const { table } = fakeTable();

    const item = await table.get(privateNote);
    const page = await table.query({ visibility: 'private', collection: 'notes' });
    const found = await table.batchGet([{ visibility: 'tenant', collection: 'docs', sk: 'd1' }]);

    expect(item).toEqual({ sk: 'n1', attributes: { text: 'hi' } });
    expect(page.items).toEqual([{ sk: 'n1', attributes: { text: 'hi' } }]);
    expect(Buffer.from(page.cursor ?? '', 'base64url').toString('utf8')).toBe('n1');
    expect(found).toEqual([
      { address: { visibility: 'tenant', collection: 'docs', sk: 'd1' }, attributes: { title: 'T' } },
    ]);
  });

  it('continues a query from a cursor inside the same partition', async () => {
    const { table, sent } = fakeTable();

    await table.query(
      { visibility: 'private', collection: 'notes' },
      { cursor: Buffer.from('n9').toString('base64url') },
    );

    expect(sent[0]?.input).toMatchObject({
      ExclusiveStartKey: marshall({ pk: `${PRIVATE_PREFIX}notes`, sk: 'n9' }),
    });
  });

  it('adds to counters atomically with ADD, under a ceiling when one is given', async () => {
    const { table, sent } = fakeTable();

    await table.addWithin({
      address: privateNote,
      add: { inputTokens: 7, requests: 1 },
      atMost: { requests: 5 },
    });

    expect(sent[0]?.input).toMatchObject({
      UpdateExpression: 'ADD #n0 :v1, #n2 :v3',
      ConditionExpression: '(attribute_not_exists(#n2) OR #n2 <= :v4)',
      ExpressionAttributeNames: { '#n0': 'inputTokens', '#n2': 'requests' },
      ExpressionAttributeValues: { ':v1': { N: '7' }, ':v3': { N: '1' }, ':v4': { N: '4' } },
    });
  });

  it('answers a batch read whose keys stay unprocessed (throttled) as a dependency fault: 503 with Retry-After', async () => {
    const client = new DynamoDBClient(offlineClientConfig);
    const sent = captureCommands(client, ({ input }) => ({
      ...metadata,
      Responses: { data: [] },
      // DynamoDB gives the keys back while the table is throttled.
      UnprocessedKeys: (input as { RequestItems: unknown }).RequestItems,
    }));
    const table = new ScopedTable(client, 'data', OWNER);

    const failure = await table.batchGet([privateNote]).catch((err: unknown) => err);
    const response = errorResponse(failure, 'req-1', {
      logger: { info: () => undefined, error: () => undefined },
    });

    expect(sent.length).toBeGreaterThan(1);
    expect(response.statusCode).toBe(503);
    expect(Number(response.headers?.['retry-after'])).toBeGreaterThan(0);
  });

  it('answers a guarded update that collides with a transaction as a TransactionConflictError (a 503), not as the raw SDK error', async () => {
    const client = new DynamoDBClient(offlineClientConfig);
    captureCommands(client, () => {
      throw new TransactionConflictException({
        message: 'Transaction is ongoing for the item',
        $metadata: {},
      });
    });
    const table = new ScopedTable(client, 'data', OWNER);

    await expect(table.updateIf(privateNote, { increments: { count: { by: 1 } } })).rejects.toBeInstanceOf(
      TransactionConflictError,
    );
  });
});

/**
 * The front door's DynamoDB unit measurement (local/front-door/dynamodb-units.ts), in front of the
 * shared cloud's DynamoDB Local: each call's units are reported by AWS's rules — transactions
 * included, which DynamoDB Local itself undercounts — and callers get the answers they would have
 * had without measurement.
 */
import { createServer, type Server } from 'node:http';
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type DynamoDbUnits, DynamoDbUnitsMeter } from '../../local/front-door/dynamodb-units.js';
import { closeServer, listenOnLoopback, readBody } from '../../local/net.js';
import { apiEnv, cloud, uniqueSuffix } from './support/local-cloud.js';

const TABLE = apiEnv('TENANT_TABLE_NAME');
const reported: DynamoDbUnits[] = [];
let server: Server;
let client: DynamoDBClient;

const key = (pk: string) => ({ pk: { S: `units-${uniqueSuffix()}#${pk}` }, sk: { S: 'item' } });
const itemOf = (address: ReturnType<typeof key>, bytes: number) => ({
  ...address,
  text: { S: 'x'.repeat(bytes) },
});

beforeAll(async () => {
  const meter = new DynamoDbUnitsMeter(cloud.emulatorEndpoints.dynamoDb, (units) => reported.push(units));
  server = createServer((incoming, outgoing) => {
    const answered = readBody(incoming).then((body) => {
      const rawUrl = incoming.url ?? '/';
      return meter.forward(
        {
          method: incoming.method ?? 'POST',
          rawUrl,
          rawPath: rawUrl.split('?')[0] ?? '/',
          query: new URLSearchParams(),
          headers: incoming.headers,
          body,
        },
        outgoing,
      );
    });
    answered.catch((err: unknown) => outgoing.writeHead(500).end(String(err)));
  });
  const port = await listenOnLoopback(server, 0);
  client = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: cloud.region,
    credentials: { accessKeyId: 'root', secretAccessKey: 'root' },
    maxAttempts: 1,
  });
});

afterAll(async () => {
  client.destroy();
  await closeServer(server);
});

beforeEach(() => {
  reported.length = 0;
});

describe('DynamoDB unit measurement', () => {
  it('reports a put’s write units and answers without ConsumedCapacity when the caller did not ask', async () => {
    const output = await client.send(
      new PutItemCommand({ TableName: TABLE, Item: itemOf(key('put'), 1_500) }),
    );

    expect(output.ConsumedCapacity).toBeUndefined();
    expect(reported).toEqual([{ read: 0, write: 2 }]);
  });

  it('passes ConsumedCapacity on to a caller that asked for it', async () => {
    const address = key('get');
    await client.send(new PutItemCommand({ TableName: TABLE, Item: itemOf(address, 100) }));
    reported.length = 0;

    const output = await client.send(
      new GetItemCommand({
        TableName: TABLE,
        Key: address,
        ConsistentRead: true,
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );

    expect(output.ConsumedCapacity?.CapacityUnits).toBe(1);
    expect(reported).toEqual([{ read: 1, write: 0 }]);
  });

  it('bills every item of a transaction twice its units, equal items each', async () => {
    await client.send(
      new TransactWriteItemsCommand({
        TransactItems: [1, 2, 3].map((n) => ({ Put: { TableName: TABLE, Item: itemOf(key(`tx${n}`), 10) } })),
      }),
    );

    expect(reported).toEqual([{ read: 0, write: 6 }]);
  });

  it('bills a transaction’s update and delete by the larger of each item’s size before and after', async () => {
    const [grown, deleted] = [key('grown'), key('deleted')];
    await client.send(new PutItemCommand({ TableName: TABLE, Item: itemOf(grown, 500) }));
    await client.send(new PutItemCommand({ TableName: TABLE, Item: itemOf(deleted, 1_500) }));
    reported.length = 0;

    await client.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          {
            Update: {
              TableName: TABLE,
              Key: grown,
              UpdateExpression: 'SET more = :more',
              ExpressionAttributeValues: { ':more': { S: 'y'.repeat(2_000) } },
            },
          },
          { Delete: { TableName: TABLE, Key: deleted } },
        ],
      }),
    );

    // grown: 0.5 KB → 2.5 KB = 3 units; deleted: 1.5 KB = 2 units; each × 2 in a transaction.
    expect(reported).toEqual([{ read: 0, write: 10 }]);
  });

  it('reports nothing for a call that fails, and the caller gets the failure', async () => {
    const address = key('conditional');
    await client.send(new PutItemCommand({ TableName: TABLE, Item: itemOf(address, 10) }));
    reported.length = 0;

    const put = client.send(
      new PutItemCommand({
        TableName: TABLE,
        Item: itemOf(address, 10),
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );

    await expect(put).rejects.toBeInstanceOf(ConditionalCheckFailedException);
    expect(reported).toEqual([]);
  });
});

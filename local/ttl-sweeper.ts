/**
 * DynamoDB TTL, locally: DynamoDB Local keeps items past their TTL attribute, so the sweeper
 * deletes them — every item of a TTL-enabled table whose attribute (epoch seconds) is before the
 * given time, as DynamoDB's background TTL deletion would (AWS deletes within a few days of
 * expiry; reads may still see an expired item until then). `npm start` sweeps every minute; a
 * test sweeps at a time of its choosing (the inspector's `POST /ttl/expire`) to see what
 * retention removes.
 */
import {
  BatchWriteItemCommand,
  DynamoDBClient,
  ScanCommand,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import type { TableModel } from './cloud-model.js';

const BATCH = 25;

export class TtlSweeper {
  readonly #client: DynamoDBClient;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    endpoint: string,
    region: string,
    private readonly tables: readonly TableModel[],
  ) {
    this.#client = new DynamoDBClient({
      endpoint,
      region,
      // DynamoDB Local takes letters and digits only in an access key.
      credentials: { accessKeyId: 'ttlsweeper', secretAccessKey: 'ttlsweeper' },
    });
  }

  /**
   * Deletes every item that has expired by `at` (epoch seconds) — only those whose partition key
   * starts with `keyPrefix`, when given (a test sweeping the future keeps to its own tenant); how many.
   */
  async expire(at: number, keyPrefix?: string): Promise<number> {
    let deleted = 0;
    for (const table of this.tables) {
      if (table.ttlAttribute === undefined) continue;
      const keyNames = (table.createInput.KeySchema ?? []).flatMap((key) =>
        key.AttributeName ? [key.AttributeName] : [],
      );
      const partitionKey = table.keys.partitionKey;
      let start: Record<string, never> | undefined;
      do {
        const page = await this.#client.send(
          new ScanCommand({
            TableName: table.name,
            FilterExpression:
              keyPrefix === undefined ? '#ttl < :at' : '#ttl < :at AND begins_with(#pk, :prefix)',
            ExpressionAttributeNames: {
              '#ttl': table.ttlAttribute,
              ...(keyPrefix === undefined ? {} : { '#pk': partitionKey }),
            },
            ExpressionAttributeValues: {
              ':at': { N: String(at) },
              ...(keyPrefix === undefined ? {} : { ':prefix': { S: keyPrefix } }),
            },
            ...(start === undefined ? {} : { ExclusiveStartKey: start }),
          }),
        );
        const deletes: WriteRequest[] = (page.Items ?? []).map((item) => ({
          DeleteRequest: { Key: Object.fromEntries(keyNames.map((name) => [name, item[name] ?? { S: '' }])) },
        }));
        for (let index = 0; index < deletes.length; index += BATCH)
          await this.#client.send(
            new BatchWriteItemCommand({
              RequestItems: { [table.name]: deletes.slice(index, index + BATCH) },
            }),
          );
        deleted += deletes.length;
        start = page.LastEvaluatedKey as Record<string, never> | undefined;
      } while (start !== undefined);
    }
    return deleted;
  }

  /** Sweeps at the current time every `everyMs`. */
  start(everyMs: number, onError: (err: unknown) => void): void {
    this.#timer = setInterval(() => {
      this.expire(Math.floor(Date.now() / 1000)).catch(onError);
    }, everyMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#client.destroy();
  }
}

/**
 * ScopedTable: the tenant data table as one session sees it.
 *
 * Items are addressed by visibility, collection, optional segments and sort
 * key; the partition key is always built by `partitionKey()` from the
 * session's owner, so no caller can express another tenant's (or user's)
 * partition. Nothing here accepts a raw partition key, and nothing returned
 * carries one (cursors hold only the sort key).
 */
import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  TransactionCanceledException,
  TransactionConflictException,
  type TransactWriteItem,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { IncompleteBatchError, ScopedKeyError, TransactionConflictError } from './errors.js';
import { type KeyOwner, type PartitionVisibility, partitionKey } from './key-layout.js';
import type { TenantSession } from './tenant-session.js';
import {
  type Attributes,
  type CounterChange,
  counterExpression,
  type ExpectedValue,
  type GuardedUpdate,
  guardedExpression,
  rejectKeyAttributes,
  setExpression,
  swapExpression,
  type UpdateExpression,
} from './update-expression.js';

export type { Attributes, Comparison, ExpectedValue, GuardedUpdate } from './update-expression.js';

/** A partition inside the owner's space. */
export interface PartitionAddress {
  readonly visibility: PartitionVisibility;
  readonly collection: string;
  readonly segments?: readonly string[];
}

/** One item inside the owner's space. */
export interface ItemAddress extends PartitionAddress {
  readonly sk: string;
}

/** An item as callers see it: its sort key and its own attributes (no `pk`, no `sk`). */
export interface ScopedItem {
  readonly sk: string;
  readonly attributes: Record<string, unknown>;
}

export interface QueryOptions {
  readonly skBeginsWith?: string;
  readonly limit?: number;
  /** Opaque cursor from a previous page. */
  readonly cursor?: string;
  readonly newestFirst?: boolean;
}

export interface QueryPage {
  readonly items: readonly ScopedItem[];
  readonly cursor?: string;
}

/** What a GuardedUpdate found: whether it applied, and the item's attributes after it (or as they refused it). */
export interface GuardedOutcome {
  readonly applied: boolean;
  readonly attributes: Readonly<Record<string, unknown>>;
}

/** A conditional counter update of one item (see CounterChange). */
export interface CounterUpdate extends CounterChange {
  readonly address: ItemAddress;
}

export type TransactWriteOperation =
  | {
      readonly kind: 'put';
      readonly address: ItemAddress;
      readonly attributes: Attributes;
      readonly ifNotExists?: boolean;
    }
  | { readonly kind: 'delete'; readonly address: ItemAddress; readonly mustExist?: boolean }
  | { readonly kind: 'conditionCheck'; readonly address: ItemAddress; readonly exists: boolean }
  | ({ readonly kind: 'add' } & CounterUpdate)
  | {
      readonly kind: 'swap';
      readonly address: ItemAddress;
      readonly set: Attributes;
      readonly expect: Readonly<Record<string, ExpectedValue>>;
    };

const MAX_SORT_KEY_LENGTH = 1024;
const BATCH_GET_LIMIT = 100;
const BATCH_WRITE_LIMIT = 25;
const BATCH_ATTEMPTS = 5;
const EXISTS = 'attribute_exists(pk)';
const NOT_EXISTS = 'attribute_not_exists(pk)';

function isConditionFailure(err: unknown): err is ConditionalCheckFailedException {
  return err instanceof ConditionalCheckFailedException;
}

/** Cancellation reasons of a cancelled transaction; undefined for any other error. */
function cancellationCodes(err: unknown): Array<string | undefined> | undefined {
  if (!(err instanceof TransactionCanceledException)) return undefined;
  return (err.CancellationReasons ?? []).map((reason) => reason.Code);
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += size) result.push(items.slice(start, start + size));
  return result;
}

export class ScopedTable {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly owner: KeyOwner,
  ) {}

  /** The scoped table of a tenant session. */
  static of(session: TenantSession, tableName: string): ScopedTable {
    return new ScopedTable(session.dynamodb, tableName, session.owner);
  }

  async get(address: ItemAddress): Promise<ScopedItem | undefined> {
    const output = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: this.#key(address), ConsistentRead: true }),
    );
    return output.Item === undefined ? undefined : toScopedItem(output.Item);
  }

  /** Writes an item; with `ifNotExists`, returns false instead of overwriting. */
  async put(
    address: ItemAddress,
    attributes: Attributes,
    options: { ifNotExists?: boolean } = {},
  ): Promise<boolean> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: this.#item(address, attributes),
          ...(options.ifNotExists ? { ConditionExpression: NOT_EXISTS } : {}),
        }),
      );
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }

  /** Sets attributes; with `mustExist`, returns undefined when the item is absent. */
  async update(
    address: ItemAddress,
    changes: Attributes,
    options: { mustExist?: boolean } = {},
  ): Promise<ScopedItem | undefined> {
    const expression = setExpression(changes);
    try {
      const output = await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: this.#key(address),
          ...expressionInput(expression),
          ReturnValues: 'ALL_NEW',
          ...(options.mustExist ? { ConditionExpression: EXISTS } : {}),
        }),
      );
      return output.Attributes === undefined ? undefined : toScopedItem(output.Attributes);
    } catch (err) {
      if (isConditionFailure(err)) return undefined;
      throw err;
    }
  }

  /**
   * Atomically adds to numeric attributes (absent counts as 0), unless an
   * `atMost` ceiling would be passed; returns the new item, or undefined when
   * a ceiling refused the addition. Throws TransactionConflictError when a
   * transaction on the same item was in progress.
   */
  async addWithin(update: CounterUpdate): Promise<ScopedItem | undefined> {
    const expression = counterExpression(update);
    if (expression === undefined) return undefined;
    try {
      const output = await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: this.#key(update.address),
          ...expressionInput(expression),
          ReturnValues: 'ALL_NEW',
        }),
      );
      return output.Attributes === undefined
        ? { sk: update.address.sk, attributes: {} }
        : toScopedItem(output.Attributes);
    } catch (err) {
      if (isConditionFailure(err)) return undefined;
      if (err instanceof TransactionConflictException) throw new TransactionConflictError({ cause: err });
      throw err;
    }
  }

  /**
   * Applies a GuardedUpdate in one UpdateItem. Either way the answer carries
   * the item's attributes — after the write, or as they refused it — so a
   * caller can tell why without another read.
   */
  async updateIf(address: ItemAddress, update: GuardedUpdate): Promise<GuardedOutcome> {
    try {
      const output = await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: this.#key(address),
          ...expressionInput(guardedExpression(update)),
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return {
        applied: true,
        attributes: output.Attributes === undefined ? {} : toScopedItem(output.Attributes).attributes,
      };
    } catch (err) {
      if (err instanceof TransactionConflictException) throw new TransactionConflictError({ cause: err });
      if (!isConditionFailure(err)) throw err;
      return { applied: false, attributes: err.Item === undefined ? {} : toScopedItem(err.Item).attributes };
    }
  }

  /** Deletes an item; with `mustExist`, returns false when it was absent. */
  async delete(address: ItemAddress, options: { mustExist?: boolean } = {}): Promise<boolean> {
    try {
      await this.client.send(
        new DeleteItemCommand({
          TableName: this.tableName,
          Key: this.#key(address),
          ...(options.mustExist ? { ConditionExpression: EXISTS } : {}),
        }),
      );
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }

  /** One page of a partition, optionally narrowed to sort keys with a prefix. */
  async query(partition: PartitionAddress, options: QueryOptions = {}): Promise<QueryPage> {
    const pk = this.#partitionKey(partition);
    const values: Record<string, string> = { ':pk': pk };
    let condition = 'pk = :pk';
    if (options.skBeginsWith !== undefined) {
      values[':prefix'] = options.skBeginsWith;
      condition += ' AND begins_with(sk, :prefix)';
    }
    const output = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: condition,
        ExpressionAttributeValues: marshall(values),
        ScanIndexForward: !options.newestFirst,
        ConsistentRead: true,
        ...(options.limit === undefined ? {} : { Limit: options.limit }),
        ...(options.cursor === undefined
          ? {}
          : { ExclusiveStartKey: marshall({ pk, sk: decodeCursor(options.cursor) }) }),
      }),
    );
    const items = (output.Items ?? []).map(toScopedItem);
    const lastSortKey = output.LastEvaluatedKey?.sk?.S;
    return lastSortKey === undefined ? { items } : { items, cursor: cursorAfter(lastSortKey) };
  }

  /** Reads many items; each result comes back with the address it was asked for. */
  async batchGet(
    addresses: readonly ItemAddress[],
  ): Promise<Array<{ address: ItemAddress; attributes: Record<string, unknown> }>> {
    const requested = new Map<string, { pk: string; sk: string; address: ItemAddress }>();
    for (const address of addresses) {
      const key = { pk: this.#partitionKey(address), sk: checkedSortKey(address.sk) };
      requested.set(JSON.stringify([key.pk, key.sk]), { ...key, address });
    }
    const found: Array<{ address: ItemAddress; attributes: Record<string, unknown> }> = [];
    for (const chunk of chunks([...requested.values()], BATCH_GET_LIMIT)) {
      let keys = chunk.map(({ pk, sk }) => marshall({ pk, sk }));
      for (let attempt = 0; keys.length > 0; attempt += 1) {
        if (attempt === BATCH_ATTEMPTS) throw new IncompleteBatchError('BatchGetItem left keys unprocessed');
        const output = await this.client.send(
          new BatchGetItemCommand({
            RequestItems: { [this.tableName]: { Keys: keys, ConsistentRead: true } },
          }),
        );
        for (const raw of output.Responses?.[this.tableName] ?? []) {
          const { pk, sk, ...attributes } = unmarshall(raw);
          const match = requested.get(JSON.stringify([pk, sk]));
          if (match !== undefined) found.push({ address: match.address, attributes });
        }
        keys = output.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
      }
    }
    return found;
  }

  /** Puts and deletes many items (not atomically; use transactWrite for that). */
  async batchWrite(writes: {
    readonly puts?: ReadonlyArray<{ readonly address: ItemAddress; readonly attributes: Attributes }>;
    readonly deletes?: readonly ItemAddress[];
  }): Promise<void> {
    const requests: WriteRequest[] = [
      ...(writes.puts ?? []).map(({ address, attributes }) => ({
        PutRequest: { Item: this.#item(address, attributes) },
      })),
      ...(writes.deletes ?? []).map((address) => ({ DeleteRequest: { Key: this.#key(address) } })),
    ];
    for (const chunk of chunks(requests, BATCH_WRITE_LIMIT)) {
      let pending: WriteRequest[] = chunk;
      for (let attempt = 0; pending.length > 0; attempt += 1) {
        if (attempt === BATCH_ATTEMPTS)
          throw new IncompleteBatchError('BatchWriteItem left items unprocessed');
        const output = await this.client.send(
          new BatchWriteItemCommand({ RequestItems: { [this.tableName]: pending } }),
        );
        pending = output.UnprocessedItems?.[this.tableName] ?? [];
      }
    }
  }

  /**
   * Applies all operations or none; returns false when a condition failed.
   * Throws TransactionConflictError when a concurrent transaction got in the way.
   */
  async transactWrite(operations: readonly TransactWriteOperation[]): Promise<boolean> {
    const items: TransactWriteItem[] = [];
    for (const operation of operations) {
      const item = this.#transactItem(operation);
      // A ceiling no write can meet fails the transaction without asking DynamoDB.
      if (item === undefined) return false;
      items.push(item);
    }
    try {
      await this.client.send(new TransactWriteItemsCommand({ TransactItems: items }));
      return true;
    } catch (err) {
      const codes = cancellationCodes(err);
      if (codes?.includes('ConditionalCheckFailed')) return false;
      if (codes?.includes('TransactionConflict')) throw new TransactionConflictError({ cause: err });
      throw err;
    }
  }

  #transactItem(operation: TransactWriteOperation): TransactWriteItem | undefined {
    const base = { TableName: this.tableName, Key: this.#key(operation.address) };
    switch (operation.kind) {
      case 'put':
        return {
          Put: {
            TableName: this.tableName,
            Item: this.#item(operation.address, operation.attributes),
            ...(operation.ifNotExists ? { ConditionExpression: NOT_EXISTS } : {}),
          },
        };
      case 'delete':
        return { Delete: { ...base, ...(operation.mustExist ? { ConditionExpression: EXISTS } : {}) } };
      case 'conditionCheck':
        return { ConditionCheck: { ...base, ConditionExpression: operation.exists ? EXISTS : NOT_EXISTS } };
      case 'add': {
        const expression = counterExpression(operation);
        return expression === undefined ? undefined : { Update: { ...base, ...expressionInput(expression) } };
      }
      case 'swap':
        return {
          Update: { ...base, ...expressionInput(swapExpression(operation.set, operation.expect)) },
        };
    }
  }

  #partitionKey(partition: PartitionAddress): string {
    try {
      return partitionKey(
        this.owner,
        partition.visibility,
        partition.collection,
        ...(partition.segments ?? []),
      );
    } catch (err) {
      throw new ScopedKeyError('invalid item address', { cause: err });
    }
  }

  #key(address: ItemAddress) {
    return marshall({ pk: this.#partitionKey(address), sk: checkedSortKey(address.sk) });
  }

  #item(address: ItemAddress, attributes: Attributes) {
    rejectKeyAttributes(attributes);
    return marshall(
      { ...attributes, pk: this.#partitionKey(address), sk: checkedSortKey(address.sk) },
      { removeUndefinedValues: true },
    );
  }
}

function expressionInput(expression: UpdateExpression) {
  return {
    UpdateExpression: expression.update,
    ExpressionAttributeNames: expression.names,
    ExpressionAttributeValues: marshall(expression.values, { removeUndefinedValues: true }),
    ...(expression.condition === undefined ? {} : { ConditionExpression: expression.condition }),
  };
}

function checkedSortKey(sk: string): string {
  if (sk.length === 0 || sk.length > MAX_SORT_KEY_LENGTH) {
    throw new ScopedKeyError(`sort keys must be 1–${MAX_SORT_KEY_LENGTH} characters`);
  }
  return sk;
}

function toScopedItem(raw: Parameters<typeof unmarshall>[0]): ScopedItem {
  const { pk: _pk, sk, ...attributes } = unmarshall(raw);
  return { sk: String(sk), attributes };
}

/** The cursor a query continues from to read the items after sort key `sk` (what a page's cursor is). */
export function cursorAfter(sk: string): string {
  return Buffer.from(sk, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): string {
  const sk = Buffer.from(cursor, 'base64url').toString('utf8');
  if (sk.length === 0) throw new ScopedKeyError('invalid cursor');
  return checkedSortKey(sk);
}

/**
 * GuardrailTable over DynamoDB through a tenant session. Reads delegate to
 * ScopedTable; the two extra writes build their keys with the same
 * `partitionKey()` from the session's owner, so they reach only what IAM lets
 * the session reach. Meant to be folded into ScopedTable as `addWithin` and
 * the `add`/`swap` transaction operations.
 */
import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  TransactionCanceledException,
  type TransactWriteItem,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall, type NativeAttributeValue, unmarshall } from '@aws-sdk/util-dynamodb';
import { ScopedKeyError } from '../tenancy/errors.js';
import { type KeyOwner, partitionKey } from '../tenancy/key-layout.js';
import { type Attributes, type ItemAddress, type ScopedItem, ScopedTable } from '../tenancy/scoped-table.js';
import type { TenantSession } from '../tenancy/tenant-session.js';
import { TransactionConflictError } from './errors.js';
import type { CounterUpdate, ExpectedValue, GuardedWrite, GuardrailTable } from './guardrail-table.js';

const MAX_SORT_KEY_LENGTH = 1024;

/** An update expression with its names, values and condition. */
interface Expression {
  readonly update: string;
  readonly condition?: string;
  readonly names: Record<string, string>;
  readonly values: Record<string, NativeAttributeValue>;
}

function assertNotKeyAttribute(attribute: string): void {
  if (attribute === 'pk' || attribute === 'sk') {
    throw new ScopedKeyError(`attribute "${attribute}" is reserved for the key`);
  }
}

/** Accumulates placeholders so one expression never reuses a name. */
class ExpressionBuilder {
  readonly names: Record<string, string> = {};
  readonly values: Record<string, NativeAttributeValue> = {};
  #next = 0;

  name(attribute: string): string {
    assertNotKeyAttribute(attribute);
    const ref = `#n${this.#next++}`;
    this.names[ref] = attribute;
    return ref;
  }

  value(value: NativeAttributeValue): string {
    const ref = `:v${this.#next++}`;
    this.values[ref] = value;
    return ref;
  }
}

/** `ADD` with ceilings (checked as "absent or ≤ ceiling − increment") plus optional `SET`s. */
export function counterExpression(update: CounterUpdate): Expression | undefined {
  const builder = new ExpressionBuilder();
  const additions: string[] = [];
  const conditions: string[] = [];
  for (const [attribute, increment] of Object.entries(update.add)) {
    const name = builder.name(attribute);
    additions.push(`${name} ${builder.value(increment)}`);
    const ceiling = update.atMost?.[attribute];
    if (ceiling === undefined) continue;
    // Even an absent attribute becomes `increment`: no write can pass the ceiling.
    if (increment > ceiling) return undefined;
    conditions.push(`(attribute_not_exists(${name}) OR ${name} <= ${builder.value(ceiling - increment)})`);
  }
  if (additions.length === 0) throw new ScopedKeyError('a counter update needs at least one attribute');
  const sets = Object.entries(update.set ?? {})
    .filter(([, value]) => value !== undefined)
    .map(([attribute, value]) => `${builder.name(attribute)} = ${builder.value(value)}`);
  return {
    update: `ADD ${additions.join(', ')}${sets.length > 0 ? ` SET ${sets.join(', ')}` : ''}`,
    ...(conditions.length > 0 ? { condition: conditions.join(' AND ') } : {}),
    names: builder.names,
    values: builder.values,
  };
}

/** `SET`s that apply only while each expected attribute holds its expected value (or is absent for null). */
export function swapExpression(set: Attributes, expect: Readonly<Record<string, ExpectedValue>>): Expression {
  const builder = new ExpressionBuilder();
  const sets = Object.entries(set).map(
    ([attribute, value]) => `${builder.name(attribute)} = ${builder.value(value)}`,
  );
  if (sets.length === 0) throw new ScopedKeyError('a swap needs at least one attribute');
  const conditions = Object.entries(expect).map(([attribute, expected]) => {
    const name = builder.name(attribute);
    return expected === null ? `attribute_not_exists(${name})` : `${name} = ${builder.value(expected)}`;
  });
  return {
    update: `SET ${sets.join(', ')}`,
    ...(conditions.length > 0 ? { condition: conditions.join(' AND ') } : {}),
    names: builder.names,
    values: builder.values,
  };
}

export class ScopedGuardrailTable implements GuardrailTable {
  readonly #reads: ScopedTable;

  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly owner: KeyOwner,
  ) {
    this.#reads = new ScopedTable(client, tableName, owner);
  }

  /** The guard-rail view of a tenant session's table. */
  static of(session: TenantSession, tableName: string): ScopedGuardrailTable {
    return new ScopedGuardrailTable(session.dynamodb, tableName, session.owner);
  }

  get: ScopedTable['get'] = (address) => this.#reads.get(address);
  batchGet: ScopedTable['batchGet'] = (addresses) => this.#reads.batchGet(addresses);
  query: ScopedTable['query'] = (partition, options) => this.#reads.query(partition, options);

  async addWithin(update: CounterUpdate): Promise<ScopedItem | undefined> {
    const expression = counterExpression(update);
    if (expression === undefined) return undefined;
    try {
      const output = await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: this.#key(update.address),
          ...this.#expressionInput(expression),
          ReturnValues: 'ALL_NEW',
        }),
      );
      const { pk: _pk, sk, ...attributes } = unmarshall(output.Attributes ?? {});
      return { sk: String(sk ?? update.address.sk), attributes };
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return undefined;
      throw err;
    }
  }

  async transactGuarded(writes: readonly GuardedWrite[]): Promise<boolean> {
    const items: TransactWriteItem[] = [];
    for (const write of writes) {
      const item = this.#transactItem(write);
      // A ceiling no write can meet fails the transaction without asking DynamoDB.
      if (item === undefined) return false;
      items.push(item);
    }
    try {
      await this.client.send(new TransactWriteItemsCommand({ TransactItems: items }));
      return true;
    } catch (err) {
      if (!(err instanceof TransactionCanceledException)) throw err;
      const codes = (err.CancellationReasons ?? []).map((reason) => reason.Code);
      if (codes.includes('ConditionalCheckFailed')) return false;
      if (codes.includes('TransactionConflict')) throw new TransactionConflictError({ cause: err });
      throw err;
    }
  }

  #transactItem(write: GuardedWrite): TransactWriteItem | undefined {
    const base = { TableName: this.tableName };
    switch (write.kind) {
      case 'put':
        for (const name of Object.keys(write.attributes)) assertNotKeyAttribute(name);
        return {
          Put: {
            ...base,
            Item: marshall(
              { ...write.attributes, ...this.#keyAttributes(write.address) },
              { removeUndefinedValues: true },
            ),
            ...(write.ifNotExists ? { ConditionExpression: 'attribute_not_exists(pk)' } : {}),
          },
        };
      case 'delete':
        return {
          Delete: {
            ...base,
            Key: this.#key(write.address),
            ...(write.mustExist ? { ConditionExpression: 'attribute_exists(pk)' } : {}),
          },
        };
      case 'add': {
        const expression = counterExpression(write);
        if (expression === undefined) return undefined;
        return { Update: { ...base, Key: this.#key(write.address), ...this.#expressionInput(expression) } };
      }
      case 'swap':
        return {
          Update: {
            ...base,
            Key: this.#key(write.address),
            ...this.#expressionInput(swapExpression(write.set, write.expect)),
          },
        };
    }
  }

  #expressionInput(expression: Expression) {
    return {
      UpdateExpression: expression.update,
      ExpressionAttributeNames: expression.names,
      ExpressionAttributeValues: marshall(expression.values, { removeUndefinedValues: true }),
      ...(expression.condition === undefined ? {} : { ConditionExpression: expression.condition }),
    };
  }

  #keyAttributes(address: ItemAddress): { pk: string; sk: string } {
    if (address.sk.length === 0 || address.sk.length > MAX_SORT_KEY_LENGTH) {
      throw new ScopedKeyError(`sort keys must be 1–${MAX_SORT_KEY_LENGTH} characters`);
    }
    try {
      return {
        pk: partitionKey(this.owner, address.visibility, address.collection, ...(address.segments ?? [])),
        sk: address.sk,
      };
    } catch (err) {
      throw new ScopedKeyError('invalid item address', { cause: err });
    }
  }

  #key(address: ItemAddress) {
    return marshall(this.#keyAttributes(address));
  }
}

/**
 * DynamoDB requests → IAM requests, with `dynamodb:LeadingKeys` derived from the request itself
 * (Key, Item, KeyConditionExpression/KeyConditions, batch and transact items). A request whose
 * partition key cannot be read gets no leading keys, which the tenant policy's Null guard denies.
 */

import { isRecord } from '../../lambdas/is-record.js';
import {
  headerValue,
  type IamRequest,
  jsonObjectBody,
  type ParsedRequest,
  UnrecognizedRequestError,
} from './iam-request.js';

/** The partition-key attribute of a table and of each of its indexes. */
export interface TableKeys {
  readonly partitionKey: string;
  readonly indexPartitionKeys: Readonly<Record<string, string>>;
}

export interface DynamoDbScope {
  readonly region: string;
  readonly accountId: string;
  /** Key schema by table name; tables missing here yield no leading keys (denied by the Null guard). */
  readonly tables: ReadonlyMap<string, TableKeys>;
}

const TARGET_PREFIX = 'DynamoDB_20120810.';

/** Operations whose resource is one table and whose keys sit in Key or Item. */
const SINGLE_ITEM_OPERATIONS = new Set(['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem']);
/** Table-level operations evaluated without item keys. */
const TABLE_OPERATIONS = new Set(['DescribeTable', 'Scan']);
const TRANSACT_WRITE_ACTIONS: Readonly<Record<string, string>> = {
  Put: 'PutItem',
  Update: 'UpdateItem',
  Delete: 'DeleteItem',
  ConditionCheck: 'ConditionCheckItem',
};

/** Maps one DynamoDB request to the IAM requests that must all be allowed. */
export function dynamoDbIamRequests(request: ParsedRequest, scope: DynamoDbScope): IamRequest[] {
  const target = headerValue(request.headers, 'x-amz-target');
  if (request.method !== 'POST' || target === undefined || !target.startsWith(TARGET_PREFIX)) {
    throw new UnrecognizedRequestError('not a DynamoDB request');
  }
  const operation = target.slice(TARGET_PREFIX.length);
  const body = jsonObjectBody(request);
  const item = (action: string, table: unknown, keySource: unknown): IamRequest =>
    itemRequest(scope, action, tableName(table), keySource);

  if (SINGLE_ITEM_OPERATIONS.has(operation)) {
    return [item(operation, body.TableName, operation === 'PutItem' ? body.Item : body.Key)];
  }
  switch (operation) {
    case 'Query':
      return [queryRequest(scope, body)];
    case 'BatchGetItem':
      return entriesOf(body.RequestItems).map(([table, entry]) =>
        batchRequest(scope, 'BatchGetItem', table, arrayOf(isRecord(entry) ? entry.Keys : undefined)),
      );
    case 'BatchWriteItem':
      return entriesOf(body.RequestItems).map(([table, writes]) =>
        batchRequest(
          scope,
          'BatchWriteItem',
          table,
          arrayOf(writes).map((write) => {
            if (!isRecord(write)) return undefined;
            if (isRecord(write.PutRequest)) return write.PutRequest.Item;
            if (isRecord(write.DeleteRequest)) return write.DeleteRequest.Key;
            return undefined;
          }),
        ),
      );
    case 'TransactWriteItems':
      return arrayOf(body.TransactItems).map((entry) => {
        const [kind, operationBody] = singleEntry(entry);
        const action = TRANSACT_WRITE_ACTIONS[kind];
        if (action === undefined || !isRecord(operationBody)) {
          throw new UnrecognizedRequestError(`unknown transact write ${kind}`);
        }
        return item(action, operationBody.TableName, kind === 'Put' ? operationBody.Item : operationBody.Key);
      });
    case 'TransactGetItems':
      return arrayOf(body.TransactItems).map((entry) => {
        const [kind, operationBody] = singleEntry(entry);
        if (kind !== 'Get' || !isRecord(operationBody))
          throw new UnrecognizedRequestError('unknown transact get');
        return item('GetItem', operationBody.TableName, operationBody.Key);
      });
    default:
      if (TABLE_OPERATIONS.has(operation)) {
        return [
          {
            action: `dynamodb:${operation}`,
            resource: tableArn(scope, tableName(body.TableName)),
            context: {},
          },
        ];
      }
      throw new UnrecognizedRequestError(`DynamoDB operation ${operation} is not recognised`);
  }
}

function itemRequest(scope: DynamoDbScope, operation: string, table: string, keySource: unknown): IamRequest {
  const key = scope.tables.get(table)?.partitionKey;
  return {
    action: `dynamodb:${operation}`,
    resource: tableArn(scope, table),
    context: leadingKeysContext(key === undefined ? [] : [attributeString(keySource, key)]),
  };
}

function batchRequest(
  scope: DynamoDbScope,
  operation: string,
  table: string,
  keySources: readonly unknown[],
): IamRequest {
  const key = scope.tables.get(table)?.partitionKey;
  const values = key === undefined ? [] : keySources.map((source) => attributeString(source, key));
  return {
    action: `dynamodb:${operation}`,
    resource: tableArn(scope, table),
    context: leadingKeysContext(values),
  };
}

function queryRequest(scope: DynamoDbScope, body: Record<string, unknown>): IamRequest {
  const table = tableName(body.TableName);
  const keys = scope.tables.get(table);
  const indexName = typeof body.IndexName === 'string' ? body.IndexName : undefined;
  const partitionKey = indexName === undefined ? keys?.partitionKey : keys?.indexPartitionKeys[indexName];
  const resource = tableArn(scope, table) + (indexName === undefined ? '' : `/index/${indexName}`);
  const values = partitionKey === undefined ? [] : queriedPartitionValues(body, partitionKey);
  return { action: 'dynamodb:Query', resource, context: leadingKeysContext(values) };
}

/**
 * The partition-key values a Query asks for: from KeyConditionExpression (with its name/value
 * maps) or KeyConditions. Every equality on the partition key counts, so a crafted expression
 * naming two partitions must have both allowed.
 */
function queriedPartitionValues(body: Record<string, unknown>, partitionKey: string): (string | undefined)[] {
  if (typeof body.KeyConditionExpression === 'string') {
    const found: (string | undefined)[] = [];
    const names = isRecord(body.ExpressionAttributeNames) ? body.ExpressionAttributeNames : {};
    const values = isRecord(body.ExpressionAttributeValues) ? body.ExpressionAttributeValues : {};
    for (const clause of body.KeyConditionExpression.split(/\s+AND\s+/i)) {
      const match = /^\s*\(?\s*([#\w.]+)\s*=\s*(:\w+)\s*\)?\s*$/.exec(clause);
      const reversed = /^\s*\(?\s*(:\w+)\s*=\s*([#\w.]+)\s*\)?\s*$/.exec(clause);
      const [name, placeholder] = match ? [match[1], match[2]] : reversed ? [reversed[2], reversed[1]] : [];
      if (name === undefined || placeholder === undefined) continue;
      const attribute = name.startsWith('#') ? names[name] : name;
      if (attribute === partitionKey) found.push(attributeString(values, placeholder));
    }
    return found;
  }
  if (isRecord(body.KeyConditions)) {
    const condition = body.KeyConditions[partitionKey];
    if (isRecord(condition) && condition.ComparisonOperator === 'EQ') {
      return [attributeString({ value: arrayOf(condition.AttributeValueList)[0] }, 'value')];
    }
  }
  return [];
}

/** The string form of a key attribute (S, N or B) inside `source[name]`; undefined when absent. */
function attributeString(source: unknown, name: string): string | undefined {
  if (!isRecord(source)) return undefined;
  const attribute = source[name];
  if (!isRecord(attribute)) return undefined;
  for (const type of ['S', 'N', 'B'] as const) {
    if (typeof attribute[type] === 'string') return attribute[type];
  }
  return undefined;
}

/**
 * Any key we could not read drops the whole context key: an empty `dynamodb:LeadingKeys` is
 * denied by the policy's Null guard, so an unreadable key can never widen access.
 */
function leadingKeysContext(values: readonly (string | undefined)[]): IamRequest['context'] {
  const known = values.filter((value): value is string => value !== undefined);
  if (known.length === 0 || known.length !== values.length) return {};
  return { 'dynamodb:LeadingKeys': [...new Set(known)] };
}

function tableArn(scope: DynamoDbScope, table: string): string {
  return `arn:aws:dynamodb:${scope.region}:${scope.accountId}:table/${table}`;
}

function tableName(value: unknown): string {
  if (typeof value !== 'string' || !/^[\w.-]{3,255}$/.test(value)) {
    throw new UnrecognizedRequestError('TableName is missing or malformed');
  }
  return value;
}

function entriesOf(value: unknown): [string, unknown][] {
  if (!isRecord(value)) throw new UnrecognizedRequestError('RequestItems is missing');
  return Object.entries(value).map(([table, entry]) => [tableName(table), entry]);
}

function arrayOf(value: unknown): unknown[] {
  if (!Array.isArray(value)) throw new UnrecognizedRequestError('expected a list');
  return value;
}

function singleEntry(value: unknown): [string, unknown] {
  if (!isRecord(value)) throw new UnrecognizedRequestError('expected an object');
  const entries = Object.entries(value);
  const first = entries[0];
  if (entries.length !== 1 || first === undefined) {
    throw new UnrecognizedRequestError('transact item must name exactly one operation');
  }
  return first;
}

/**
 * The front door's opt-in measurement of DynamoDB read and write units (the bench turns it on;
 * nothing else does). Every item read or write is asked for its consumed capacity
 * (`ReturnConsumedCapacity: TOTAL`) and DynamoDB Local's answer is reported; the answer the caller
 * gets is the one it would have had without measurement (ConsumedCapacity removed unless it asked).
 *
 * TransactWriteItems is the exception: DynamoDB Local counts equal per-item units once per table
 * (three 1 KB puts report 2 units, not 6), so its units are computed here by AWS's rule — 2 per
 * started KB of each item, the larger of its size before and after — from the items read just
 * before and after the transaction (reads straight to DynamoDB Local, neither counted nor metered).
 * Failed calls report nothing (AWS charges a failed condition's units; DynamoDB Local does not say).
 * An unreachable DynamoDB Local is a front-door error (500) here, not the outage's 503: the outage
 * tests run without measurement.
 */
import { request as httpRequest, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import { isRecord } from '../../lambdas/is-record.js';
import { itemSizeBytes, type WireItem, writeUnitsFor } from './dynamodb-item-size.js';
import { headerValue, type ParsedRequest } from './iam-request.js';

/** Capacity units one DynamoDB call consumed. */
export interface DynamoDbUnits {
  readonly read: number;
  readonly write: number;
}

/** Who wants the units, and when: measuring a transaction costs extra reads, so timed runs switch it off. */
export interface DynamoDbUnitsListener {
  measuring(): boolean;
  report(units: DynamoDbUnits): void;
}

interface Exchange {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

type TableKeySchema = readonly string[];

const TARGET_PREFIX = 'DynamoDB_20120810.';
const READ_OPERATIONS = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan', 'TransactGetItems']);
const WRITE_OPERATIONS = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem']);
const TRANSACTIONAL_UNITS_PER_ITEM = 2;

/** Forwards DynamoDB calls to DynamoDB Local, reporting each call's units. */
export class DynamoDbUnitsMeter {
  readonly #keySchemas = new Map<string, Promise<TableKeySchema>>();

  constructor(
    private readonly endpoint: string,
    private readonly report: (units: DynamoDbUnits) => void,
  ) {}

  /** Forwards the (already authorized) request and answers the caller. */
  async forward(request: ParsedRequest, outgoing: ServerResponse): Promise<void> {
    const operation = (headerValue(request.headers, 'x-amz-target') ?? '').slice(TARGET_PREFIX.length);
    const body: unknown = JSON.parse(request.body.toString('utf8') || '{}');
    const answer =
      operation === 'TransactWriteItems' && isRecord(body)
        ? await this.#transactWrite(request, body)
        : (READ_OPERATIONS.has(operation) || WRITE_OPERATIONS.has(operation)) && isRecord(body)
          ? await this.#askingCapacity(request, body, READ_OPERATIONS.has(operation) ? 'read' : 'write')
          : await this.#exchange(request.headers, request.body);
    const { 'content-length': _length, 'transfer-encoding': _chunked, ...headers } = answer.headers;
    outgoing.writeHead(answer.status, { ...headers, 'content-length': String(answer.body.length) });
    outgoing.end(answer.body);
  }

  async #askingCapacity(
    request: ParsedRequest,
    body: Record<string, unknown>,
    kind: keyof DynamoDbUnits,
  ): Promise<Exchange> {
    const callerAsked = body.ReturnConsumedCapacity === 'TOTAL' || body.ReturnConsumedCapacity === 'INDEXES';
    const measured = callerAsked ? body : { ...body, ReturnConsumedCapacity: 'TOTAL' };
    const answer = await this.#exchange(request.headers, Buffer.from(JSON.stringify(measured)));
    if (answer.status !== 200) return answer;
    const output: unknown = JSON.parse(answer.body.toString('utf8'));
    if (!isRecord(output)) return answer;
    const units = capacityUnitsOf(output.ConsumedCapacity);
    this.report(kind === 'read' ? { read: units, write: 0 } : { read: 0, write: units });
    if (callerAsked) return answer;
    const { ConsumedCapacity: _measured, ...unmeasured } = output;
    return { ...answer, body: Buffer.from(JSON.stringify(unmeasured)) };
  }

  async #transactWrite(request: ParsedRequest, body: Record<string, unknown>): Promise<Exchange> {
    const targets = await this.#transactTargets(body.TransactItems);
    const before = await this.#itemSizes(targets);
    const answer = await this.#exchange(request.headers, request.body);
    if (answer.status !== 200) return answer;
    const after = await this.#itemSizes(targets);
    const write = targets.reduce(
      (sum, _target, index) =>
        sum + TRANSACTIONAL_UNITS_PER_ITEM * writeUnitsFor(Math.max(before[index] ?? 0, after[index] ?? 0)),
      0,
    );
    this.report({ read: 0, write });
    return answer;
  }

  /** Table and primary key of each item a transaction writes or checks. */
  async #transactTargets(items: unknown): Promise<{ table: string; key: WireItem }[]> {
    if (!Array.isArray(items)) return [];
    const targets: { table: string; key: WireItem }[] = [];
    for (const entry of items) {
      const action = isRecord(entry) ? Object.values(entry)[0] : undefined;
      if (!isRecord(action) || typeof action.TableName !== 'string') continue;
      const source = isRecord(action.Key) ? action.Key : isRecord(action.Item) ? action.Item : {};
      const schema = await this.#keySchema(action.TableName);
      targets.push({
        table: action.TableName,
        key: Object.fromEntries(schema.map((name) => [name, source[name]])),
      });
    }
    return targets;
  }

  /** Key attribute names of a table (DescribeTable, once per table). */
  #keySchema(table: string): Promise<TableKeySchema> {
    let schema = this.#keySchemas.get(table);
    if (schema === undefined) {
      schema = this.#call('DescribeTable', { TableName: table }).then((output) => {
        const described = isRecord(output.Table) ? output.Table.KeySchema : undefined;
        return Array.isArray(described)
          ? described.flatMap((key) =>
              isRecord(key) && typeof key.AttributeName === 'string' ? [key.AttributeName] : [],
            )
          : [];
      });
      this.#keySchemas.set(table, schema);
    }
    return schema;
  }

  /** The billed size of each target item now (0 when it does not exist). */
  async #itemSizes(targets: readonly { table: string; key: WireItem }[]): Promise<number[]> {
    return Promise.all(
      targets.map(async ({ table, key }) => {
        const output = await this.#call('GetItem', { TableName: table, Key: key, ConsistentRead: true });
        return isRecord(output.Item) ? itemSizeBytes(output.Item) : 0;
      }),
    );
  }

  /** One call straight to DynamoDB Local (not through the front door), for measurement only. */
  async #call(operation: string, input: Record<string, unknown>): Promise<Record<string, unknown>> {
    const answer = await this.#exchange(
      {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': `${TARGET_PREFIX}${operation}`,
        // DynamoDB Local reads the credential scope but checks no signature.
        authorization:
          'AWS4-HMAC-SHA256 Credential=MEASUREMENT/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
      },
      Buffer.from(JSON.stringify(input)),
    );
    const output: unknown = JSON.parse(answer.body.toString('utf8'));
    if (answer.status !== 200 || !isRecord(output))
      throw new Error(`measurement ${operation} failed: ${answer.status} ${answer.body.toString('utf8')}`);
    return output;
  }

  #exchange(headers: IncomingHttpHeaders, body: Buffer): Promise<Exchange> {
    const target = new URL(this.endpoint);
    const { 'transfer-encoding': _chunked, ...forwarded } = headers;
    return new Promise((resolve, reject) => {
      const upstream = httpRequest(
        {
          host: target.hostname,
          port: target.port,
          method: 'POST',
          path: '/',
          headers: { ...forwarded, 'content-length': String(body.length) },
        },
        (answer) => {
          const chunks: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => chunks.push(chunk));
          answer.on('end', () =>
            resolve({
              status: answer.statusCode ?? 502,
              headers: answer.headers,
              body: Buffer.concat(chunks),
            }),
          );
          answer.on('error', reject);
        },
      );
      upstream.on('error', reject);
      upstream.end(body);
    });
  }
}

/** Total units of a ConsumedCapacity answer (one object, or one per table). */
function capacityUnitsOf(consumed: unknown): number {
  const entries = Array.isArray(consumed) ? consumed : [consumed];
  return entries.reduce<number>(
    (sum, entry) =>
      sum + (isRecord(entry) && typeof entry.CapacityUnits === 'number' ? entry.CapacityUnits : 0),
    0,
  );
}

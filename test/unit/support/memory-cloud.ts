/**
 * In-memory answers for the tenant-session SDK clients (DynamoDB, S3, S3
 * Vectors, Secrets Manager, Bedrock embeddings), so unit tests can run whole flows — upload,
 * search, chat, delete — through the real scoped clients and assert on both
 * the captured commands and the resulting state. Only what the scoped clients
 * send is understood; anything else fails loudly.
 */
import { createHash, generateKeyPairSync } from 'node:crypto';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { NoSuchKey } from '@aws-sdk/client-s3';
import { ResourceExistsException, ResourceNotFoundException } from '@aws-sdk/client-secrets-manager';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { metadata, type SentCommand } from './fake-sdk.js';

type Item = Record<string, unknown>;

function record(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null) throw new Error('fake expected an object');
  return Object.fromEntries(Object.entries(value));
}

function attributeMap(value: unknown): Record<string, AttributeValue> {
  return Object.fromEntries(
    Object.entries(record(value)).map(([name, attribute]) => {
      const { S, N, BOOL, L, M, NULL } = record(attribute);
      if (S !== undefined) return [name, { S: String(S) }];
      if (N !== undefined) return [name, { N: String(N) }];
      if (BOOL !== undefined) return [name, { BOOL: BOOL === true }];
      if (NULL !== undefined) return [name, { NULL: true }];
      if (Array.isArray(L))
        return [name, { L: L.map((entry) => attributeMap({ v: entry }).v ?? { NULL: true }) }];
      return [name, { M: attributeMap(M) }];
    }),
  );
}

/** The names and values an expression refers to. */
interface ExpressionScope {
  readonly names: Record<string, unknown>;
  readonly values: Record<string, unknown>;
}

function expressionScope(input: Record<string, unknown>): ExpressionScope {
  return {
    names: record(input.ExpressionAttributeNames ?? {}),
    values: unmarshall(attributeMap(input.ExpressionAttributeValues ?? {})),
  };
}

/**
 * Evaluates the condition forms ScopedTable and the registry write: AND / OR with parentheses,
 * attribute_(not_)exists, and comparisons (`=`, `<>`, `<`, `<=`, `>`) between attributes and
 * values; a comparison with an absent attribute is false, as in DynamoDB (`<>` excepted).
 */
function conditionHolds(condition: unknown, item: Item | undefined, scope: ExpressionScope): boolean {
  if (condition === undefined) return true;
  const tokens = String(condition).match(/\(|\)|<>|<=|>=|[<>=]|[#:]?[\w.-]+/g) ?? [];
  let at = 0;
  const next = () => tokens[at++] ?? '';
  const operand = (token: string): unknown =>
    token.startsWith(':')
      ? scope.values[token]
      : item?.[token.startsWith('#') ? String(scope.names[token]) : token];
  const atom = (): boolean => {
    const first = next();
    if (first === '(') {
      const inner = or();
      next(); // ')'
      return inner;
    }
    if (first === 'attribute_exists' || first === 'attribute_not_exists') {
      next(); // '('
      const present = operand(next()) !== undefined;
      next(); // ')'
      return present === (first === 'attribute_exists');
    }
    const operator = next();
    const left = operand(first);
    const right = operand(next());
    if (operator === '=') return left === right;
    if (operator === '<>') return left !== right;
    if (left === undefined || right === undefined) return false;
    if (operator === '<') return Number(left) < Number(right);
    if (operator === '<=') return Number(left) <= Number(right);
    if (operator === '>') return Number(left) > Number(right);
    throw new Error(`MemoryTable does not understand the operator ${operator} in ${String(condition)}`);
  };
  const and = (): boolean => {
    let holds = atom();
    while (tokens[at] === 'AND') {
      at += 1;
      holds = atom() && holds;
    }
    return holds;
  };
  const or = (): boolean => {
    let holds = and();
    while (tokens[at] === 'OR') {
      at += 1;
      holds = and() || holds;
    }
    return holds;
  };
  return or();
}

/** Splits at commas outside parentheses. */
function topLevelParts(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let index = 0; index < text.length; index += 1) {
    if (text[index] === '(') depth += 1;
    else if (text[index] === ')') depth -= 1;
    else if (text[index] === ',' && depth === 0) {
      parts.push(text.slice(start, index).trim());
      start = index + 1;
    }
  }
  return [...parts, text.slice(start).trim()];
}

function conditionFailed(): ConditionalCheckFailedException {
  return new ConditionalCheckFailedException({ message: 'condition failed', $metadata: {} });
}

/**
 * KMS Encrypt/Decrypt for unit tests: the "ciphertext" is the plaintext with its context, and
 * Decrypt refuses another context — enough to check the vault passes the right one.
 */
export const memoryKms = (command: SentCommand<object>): object => {
  const input = record(command.input);
  const context = JSON.stringify(input.EncryptionContext ?? {});
  if (command.name === 'EncryptCommand') {
    const plaintext = Buffer.from(input.Plaintext as Uint8Array).toString('base64');
    return { ...metadata, CiphertextBlob: Buffer.from(JSON.stringify({ context, plaintext })) };
  }
  if (command.name === 'DecryptCommand') {
    const sealed = JSON.parse(Buffer.from(input.CiphertextBlob as Uint8Array).toString('utf8'));
    if (sealed.context !== context) throw new Error('InvalidCiphertextException (test KMS): another context');
    return { ...metadata, Plaintext: Buffer.from(sealed.plaintext, 'base64') };
  }
  if (command.name === 'GetPublicKeyCommand') return { ...metadata, PublicKey: DIGEST_PUBLIC_KEY };
  throw new Error(`memoryKms does not understand ${command.name}`);
};

/** The test KMS's signing key (no digest is signed in unit tests; verification needs the key). */
const DIGEST_PUBLIC_KEY = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({
  type: 'spki',
  format: 'der',
});

/** A tenant's audit records across its chains, in trail order (time, chain, position). */
export function auditItemsOf(table: MemoryTable, tenantId: string): Array<Record<string, unknown>> {
  return [...table.items.values()]
    .filter((item) => String(item.pk).startsWith(`${tenantId}#a#audit#s`) && String(item.sk).startsWith('e#'))
    .sort(
      (a, b) =>
        String(a.at).localeCompare(String(b.at)) ||
        Number(a.chain) - Number(b.chain) ||
        Number(a.seq) - Number(b.seq),
    );
}

/** Secrets Manager: Create/Put/Get/DeleteSecret by name (what TenantSecrets sends). */
export class MemorySecrets {
  readonly values = new Map<string, string>();

  respond = (command: SentCommand<object>): object => {
    const input = record(command.input);
    const name = String(input.Name ?? input.SecretId);
    const missing = () =>
      new ResourceNotFoundException({
        message: "Secrets Manager can't find the specified secret.",
        $metadata: {},
      });
    switch (command.name) {
      case 'CreateSecretCommand':
        if (this.values.has(name))
          throw new ResourceExistsException({ message: 'the secret already exists', $metadata: {} });
        this.values.set(name, String(input.SecretString));
        return { ...metadata, Name: name };
      case 'PutSecretValueCommand':
        if (!this.values.has(name)) throw missing();
        this.values.set(name, String(input.SecretString));
        return { ...metadata, Name: name };
      case 'GetSecretValueCommand': {
        const value = this.values.get(name);
        if (value === undefined) throw missing();
        return { ...metadata, Name: name, SecretString: value };
      }
      case 'DeleteSecretCommand':
        if (!this.values.delete(name)) throw missing();
        return { ...metadata, Name: name };
      default:
        throw new Error(`MemorySecrets does not understand ${command.name}`);
    }
  };
}

/** DynamoDB: Get/Put/Update(SET, ADD)/Delete/Query/Scan/BatchGet/BatchWrite/TransactWrite with ScopedTable's conditions. */
export class MemoryTable {
  readonly items = new Map<string, Item>();

  respond = (command: SentCommand<object>): object => {
    const input = record(command.input);
    switch (command.name) {
      case 'GetItemCommand': {
        const item = this.items.get(this.#id(unmarshall(attributeMap(input.Key))));
        return item === undefined ? { ...metadata } : { ...metadata, Item: marshall(item) };
      }
      case 'PutItemCommand':
        if (!this.#holds(input, 'Item')) throw conditionFailed();
        this.#put(input);
        return { ...metadata };
      case 'DeleteItemCommand':
        if (!this.#holds(input, 'Key')) throw conditionFailed();
        this.#delete(input);
        return { ...metadata };
      case 'UpdateItemCommand':
        if (!this.#holds(input, 'Key')) {
          const failure = conditionFailed();
          const existing = this.items.get(this.#id(unmarshall(attributeMap(input.Key))));
          if (input.ReturnValuesOnConditionCheckFailure === 'ALL_OLD' && existing !== undefined)
            failure.Item = marshall(existing);
          throw failure;
        }
        return { ...metadata, Attributes: marshall(this.#update(input)) };
      case 'BatchGetItemCommand': {
        const [[table, request] = ['', {}]] = Object.entries(record(input.RequestItems));
        const keys = record(request).Keys;
        const found = (Array.isArray(keys) ? keys : []).flatMap((key) => {
          const item = this.items.get(this.#id(unmarshall(attributeMap(key))));
          return item === undefined ? [] : [marshall(item)];
        });
        return { ...metadata, Responses: { [table]: found }, UnprocessedKeys: {} };
      }
      case 'TransactWriteItemsCommand':
        return this.#transact(input);
      case 'QueryCommand':
        return this.#query(input);
      case 'ScanCommand': {
        const scope = expressionScope(input);
        const found = [...this.items.values()].filter((item) =>
          conditionHolds(input.FilterExpression, item, scope),
        );
        return { ...metadata, Items: found.map((item) => marshall(item)) };
      }
      case 'BatchWriteItemCommand': {
        for (const requests of Object.values(record(input.RequestItems))) {
          for (const request of Array.isArray(requests) ? requests : []) {
            const { PutRequest, DeleteRequest } = record(request);
            if (PutRequest !== undefined) {
              const item = unmarshall(attributeMap(record(PutRequest).Item));
              this.items.set(this.#id(item), item);
            } else {
              this.items.delete(this.#id(unmarshall(attributeMap(record(DeleteRequest).Key))));
            }
          }
        }
        return { ...metadata, UnprocessedItems: {} };
      }
      default:
        throw new Error(`MemoryTable does not answer ${command.name}`);
    }
  };

  /** Items of one partition, in sort-key order. */
  partition(pk: string): Item[] {
    return [...this.items.values()]
      .filter((item) => item.pk === pk)
      .sort((a, b) => String(a.sk).localeCompare(String(b.sk)));
  }

  #id(key: Item): string {
    return JSON.stringify([key.pk, key.sk]);
  }

  /** Whether the operation's condition holds for the item its `Key` (or `Item`) names. */
  #holds(input: Record<string, unknown>, keyField: 'Key' | 'Item'): boolean {
    const existing = this.items.get(this.#id(unmarshall(attributeMap(input[keyField]))));
    return conditionHolds(input.ConditionExpression, existing, expressionScope(input));
  }

  #put(input: Record<string, unknown>): void {
    const item = unmarshall(attributeMap(input.Item));
    this.items.set(this.#id(item), item);
  }

  #delete(input: Record<string, unknown>): void {
    this.items.delete(this.#id(unmarshall(attributeMap(input.Key))));
  }

  /** All operations or none; a failed condition cancels with ConditionalCheckFailed, as DynamoDB does. */
  #transact(input: Record<string, unknown>): object {
    const operations = (Array.isArray(input.TransactItems) ? input.TransactItems : []).map((entry) => {
      const [[kind = '', operation] = []] = Object.entries(record(entry));
      return { kind, input: record(operation) };
    });
    const codes = operations.map(({ kind, input: operation }) =>
      this.#holds(operation, kind === 'Put' ? 'Item' : 'Key') ? 'None' : 'ConditionalCheckFailed',
    );
    if (codes.includes('ConditionalCheckFailed'))
      throw new TransactionCanceledException({
        message: 'Transaction cancelled',
        $metadata: {},
        CancellationReasons: codes.map((Code) => ({ Code })),
      });
    for (const { kind, input: operation } of operations) {
      if (kind === 'Put') this.#put(operation);
      else if (kind === 'Delete') this.#delete(operation);
      else if (kind === 'Update') this.#update(operation);
    }
    return { ...metadata };
  }

  /** SET (a value, or `if_not_exists(#n, :v) + :w`), ADD and REMOVE clauses. */
  #update(input: Record<string, unknown>): Item {
    const key = unmarshall(attributeMap(input.Key));
    const { names, values } = expressionScope(input);
    const before: Item = { ...(this.items.get(this.#id(key)) ?? key) };
    const item: Item = { ...before };
    const nameOf = (ref: string) => String(names[ref]);
    const operandValue = (text: string): unknown => {
      const ifAbsent = /^if_not_exists\((#\w+), (:\w+)\)$/.exec(text);
      if (ifAbsent !== null) return before[nameOf(ifAbsent[1] ?? '')] ?? values[ifAbsent[2] ?? ''];
      return text.startsWith('#') ? before[nameOf(text)] : values[text];
    };
    for (const [, action, body = ''] of String(input.UpdateExpression).matchAll(
      /(SET|ADD|REMOVE) (.*?)(?= SET | ADD | REMOVE |$)/g,
    )) {
      for (const clause of topLevelParts(body)) {
        if (action === 'REMOVE') {
          delete item[nameOf(clause)];
          continue;
        }
        const [nameRef = '', expression = ''] = clause.split(action === 'SET' ? ' = ' : ' ');
        const name = nameOf(nameRef);
        if (action === 'ADD') {
          item[name] = Number(before[name] ?? 0) + Number(values[expression]);
          continue;
        }
        const [left = '', operator, right = ''] = expression.split(/ ([+-]) /);
        item[name] =
          operator === undefined
            ? operandValue(left)
            : Number(operandValue(left)) + (operator === '+' ? 1 : -1) * Number(operandValue(right));
      }
    }
    this.items.set(this.#id(item), item);
    return item;
  }

  #query(input: Record<string, unknown>): object {
    const values = unmarshall(attributeMap(input.ExpressionAttributeValues));
    const prefix = typeof values[':prefix'] === 'string' ? values[':prefix'] : '';
    let items = this.partition(String(values[':pk'])).filter((item) => String(item.sk).startsWith(prefix));
    if (input.ScanIndexForward === false) items.reverse();
    if (input.ExclusiveStartKey !== undefined) {
      const after = String(unmarshall(attributeMap(input.ExclusiveStartKey)).sk);
      const index = items.findIndex((item) => item.sk === after);
      items = items.slice(index + 1);
    }
    const limit = typeof input.Limit === 'number' ? input.Limit : items.length;
    const page = items.slice(0, limit);
    const last = page.at(-1);
    return {
      ...metadata,
      Items: page.map((item) => marshall(item)),
      ...(items.length > limit && last !== undefined
        ? { LastEvaluatedKey: marshall({ pk: last.pk, sk: last.sk }) }
        : {}),
    };
  }
}

/** S3: Put/Get/Delete of whole objects; ListObjectVersions sees one version per object (an unversioned bucket). */
export class MemoryBucket {
  readonly objects = new Map<string, string>();

  respond = async (command: SentCommand<object>): Promise<object> => {
    const input = record(command.input);
    const key = String(input.Key);
    switch (command.name) {
      case 'PutObjectCommand':
        this.objects.set(key, String(input.Body));
        return { ...metadata };
      case 'GetObjectCommand': {
        const body = this.objects.get(key);
        if (body === undefined) throw new NoSuchKey({ message: 'no such key', $metadata: {} });
        return { ...metadata, Body: { transformToByteArray: async () => new TextEncoder().encode(body) } };
      }
      case 'DeleteObjectCommand':
        this.objects.delete(key);
        return { ...metadata };
      case 'ListObjectVersionsCommand': {
        const prefix = String(input.Prefix ?? '');
        const keys = [...this.objects.keys()].filter((candidate) => candidate.startsWith(prefix)).sort();
        const Versions = keys.map((Key) => ({
          Key,
          VersionId: 'null',
          IsLatest: true,
          LastModified: new Date(0),
        }));
        return { ...metadata, Versions, IsTruncated: false };
      }
      default:
        throw new Error(`MemoryBucket does not answer ${command.name}`);
    }
  };
}

interface StoredVector {
  readonly key: string;
  readonly data: number[];
  readonly metadata: Record<string, unknown>;
}

/** S3 Vectors: Create/Put/Query/List/Delete on one index; queries rank by cosine distance (filters are ignored); one page lists all. */
export class MemoryVectorIndex {
  readonly vectors = new Map<string, StoredVector>();

  respond = (command: SentCommand<object>): object => {
    const input = record(command.input);
    switch (command.name) {
      case 'CreateIndexCommand':
        return { ...metadata };
      case 'PutVectorsCommand':
        for (const vector of Array.isArray(input.vectors) ? input.vectors : []) {
          const { key, data, metadata: stored } = record(vector);
          const float32 = record(data).float32;
          this.vectors.set(String(key), {
            key: String(key),
            data: Array.isArray(float32) ? float32.map(Number) : [],
            metadata: record(stored ?? {}),
          });
        }
        return { ...metadata };
      case 'DeleteVectorsCommand':
        for (const key of Array.isArray(input.keys) ? input.keys : []) this.vectors.delete(String(key));
        return { ...metadata };
      case 'QueryVectorsCommand': {
        const query = record(input.queryVector).float32;
        const vector = Array.isArray(query) ? query.map(Number) : [];
        const ranked = [...this.vectors.values()]
          .map((stored) => ({ ...stored, distance: 1 - dot(stored.data, vector) }))
          .sort((a, b) => a.distance - b.distance)
          .slice(0, Number(input.topK));
        return {
          ...metadata,
          vectors: ranked.map(({ key, metadata: stored, distance }) => ({ key, metadata: stored, distance })),
        };
      }
      case 'ListVectorsCommand':
        return {
          ...metadata,
          vectors: [...this.vectors.values()].map(({ key, metadata: stored }) => ({ key, metadata: stored })),
        };
      default:
        throw new Error(`MemoryVectorIndex does not answer ${command.name}`);
    }
  };
}

function dot(a: readonly number[], b: readonly number[]): number {
  return a.reduce((sum, value, index) => sum + value * (b[index] ?? 0), 0);
}

/** A deterministic bag-of-words embedding: texts sharing words get close vectors. */
export function wordEmbedding(text: string, dimension = 1024): number[] {
  const vector = new Array<number>(dimension).fill(0);
  for (const word of text.toLowerCase().match(/[a-z0-9]+/g) ?? []) {
    const slot = createHash('sha256').update(word).digest().readUInt32BE(0) % dimension;
    vector[slot] = (vector[slot] ?? 0) + 1;
  }
  const norm = Math.hypot(...vector) || 1;
  return vector.map((value) => value / norm);
}

/** The Titan v2 InvokeModel answer for a captured request body. */
export function titanEmbeddingAnswer(command: SentCommand<object>): object {
  const body = JSON.parse(String(record(command.input).body));
  const inputText = String(record(body).inputText);
  const answer = {
    embedding: wordEmbedding(inputText),
    inputTextTokenCount: Math.ceil(inputText.length / 4),
  };
  return {
    ...metadata,
    body: new TextEncoder().encode(JSON.stringify(answer)),
    contentType: 'application/json',
  };
}

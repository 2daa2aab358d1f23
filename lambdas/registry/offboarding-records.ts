/**
 * Offboarding in the control table (the operator's records), next to the tenant record:
 *
 *   tenant record:    pk `tenant#<id>`, sk `profile`  — status `offboarding`, `offboarding`, `erasureStartedAt`
 *   erasure progress: pk `tenant#<id>`, sk `erasure`  — steps done and counts so far (a rerun resumes)
 *   erasure receipt:  pk `tenant#<id>`, sk `erasure-receipt` — what stays once the tenant is gone;
 *                     it also retires the id: onboarding refuses it for ever (tenant-registry.ts)
 *
 * Every transition is one conditional write: offboarding twice is offboarding once, a cancel after
 * the grace period (or once erasure began) is refused, and only an offboarding tenant past its
 * grace period can be claimed for erasure.
 */
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type * as z from 'zod';
import { MoveInProgressError, OffboardingNotCancellableError, TenantNotFoundError } from './errors.js';
import { type TenantRecord, TenantRecordSchema } from './tenant-record.js';
import { ERASURE_RECEIPT_SK, PROFILE_SK, parseStored, tenantPk } from './tenant-registry.js';

const PROGRESS_SK = 'erasure';
const ROLE_SK_PREFIX = 'user#';

export class OffboardingRecords {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  /** Suspends the tenant at once and schedules its erasure; an offboarding tenant is returned unchanged. */
  async start(tenantId: string, requestedAt: Date, eraseAfter: Date): Promise<TenantRecord> {
    try {
      return await this.#update(
        tenantId,
        'SET #status = :offboarding, offboarding = :offboarding_at',
        // One change at a time: a tenant moving between pool and silo is offboarded once it has arrived.
        'attribute_exists(pk) AND #status <> :offboarding AND attribute_not_exists(#move)',
        {
          ':offboarding': 'offboarding',
          ':offboarding_at': { requestedAt: requestedAt.toISOString(), eraseAfter: eraseAfter.toISOString() },
        },
      );
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
      const current = await this.#record(tenantId);
      if (current === undefined) throw new TenantNotFoundError(tenantId);
      if (current.move !== undefined && current.status !== 'offboarding')
        throw new MoveInProgressError(tenantId);
      return current;
    }
  }

  /** Restores an offboarding tenant while its grace period lasts and its erasure has not begun. */
  async cancel(tenantId: string, now: Date): Promise<TenantRecord> {
    try {
      return await this.#update(
        tenantId,
        'SET #status = :active REMOVE offboarding',
        '#status = :offboarding AND offboarding.eraseAfter > :now AND attribute_not_exists(erasureStartedAt)',
        { ':active': 'active', ':offboarding': 'offboarding', ':now': now.toISOString() },
      );
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
      if ((await this.#record(tenantId)) === undefined) throw new TenantNotFoundError(tenantId);
      throw new OffboardingNotCancellableError(tenantId);
    }
  }

  /** Marks erasure as begun (kept on reruns); undefined when the tenant is not due. */
  async claim(tenantId: string, now: Date): Promise<TenantRecord | undefined> {
    try {
      return await this.#update(
        tenantId,
        'SET erasureStartedAt = if_not_exists(erasureStartedAt, :now)',
        '#status = :offboarding AND offboarding.eraseAfter <= :now',
        { ':offboarding': 'offboarding', ':now': now.toISOString() },
      );
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return undefined;
      throw err;
    }
  }

  async progress<T>(tenantId: string, schema: z.ZodType<T>): Promise<T | undefined> {
    return this.#item(tenantId, PROGRESS_SK, schema);
  }

  async saveProgress(tenantId: string, progress: object): Promise<void> {
    await this.client.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: marshall(
          { ...progress, pk: tenantPk(tenantId), sk: PROGRESS_SK },
          { removeUndefinedValues: true },
        ),
      }),
    );
  }

  /** Deletes the tenant's role assignments; how many there were. */
  async deleteRoleAssignments(tenantId: string): Promise<number> {
    let deleted = 0;
    // Always the first page: what was deleted is gone, so the next page is the new first.
    for (;;) {
      const output = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :user)',
          ExpressionAttributeValues: marshall({ ':pk': tenantPk(tenantId), ':user': ROLE_SK_PREFIX }),
          ConsistentRead: true,
        }),
      );
      const items = output.Items ?? [];
      if (items.length === 0) return deleted;
      for (const item of items) {
        await this.client.send(
          new DeleteItemCommand({
            TableName: this.tableName,
            Key: { pk: item.pk ?? { S: '' }, sk: item.sk ?? { S: '' } },
          }),
        );
      }
      deleted += items.length;
    }
  }

  /** In one transaction: the tenant record and the progress go, the receipt stays. */
  async finish(tenantId: string, receipt: object): Promise<void> {
    const key = (sk: string) => marshall({ pk: tenantPk(tenantId), sk });
    await this.client.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          { Delete: { TableName: this.tableName, Key: key(PROFILE_SK) } },
          { Delete: { TableName: this.tableName, Key: key(PROGRESS_SK) } },
          {
            Put: {
              TableName: this.tableName,
              Item: marshall(
                { ...receipt, pk: tenantPk(tenantId), sk: ERASURE_RECEIPT_SK },
                { removeUndefinedValues: true },
              ),
            },
          },
        ],
      }),
    );
  }

  async receipt<T>(tenantId: string, schema: z.ZodType<T>): Promise<T | undefined> {
    return this.#item(tenantId, ERASURE_RECEIPT_SK, schema);
  }

  async #record(tenantId: string): Promise<TenantRecord | undefined> {
    return this.#item(tenantId, PROFILE_SK, TenantRecordSchema);
  }

  async #item<T>(tenantId: string, sk: string, schema: z.ZodType<T>): Promise<T | undefined> {
    const output = await this.client.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: marshall({ pk: tenantPk(tenantId), sk }),
        ConsistentRead: true,
      }),
    );
    return output.Item === undefined ? undefined : parseStored(schema, output.Item, sk);
  }

  async #update(
    tenantId: string,
    update: string,
    condition: string,
    values: Record<string, unknown>,
  ): Promise<TenantRecord> {
    const output = await this.client.send(
      new UpdateItemCommand({
        TableName: this.tableName,
        Key: marshall({ pk: tenantPk(tenantId), sk: PROFILE_SK }),
        UpdateExpression: update,
        ConditionExpression: condition,
        ...attributeNames(`${update} ${condition}`),
        ExpressionAttributeValues: marshall(values),
        ReturnValues: 'ALL_NEW',
      }),
    );
    return parseStored(TenantRecordSchema, output.Attributes ?? {}, 'tenant record');
  }
}

/** The placeholders an expression uses (`#status`, `#move`): DynamoDB refuses unused ones. */
function attributeNames(expression: string): { ExpressionAttributeNames?: Record<string, string> } {
  const names = Object.fromEntries(
    (['status', 'move'] as const)
      .filter((name) => expression.includes(`#${name}`))
      .map((name) => [`#${name}`, name]),
  );
  return Object.keys(names).length === 0 ? {} : { ExpressionAttributeNames: names };
}

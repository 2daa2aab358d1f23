/**
 * The tenant registry in the control table, read and written with the
 * function's own credentials (it is platform data, not tenant data).
 *
 *   tenant record:    pk `tenant#<tenantId>`, sk `profile`
 *   role assignment:  pk `tenant#<tenantId>`, sk `user#<userId>`
 */
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { z } from 'zod';
import { PLATFORM_TENANT_ID, type Role } from '../tenancy/request-context.js';
import { RegistryRecordError, TenantExistsError, TenantNotFoundError } from './errors.js';
import {
  type RoleAssignment,
  RoleAssignmentSchema,
  type TenantRecord,
  TenantRecordSchema,
  type TenantStatus,
} from './tenant-record.js';

const PROFILE_SK = 'profile';

function tenantPk(tenantId: string): string {
  return `tenant#${tenantId}`;
}

function userSk(userId: string): string {
  return `user#${userId}`;
}

function parseStored<T>(schema: z.ZodType<T>, raw: Parameters<typeof unmarshall>[0], what: string): T {
  const { pk: _pk, sk: _sk, ...fields } = unmarshall(raw);
  const result = schema.safeParse(fields);
  if (!result.success) throw new RegistryRecordError(`stored ${what} is malformed`, { cause: result.error });
  return result.data;
}

export class TenantRegistry {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  /** Stores a new tenant; throws TenantExistsError rather than overwrite one. */
  async createTenant(record: TenantRecord): Promise<void> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: marshall(
            { ...TenantRecordSchema.parse(record), pk: tenantPk(record.tenantId), sk: PROFILE_SK },
            { removeUndefinedValues: true },
          ),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) throw new TenantExistsError(record.tenantId);
      throw err;
    }
  }

  /** Removes a tenant record (undoes a failed onboarding). */
  async deleteTenant(tenantId: string): Promise<void> {
    await this.client.send(
      new DeleteItemCommand({
        TableName: this.tableName,
        Key: marshall({ pk: tenantPk(tenantId), sk: PROFILE_SK }),
      }),
    );
  }

  async getTenant(tenantId: string): Promise<TenantRecord | undefined> {
    const output = await this.client.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: marshall({ pk: tenantPk(tenantId), sk: PROFILE_SK }),
        ConsistentRead: true,
      }),
    );
    return output.Item === undefined
      ? undefined
      : parseStored(TenantRecordSchema, output.Item, 'tenant record');
  }

  /** Sets a tenant's status; throws TenantNotFoundError for an unknown tenant. */
  async setStatus(tenantId: string, status: TenantStatus): Promise<TenantRecord> {
    try {
      const output = await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: marshall({ pk: tenantPk(tenantId), sk: PROFILE_SK }),
          UpdateExpression: 'SET #status = :status',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: marshall({ ':status': status }),
          ReturnValues: 'ALL_NEW',
        }),
      );
      if (output.Attributes === undefined) throw new TenantNotFoundError(tenantId);
      return parseStored(TenantRecordSchema, output.Attributes, 'tenant record');
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) throw new TenantNotFoundError(tenantId);
      throw err;
    }
  }

  /** The roles assigned to a user in a tenant, or undefined when none were assigned. */
  async getUserRoles(tenantId: string, userId: string): Promise<readonly Role[] | undefined> {
    const output = await this.client.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: marshall({ pk: tenantPk(tenantId), sk: userSk(userId) }),
        ConsistentRead: true,
      }),
    );
    return output.Item === undefined
      ? undefined
      : parseStored(RoleAssignmentSchema, output.Item, 'role assignment').roles;
  }

  /** Assigns roles to a user of an existing tenant (atomically checks the tenant exists). */
  async setUserRoles(assignment: RoleAssignment): Promise<void> {
    const valid = RoleAssignmentSchema.parse(assignment);
    const item = marshall({ ...valid, pk: tenantPk(valid.tenantId), sk: userSk(valid.userId) });
    if (valid.tenantId === PLATFORM_TENANT_ID) {
      // The platform tenant is built in and has no record to check.
      await this.client.send(new PutItemCommand({ TableName: this.tableName, Item: item }));
      return;
    }
    try {
      await this.client.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            {
              ConditionCheck: {
                TableName: this.tableName,
                Key: marshall({ pk: tenantPk(valid.tenantId), sk: PROFILE_SK }),
                ConditionExpression: 'attribute_exists(pk)',
              },
            },
            {
              Put: { TableName: this.tableName, Item: item },
            },
          ],
        }),
      );
    } catch (err) {
      if (
        err instanceof TransactionCanceledException &&
        err.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed'
      ) {
        throw new TenantNotFoundError(valid.tenantId);
      }
      throw err;
    }
  }
}

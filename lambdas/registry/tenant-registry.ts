/**
 * The tenant registry in the control table, read and written with the
 * function's own credentials (it is platform data, not tenant data).
 *
 *   tenant record:    pk `tenant#<tenantId>`, sk `profile`
 *   role assignment:  pk `tenant#<tenantId>`, sk `user#<userId>`
 *   erasure receipt:  pk `tenant#<tenantId>`, sk `erasure-receipt` (offboarding-records.ts)
 */
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  paginateQuery,
  paginateScan,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type * as z from 'zod';
import type { Placement } from '../tenancy/key-layout.js';
import { PLATFORM_TENANT_ID, type Role, type Tier } from '../tenancy/request-context.js';
import {
  MoveInProgressError,
  RegistryRecordError,
  TenantExistsError,
  TenantIdRetiredError,
  TenantNotFoundError,
  TenantOffboardingError,
} from './errors.js';
import {
  type MovePhase,
  type PlacementMove,
  placementOf,
  type RoleAssignment,
  RoleAssignmentSchema,
  type TenantRecord,
  TenantRecordSchema,
  type TenantSettings,
  type TenantStatus,
} from './tenant-record.js';

export const PROFILE_SK = 'profile';
/** What stays of an erased tenant; while it exists the tenant's id is never onboarded again. */
export const ERASURE_RECEIPT_SK = 'erasure-receipt';

export function tenantPk(tenantId: string): string {
  return `tenant#${tenantId}`;
}

function userSk(userId: string): string {
  return `user#${userId}`;
}

export function parseStored<T>(schema: z.ZodType<T>, raw: Parameters<typeof unmarshall>[0], what: string): T {
  const { pk: _pk, sk: _sk, ...fields } = unmarshall(raw);
  const result = schema.safeParse(fields);
  if (!result.success) throw new RegistryRecordError(`stored ${what} is malformed`, { cause: result.error });
  return result.data;
}

/** Where a move goes next: its next phase (with the new placement at the switch), or its end. */
export type MoveStep =
  | { readonly move: PlacementMove; readonly placement?: Placement }
  | { readonly lastMove: NonNullable<TenantRecord['lastMove']> };

export class TenantRegistry {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  /**
   * Stores a new tenant; throws TenantExistsError rather than overwrite one, and
   * TenantIdRetiredError for the id of an erased tenant. An id is never reused: its old users'
   * tokens still name it (Cognito's `custom:tenantId` is immutable, an external IdP keeps issuing
   * them), so a new tenant under that id would let them in. One transaction, so an erasure that
   * finishes meanwhile cannot slip between a check and the write.
   */
  async createTenant(record: TenantRecord): Promise<void> {
    const pk = tenantPk(record.tenantId);
    try {
      await this.client.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            {
              ConditionCheck: {
                TableName: this.tableName,
                Key: marshall({ pk, sk: ERASURE_RECEIPT_SK }),
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Put: {
                TableName: this.tableName,
                Item: marshall(
                  { ...TenantRecordSchema.parse(record), pk, sk: PROFILE_SK },
                  { removeUndefinedValues: true },
                ),
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
          ],
        }),
      );
    } catch (err) {
      if (!(err instanceof TransactionCanceledException)) throw err;
      const [receipt, profile] = (err.CancellationReasons ?? []).map((reason) => reason.Code);
      if (receipt === 'ConditionalCheckFailed') throw new TenantIdRetiredError(record.tenantId);
      if (profile === 'ConditionalCheckFailed') throw new TenantExistsError(record.tenantId);
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

  /** Where a tenant's data lives now (read consistently: jobs act on it). */
  async placementOf(tenantId: string): Promise<Placement> {
    return placementOf(await this.getTenant(tenantId));
  }

  /** Every registered tenant (the built-in platform tenant has no record), in no particular order. */
  async listTenants(): Promise<TenantRecord[]> {
    const tenants: TenantRecord[] = [];
    // A scan of the registry's profile items: the control table holds only registry data, a few items per tenant.
    const pages = paginateScan(
      { client: this.client },
      {
        TableName: this.tableName,
        ConsistentRead: true,
        FilterExpression: 'sk = :profile',
        ExpressionAttributeValues: marshall({ ':profile': PROFILE_SK }),
      },
    );
    for await (const page of pages) {
      for (const item of page.Items ?? [])
        tenants.push(parseStored(TenantRecordSchema, item, 'tenant record'));
    }
    return tenants;
  }

  /**
   * Suspends or resumes a tenant; throws TenantNotFoundError for an unknown tenant and
   * TenantOffboardingError for an offboarding one (only cancel-offboard restores it).
   */
  setStatus(tenantId: string, status: Exclude<TenantStatus, 'offboarding'>): Promise<TenantRecord> {
    return this.#setFields(tenantId, { status }, { unlessOffboarding: true });
  }

  /** Sets the given settings (each replaces the stored value); throws TenantNotFoundError for an unknown tenant. */
  updateSettings(tenantId: string, settings: TenantSettings): Promise<TenantRecord> {
    return this.#setFields(tenantId, settings);
  }

  /**
   * Changes a tenant's tier, starting `move` with it when the new tier lives elsewhere, and sets
   * `settings` in the same write; refuses (MoveInProgressError) while a move is under way: one
   * move at a time.
   */
  async changeTier(
    tenantId: string,
    tier: Tier,
    move: PlacementMove | undefined,
    settings: TenantSettings = {},
  ): Promise<TenantRecord> {
    try {
      return await this.#update(tenantId, {
        set: { ...settings, tier, ...(move === undefined ? {} : { move }) },
        condition: 'attribute_not_exists(#move) AND #status <> :offboarding',
        names: { '#move': 'move', '#status': 'status' },
        values: { ':offboarding': 'offboarding' },
      });
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) {
        const current = await this.getTenant(tenantId);
        if (current === undefined) throw new TenantNotFoundError(tenantId);
        if (current.status === 'offboarding') throw new TenantOffboardingError(tenantId);
        throw new MoveInProgressError(tenantId);
      }
      throw err;
    }
  }

  /**
   * Moves a tenant's move on from `from` (only if it is still there: two runs never both act):
   * to its next phase (`move`, and at the switch the new `placement`), or to its end (`lastMove`).
   * Returns the new record, or undefined when the move had moved on already.
   */
  async advanceMove(tenantId: string, from: MovePhase, next: MoveStep): Promise<TenantRecord | undefined> {
    try {
      return await this.#update(tenantId, {
        ...('lastMove' in next ? { set: { lastMove: next.lastMove }, remove: ['#move'] } : { set: next }),
        condition: '#move.#phase = :from',
        names: { '#move': 'move', '#phase': 'phase' },
        values: { ':from': from },
      });
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return undefined;
      throw err;
    }
  }

  /** One conditional update of a tenant record (it must exist); returns the new record. */
  async #update(
    tenantId: string,
    update: {
      readonly set?: Readonly<Record<string, unknown>>;
      readonly remove?: readonly string[];
      readonly condition?: string;
      readonly names?: Readonly<Record<string, string>>;
      readonly values?: Readonly<Record<string, unknown>>;
    },
  ): Promise<TenantRecord> {
    // Unset fields are left alone (a PATCH names only what it changes).
    const set = Object.entries(update.set ?? {}).filter(([, value]) => value !== undefined);
    const clauses = [
      ...(set.length === 0 ? [] : [`SET ${set.map((_, index) => `#s${index} = :s${index}`).join(', ')}`]),
      ...(update.remove === undefined ? [] : [`REMOVE ${update.remove.join(', ')}`]),
    ];
    const output = await this.client.send(
      new UpdateItemCommand({
        TableName: this.tableName,
        Key: marshall({ pk: tenantPk(tenantId), sk: PROFILE_SK }),
        UpdateExpression: clauses.join(' '),
        ConditionExpression:
          update.condition === undefined
            ? 'attribute_exists(pk)'
            : `attribute_exists(pk) AND ${update.condition}`,
        ExpressionAttributeNames: {
          ...update.names,
          ...Object.fromEntries(set.map(([name], index) => [`#s${index}`, name])),
        },
        ...(set.length === 0 && update.values === undefined
          ? {}
          : {
              ExpressionAttributeValues: marshall(
                {
                  ...update.values,
                  ...Object.fromEntries(set.map(([, value], index) => [`:s${index}`, value])),
                },
                { removeUndefinedValues: true },
              ),
            }),
        ReturnValues: 'ALL_NEW',
      }),
    );
    if (output.Attributes === undefined) throw new TenantNotFoundError(tenantId);
    return parseStored(TenantRecordSchema, output.Attributes, 'tenant record');
  }

  async #setFields(
    tenantId: string,
    fields: Readonly<Record<string, unknown>>,
    options: { unlessOffboarding?: boolean } = {},
  ): Promise<TenantRecord> {
    if (Object.values(fields).every((value) => value === undefined)) {
      const record = await this.getTenant(tenantId);
      if (record === undefined) throw new TenantNotFoundError(tenantId);
      return record;
    }
    try {
      return await this.#update(tenantId, {
        set: fields,
        ...(options.unlessOffboarding
          ? {
              condition: '#status <> :offboarding',
              names: { '#status': 'status' },
              values: { ':offboarding': 'offboarding' },
            }
          : {}),
      });
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
      if (options.unlessOffboarding && (await this.getTenant(tenantId)) !== undefined)
        throw new TenantOffboardingError(tenantId);
      throw new TenantNotFoundError(tenantId);
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

  /** Every role assignment of a tenant, by user id. */
  async listUserRoles(tenantId: string): Promise<RoleAssignment[]> {
    const assignments: RoleAssignment[] = [];
    const pages = paginateQuery(
      { client: this.client },
      {
        TableName: this.tableName,
        ConsistentRead: true,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :user)',
        ExpressionAttributeValues: marshall({ ':pk': tenantPk(tenantId), ':user': userSk('') }),
      },
    );
    for await (const page of pages) {
      for (const item of page.Items ?? [])
        assignments.push(parseStored(RoleAssignmentSchema, item, 'role assignment'));
    }
    return assignments;
  }

  /** Removes a user's role assignment (user erasure); false when there was none. */
  async removeUserRoles(tenantId: string, userId: string): Promise<boolean> {
    const output = await this.client.send(
      new DeleteItemCommand({
        TableName: this.tableName,
        Key: marshall({ pk: tenantPk(tenantId), sk: userSk(userId) }),
        ReturnValues: 'ALL_OLD',
      }),
    );
    return output.Attributes !== undefined;
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

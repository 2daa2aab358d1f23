/**
 * The audit trail cannot be written by the tenant, and detects what its writer changes (issues 5,
 * 11). Records are produced through the API (the onboarding, a document upload, a tool call that
 * writes memory). A TENANT SESSION of that same tenant — what a compromised handler holds — is
 * refused every read and write of the trail by IAM. The audit writer's own session may append and
 * move heads but never delete; a record it changes is named by `GET /v1/audit/verify`.
 */
import {
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { AUDIT_CHAINS } from '../../lambdas/audit/audit-trail.js';
import { type Caller, callAs, onboard } from './support/api-client.js';
import {
  apiEnv,
  auditWriterSession,
  rawClients,
  tenantSession,
  uniqueSuffix,
} from './support/local-cloud.js';

const suffix = uniqueSuffix();
const tableName = apiEnv('TENANT_TABLE_NAME');
/** The upload's `attempted` record: the third of a trail (the first two are the onboarding's attempt and outcome). */
const UPLOAD_RECORD_SK = `e#${'3'.padStart(12, '0')}`;

interface Verdict {
  ok: boolean;
  records: number;
  problem?: string;
}

const adminOf = (tenantId: string): Caller => ({ sub: 'audra', tenantId, groups: ['admin'] });

/** Writes audited records through the API: an upload, and a chat whose tool call writes memory. */
async function produceRecords(admin: Caller): Promise<void> {
  const upload = await callAs(admin, 'POST', '/v1/documents', {
    title: 'Ledger',
    content: `Ledger ${suffix}: the books balance.`,
    visibility: 'tenant',
  });
  expect(upload.status).toBe(201);
  const chat = await callAs(admin, 'POST', '/v1/chat', {
    message: `use tool remember ${JSON.stringify({ fact: `the ledger ${suffix} balances` })}`,
  });
  expect(chat).toMatchObject({ status: 200, body: { toolCalls: [{ name: 'remember', status: 'success' }] } });
}

const verify = async (admin: Caller): Promise<Verdict> => {
  const answer = await callAs(admin, 'GET', '/v1/audit/verify');
  expect(answer.status).toBe(200);
  return answer.body as Verdict;
};

/** A raw DynamoDB client on a session of the tenant itself (the attacker inside the tenant). */
const insiderTable = async (tenantId: string) =>
  rawClients(await tenantSession(tenantId, `mallory-${suffix}`)).dynamodb;

/** A raw DynamoDB client on an audit writer session (what a bug in the platform's writer could do). */
const writerTable = async (tenantId: string) =>
  rawClients(await auditWriterSession(tenantId, `mallory-${suffix}`)).dynamodb;

/** The key of a record on chain 0 (the tenant session is refused it whatever it holds). */
const auditKey = (tenantId: string) => ({ pk: { S: `${tenantId}#a#audit#s0` }, sk: { S: UPLOAD_RECORD_SK } });

/** The key of the upload's `attempted` record, on whichever chain it landed. */
async function uploadRecordKey(table: DynamoDBClient, tenantId: string) {
  for (let chain = 0; chain < AUDIT_CHAINS; chain += 1) {
    const { Items = [] } = await table.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: `${tenantId}#a#audit#s${chain}` } },
      }),
    );
    const found = Items.find(
      (item) => item.action?.S === 'documents.upload' && item.outcome?.S === 'attempted',
    );
    if (found?.pk !== undefined && found.sk !== undefined) return { pk: found.pk, sk: found.sk };
  }
  throw new Error('no upload record on any chain');
}

describe('audit verification', () => {
  const edited = adminOf(`zq-audit-edit-${suffix}`);
  const deleted = adminOf(`zq-audit-delete-${suffix}`);

  beforeAll(async () => {
    await Promise.all([edited, deleted].map((admin) => onboard(admin.tenantId, 'basic')));
    await Promise.all([produceRecords(edited), produceRecords(deleted)]);
  });

  it('names actors by opaque ids, never raw user ids; a user finds their own in /v1/me', async () => {
    const [trail, me] = await Promise.all([
      callAs(edited, 'GET', '/v1/audit?limit=100'),
      callAs(edited, 'GET', '/v1/me'),
    ]);
    const records = (trail.body as { records: { actor: string; action: string }[] }).records;
    const { actor } = me.body as { actor: string };

    expect(actor).toMatch(/^a_[0-9a-f]{32}$/);
    expect(records.every((record) => /^a_[0-9a-f]{32}$/.test(record.actor))).toBe(true);
    expect(
      records.filter((record) => record.action === 'documents.upload').map((record) => record.actor),
    ).toEqual([actor, actor]);
    expect(JSON.stringify(records)).not.toContain(edited.sub);
  });

  it('refuses every read and write of the trail to the tenant’s own session', async () => {
    const table = await insiderTable(edited.tenantId);
    const denied = { name: 'AccessDeniedException' };

    await expect(
      table.send(new GetItemCommand({ TableName: tableName, Key: auditKey(edited.tenantId) })),
    ).rejects.toMatchObject(denied);
    await expect(
      table.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: auditKey(edited.tenantId),
          UpdateExpression: 'SET #resource = :forged',
          ExpressionAttributeNames: { '#resource': 'resource' },
          ExpressionAttributeValues: { ':forged': { S: 'document/nothing-to-see' } },
        }),
      ),
    ).rejects.toMatchObject(denied);
    await expect(
      table.send(new DeleteItemCommand({ TableName: tableName, Key: auditKey(edited.tenantId) })),
    ).rejects.toMatchObject(denied);
    await expect(
      table.send(
        new PutItemCommand({
          TableName: tableName,
          Item: { ...auditKey(edited.tenantId), resource: { S: 'forged' } },
        }),
      ),
    ).rejects.toMatchObject(denied);
    expect((await verify(edited)).ok).toBe(true);
  });

  it('refuses deletes even to the audit writer, and names a record it changed', async () => {
    const before = await verify(deleted);
    expect(before.ok).toBe(true);
    const table = await writerTable(deleted.tenantId);
    const key = await uploadRecordKey(table, deleted.tenantId);

    await expect(table.send(new DeleteItemCommand({ TableName: tableName, Key: key }))).rejects.toMatchObject(
      {
        name: 'AccessDeniedException',
      },
    );
    const original = await table.send(new GetItemCommand({ TableName: tableName, Key: key }));
    expect(original.Item?.resource?.S).toMatch(/^document\//);
    await table.send(
      new UpdateItemCommand({
        TableName: tableName,
        Key: key,
        UpdateExpression: 'SET #resource = :forged',
        ExpressionAttributeNames: { '#resource': 'resource' },
        ExpressionAttributeValues: { ':forged': { S: 'document/nothing-to-see' } },
      }),
    );

    expect(await verify(deleted)).toMatchObject({
      ok: false,
      problem: 'changed',
      chain: Number(key.pk.S?.split('#s').at(-1)),
    });
  });
});

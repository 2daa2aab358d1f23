/**
 * The audit trail detects tampering (issue 5). Records are produced through the API (the
 * onboarding, a document upload, a tool call that writes memory); then a TENANT SESSION of that
 * same tenant — what a compromised handler holds, and which IAM lets write the tenant's own keys —
 * edits one record in the first case and deletes one in the second. `GET /v1/audit/verify`
 * must say ok before and name the problem after.
 */
import { DeleteItemCommand, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Caller, callAs, onboard } from './support/api-client.js';
import { apiEnv, rawClients, tenantSession, uniqueSuffix } from './support/local-cloud.js';

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

const auditKey = (tenantId: string) => ({ pk: { S: `${tenantId}#t#audit` }, sk: { S: UPLOAD_RECORD_SK } });

describe('audit verification', () => {
  const edited = adminOf(`zq-audit-edit-${suffix}`);
  const deleted = adminOf(`zq-audit-delete-${suffix}`);

  beforeAll(async () => {
    await Promise.all([edited, deleted].map((admin) => onboard(admin.tenantId, 'basic')));
    await Promise.all([produceRecords(edited), produceRecords(deleted)]);
  });

  it('detects a record whose field was changed with the tenant’s own credentials', async () => {
    const before = await verify(edited);
    expect(before.ok).toBe(true);
    expect(before.records).toBeGreaterThanOrEqual(4);
    const table = await insiderTable(edited.tenantId);
    const original = await table.send(
      new GetItemCommand({ TableName: tableName, Key: auditKey(edited.tenantId) }),
    );
    expect(original.Item?.resource?.S).toMatch(/^document\//);

    await table.send(
      new UpdateItemCommand({
        TableName: tableName,
        Key: auditKey(edited.tenantId),
        UpdateExpression: 'SET #resource = :forged',
        ExpressionAttributeNames: { '#resource': 'resource' },
        ExpressionAttributeValues: { ':forged': { S: 'document/nothing-to-see' } },
      }),
    );

    expect(await verify(edited)).toEqual({ ok: false, records: 2, problem: 'changed' });
  });

  it('detects a record deleted with the tenant’s own credentials', async () => {
    const before = await verify(deleted);
    expect(before.ok).toBe(true);
    const table = await insiderTable(deleted.tenantId);

    await table.send(new DeleteItemCommand({ TableName: tableName, Key: auditKey(deleted.tenantId) }));

    const gone = await table.send(
      new GetItemCommand({ TableName: tableName, Key: auditKey(deleted.tenantId) }),
    );
    expect(gone.Item).toBeUndefined();
    expect(await verify(deleted)).toEqual({ ok: false, records: 2, problem: 'out_of_sequence' });
  });
});

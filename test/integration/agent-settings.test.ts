/**
 * Per-tenant agent settings in the local cloud: what a tenant admin switches off is not offered
 * to the model (read from the stand-in model's own record) for that tenant only, and the settings
 * item is the tenant's data — another tenant's session cannot read it (IAM).
 */
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Caller, callAs, onboard } from './support/api-client.js';
import { modelRequestsOf } from './support/inspector.js';
import { apiEnv, apiModels, rawClients, tenantSession, uniqueSuffix } from './support/local-cloud.js';

const suffix = uniqueSuffix();
const tenant = `settings-${suffix}`;
const other = `settings2-${suffix}`;
const admin: Caller = { sub: 'sam', tenantId: tenant, groups: ['admin'] };
const analyst: Caller = { sub: 'sal', tenantId: tenant, groups: ['analyst'] };
const otherAnalyst: Caller = { sub: 'sal', tenantId: other, groups: ['analyst'] };

const offeredTo = async (caller: Caller) =>
  (await modelRequestsOf(caller.tenantId, caller.sub))
    .filter((request) => request.operation === 'converse')
    .at(-1)?.offeredTools;

beforeAll(async () => {
  await Promise.all([onboard(tenant, 'basic'), onboard(other, 'basic')]);
});

describe('agent settings in the local cloud', () => {
  it('keep a switched-off tool from the tenant’s model calls, and from no one else’s', async () => {
    const stored = await callAs(admin, 'PUT', '/v1/agent/settings', { disabledTools: ['recall'] });
    expect(stored.status).toBe(200);

    await callAs(analyst, 'POST', '/v1/chat', { message: 'hello' });
    await callAs(otherAnalyst, 'POST', '/v1/chat', { message: 'hello' });

    expect(await offeredTo(analyst)).not.toContain('recall');
    expect(await offeredTo(analyst)).toContain('search_documents');
    expect(await offeredTo(otherAnalyst)).toContain('recall');
  });

  it('choose the tenant’s chat model among those the platform grants', async () => {
    const picked = await callAs(admin, 'PUT', '/v1/agent/settings', { modelId: 'amazon.nova-micro-v1:0' });
    const refused = await callAs(admin, 'PUT', '/v1/agent/settings', {
      modelId: 'meta.llama3-70b-instruct-v1:0',
    });

    await callAs(analyst, 'POST', '/v1/chat', { message: 'hello' });
    await callAs(otherAnalyst, 'POST', '/v1/chat', { message: 'hello' });

    expect(picked.status).toBe(200);
    expect(refused).toMatchObject({ status: 422, body: { error: { code: 'model_not_allowed' } } });
    const lastModel = async (caller: Caller) =>
      (await modelRequestsOf(caller.tenantId, caller.sub)).filter((r) => r.operation === 'converse').at(-1)
        ?.modelId;
    expect(await lastModel(analyst)).toBe('amazon.nova-micro-v1:0');
    expect(await lastModel(otherAnalyst)).toBe(apiModels().chatModels[0]);
  });

  it('are readable by the tenant’s own sessions only', async () => {
    const key = { pk: { S: `${tenant}#t#agent-settings` }, sk: { S: 'current' } };
    const read = async (tenantId: string) =>
      rawClients(await tenantSession(tenantId, 'sam')).dynamodb.send(
        new GetItemCommand({ TableName: apiEnv('TENANT_TABLE_NAME'), Key: key }),
      );

    expect((await read(tenant)).Item?.settings).toBeDefined();
    await expect(read(other)).rejects.toMatchObject({ name: 'AccessDeniedException' });
    expect((await callAs({ ...admin, tenantId: other }, 'GET', '/v1/agent/settings')).body).toEqual({});
  });
});

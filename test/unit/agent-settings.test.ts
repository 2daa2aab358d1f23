/**
 * Per-tenant agent settings (issue 9, first part): a tenant admin sets instructions, switches
 * built-in tools off, maps tools to roles and lowers the step limit. They narrow what the model
 * is offered AND what runs if it asks anyway; they never widen the authorization table; they are
 * the tenant's own (another tenant neither reads nor is affected by them); bad settings are 400s
 * that change nothing.
 */
import type { ConverseCommandInput } from '@aws-sdk/client-bedrock-runtime';
import { describe, expect, it } from 'vitest';
import { BUILT_IN_TOOL_NAMES } from '../../lambdas/agent/agent-settings.js';
import { TOOLS } from '../../lambdas/agent/tool-catalog.js';
import { ACME, ADA_ADMIN, ALICE_ANALYST, apiHarness, BOB_READER } from './support/api-harness.js';
import { memoryRegistry } from './support/fake-runtime.js';
import { assertDocumentedResponse } from './support/openapi-validator.js';
import { isConverseInput } from './support/scripted-model.js';

const GLOBEX = { ...ACME, tenantId: 'globex', name: 'Globex' };
const GLOBEX_ANALYST = { ...ALICE_ANALYST, tenantId: 'globex' };

function twoTenants() {
  return apiHarness({ registry: memoryRegistry([ACME, GLOBEX]) });
}

/** What the model was sent on its last call. */
function lastConverse(api: ReturnType<typeof apiHarness>): ConverseCommandInput {
  const inputs = api.bedrock.map((command) => command.input).filter(isConverseInput);
  const last = inputs.at(-1);
  if (last === undefined) throw new Error('no model call');
  return last;
}

const offered = (api: ReturnType<typeof apiHarness>) =>
  (lastConverse(api).toolConfig?.tools ?? []).map((tool) => tool.toolSpec?.name);

describe('agent settings', () => {
  it('names every built-in tool the catalog has', () => {
    expect(TOOLS.map((tool) => tool.name)).toEqual([...BUILT_IN_TOOL_NAMES]);
  });

  it('lets a tenant admin store and read them, and nobody else', async () => {
    const api = twoTenants();
    const settings = { instructions: 'Answer in French.', disabledTools: ['recall'], maxSteps: 3 };

    const stored = await api.call(ADA_ADMIN, 'PUT', '/v1/agent/settings', settings);
    const read = await api.call(ADA_ADMIN, 'GET', '/v1/agent/settings');
    const byAnalyst = await api.call(ALICE_ANALYST, 'PUT', '/v1/agent/settings', {});
    const byReader = await api.call(BOB_READER, 'GET', '/v1/agent/settings');
    const otherTenant = await api.call({ ...ADA_ADMIN, tenantId: 'globex' }, 'GET', '/v1/agent/settings');

    expect([stored.statusCode, read.statusCode]).toEqual([200, 200]);
    expect(read.json).toEqual(settings);
    assertDocumentedResponse('GET', '/v1/agent/settings', read);
    expect([byAnalyst.statusCode, byReader.statusCode]).toEqual([403, 403]);
    expect([otherTenant.statusCode, otherTenant.json]).toEqual([200, {}]);
    expect(api.table.partition('acme#t#agent-settings')).toHaveLength(1);
    expect(api.table.partition('globex#t#agent-settings')).toHaveLength(0);
  });

  it('narrows the catalog the model is offered, for this tenant only', async () => {
    const api = twoTenants();
    await api.call(ADA_ADMIN, 'PUT', '/v1/agent/settings', {
      disabledTools: ['recall'],
      toolRoles: { remember: ['admin'] },
    });

    await api.call(ALICE_ANALYST, 'POST', '/v1/chat', { message: 'hello' });
    const analystTools = offered(api);
    await api.call(ADA_ADMIN, 'POST', '/v1/chat', { message: 'hello' });
    const adminTools = offered(api);
    await api.call(GLOBEX_ANALYST, 'POST', '/v1/chat', { message: 'hello' });
    const otherTenantTools = offered(api);

    expect(analystTools).toEqual(['search_documents', 'get_my_usage', 'delete_document']);
    expect(adminTools).toEqual(['search_documents', 'remember', 'get_my_usage', 'delete_document']);
    expect(otherTenantTools).toEqual([
      'search_documents',
      'recall',
      'remember',
      'get_my_usage',
      'delete_document',
    ]);
  });

  it('refuses a switched-off tool the model asks for anyway, and never widens the roles', async () => {
    const api = twoTenants();
    await api.call(ADA_ADMIN, 'PUT', '/v1/agent/settings', {
      disabledTools: ['recall'],
      toolRoles: { get_my_usage: ['reader'] },
    });

    const recall = await api.call(ALICE_ANALYST, 'POST', '/v1/chat', { message: 'use tool recall {}' });
    const usage = await api.call(BOB_READER, 'POST', '/v1/chat', { message: 'use tool get_my_usage {}' });

    expect(recall.json.toolCalls).toEqual([{ name: 'recall', status: 'refused' }]);
    // The map names reader, but the authorization table gives get_my_usage to analysts and admins only.
    expect(usage.json.toolCalls).toEqual([{ name: 'get_my_usage', status: 'refused' }]);
  });

  it('adds the instructions after the platform’s rules and lowers the step limit', async () => {
    const api = twoTenants();
    await api.call(ADA_ADMIN, 'PUT', '/v1/agent/settings', {
      instructions: 'Answer in French.',
      maxSteps: 1,
    });

    const answer = await api.call(ALICE_ANALYST, 'POST', '/v1/chat', { message: 'use tool recall {}' });

    const system = lastConverse(api).system?.map((block) => block.text) ?? [];
    expect(system).toHaveLength(2);
    expect(system[1]).toContain('Answer in French.');
    // One step: the model's tool request is not run, since no further call could read its result.
    expect(answer.json.toolCalls).toEqual([]);
    expect(api.bedrock.map((command) => command.input).filter(isConverseInput)).toHaveLength(1);
  });

  it('uses the model a tenant admin picks among those the platform grants, and refuses any other (422)', async () => {
    const api = twoTenants();

    const picked = await api.call(ADA_ADMIN, 'PUT', '/v1/agent/settings', {
      modelId: 'amazon.nova-micro-v1:0',
    });
    const refused = await api.call(ADA_ADMIN, 'PUT', '/v1/agent/settings', {
      modelId: 'anthropic.claude-3-haiku-20240307-v1:0',
    });
    await api.call(ALICE_ANALYST, 'POST', '/v1/chat', { message: 'hello' });
    const tenantModel = lastConverse(api).modelId;
    await api.call(GLOBEX_ANALYST, 'POST', '/v1/chat', { message: 'hello' });

    expect(picked.statusCode).toBe(200);
    expect([refused.statusCode, refused.json.error.code]).toEqual([422, 'model_not_allowed']);
    expect((await api.call(ADA_ADMIN, 'GET', '/v1/agent/settings')).json).toEqual({
      modelId: 'amazon.nova-micro-v1:0',
    });
    expect(tenantModel).toBe('amazon.nova-micro-v1:0');
    expect(lastConverse(api).modelId).toBe('amazon.nova-lite-v1:0');
  });

  it('uses the registry’s model while the catalogue grants it, and the default once it no longer does', async () => {
    const api = apiHarness({
      registry: memoryRegistry([
        { ...ACME, modelId: 'amazon.nova-micro-v1:0' },
        // Chosen under an earlier catalogue that granted it; this deployment's does not.
        { ...GLOBEX, modelId: 'anthropic.claude-3-haiku-20240307-v1:0' },
      ]),
    });

    await api.call(ALICE_ANALYST, 'POST', '/v1/chat', { message: 'hello' });
    const acmeModel = lastConverse(api).modelId;
    const globex = await api.call(GLOBEX_ANALYST, 'POST', '/v1/chat', { message: 'hello' });

    expect(acmeModel).toBe('amazon.nova-micro-v1:0');
    expect(globex.statusCode).toBe(200);
    expect(lastConverse(api).modelId).toBe('amazon.nova-lite-v1:0');
  });

  it.each([
    ['instructions too long', { instructions: 'x'.repeat(2001) }],
    ['an unknown tool', { disabledTools: ['format_disk'] }],
    ['the operator role in the map', { toolRoles: { recall: ['operator'] } }],
    ['a step limit above the platform’s', { maxSteps: 7 }],
    ['no steps', { maxSteps: 0 }],
    ['an unknown field', { tenantId: 'globex' }],
  ])('answers 400 for %s and changes nothing', async (_label, body) => {
    const api = twoTenants();
    await api.call(ADA_ADMIN, 'PUT', '/v1/agent/settings', { maxSteps: 2 });

    const refused = await api.call(ADA_ADMIN, 'PUT', '/v1/agent/settings', body);
    const read = await api.call(ADA_ADMIN, 'GET', '/v1/agent/settings');

    expect(refused.statusCode).toBe(400);
    expect(read.json).toEqual({ maxSteps: 2 });
  });
});

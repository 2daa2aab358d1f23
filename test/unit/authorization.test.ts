/**
 * The one authorization table, walked through every path a caller has: each
 * REST route (buffered and streamed), each agent tool (catalog and execution),
 * and the visibility-specific document actions the domain checks. For every
 * caller in the roster, each path must decide exactly what the table says.
 */
import type { APIGatewayProxyResult } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { catalogFor, TOOLS } from '../../lambdas/agent/tool-catalog.js';
import { runToolUse } from '../../lambdas/agent/tool-runner.js';
import {
  ACTION_TABLE,
  ACTIONS,
  type Action,
  mayTake,
  refusalOnTenant,
} from '../../lambdas/authorization/action-table.js';
import type { AnyEndpoint, Endpoint } from '../../lambdas/http/endpoint.js';
import { postChatStream, TENANT_API_ENDPOINTS } from '../../lambdas/routes/api-endpoints.js';
import { createChatStreamHandler } from '../../lambdas/routes/chat-stream-route.js';
import { CONTROL_ENDPOINTS } from '../../lambdas/routes/control-endpoints.js';
import { createControlHandler } from '../../lambdas/routes/control-routes.js';
import { requestContext } from '../../lambdas/tenancy/request-context.js';
import { ADA_ADMIN, ALICE_ANALYST, apiHarness, type Caller } from './support/api-harness.js';
import { proxyEvent } from './support/events.js';

const TAG = `t_${'0'.repeat(32)}`;
const DOCUMENT_ID = '6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f';

/** Every kind of caller: each tenant role alone, no role at all, and the platform operator. */
const ROSTER: readonly Caller[] = [
  { userId: 'nobody', roles: '' },
  { userId: 'bob', roles: 'reader' },
  { userId: 'alice', roles: 'analyst' },
  { userId: 'ada', roles: 'admin' },
  { userId: 'olga', roles: 'operator', tenantId: 'platform' },
  { userId: 'pat', roles: 'admin', tenantId: 'platform' },
];

function contextOf(caller: Caller) {
  return requestContext({
    tenantId: caller.tenantId ?? 'acme',
    userId: caller.userId,
    roles: caller.roles.split(',').filter(Boolean),
    tier: 'basic',
    requestId: 'req-authz',
    tenantTag: TAG,
  });
}

function concretePath(template: string): string {
  return template.replace('{tenantId}', 'acme').replace('{userId}', 'bob').replace('{id}', DOCUMENT_ID);
}

/** Calls an endpoint through the function that serves it, with the production pipeline. */
function endpointCaller() {
  const api = apiHarness();
  const control = createControlHandler(api.runtime, { logger: { info: vi.fn(), error: vi.fn() } });
  const stream = createChatStreamHandler(api.runtime, { logger: { info: vi.fn(), error: vi.fn() } });
  return async (declaration: AnyEndpoint, caller: Caller): Promise<APIGatewayProxyResult> => {
    const event = proxyEvent({
      method: declaration.method,
      path: concretePath(declaration.path),
      body: declaration.method === 'GET' || declaration.method === 'DELETE' ? null : '{}',
      authorizer: { tenantId: caller.tenantId ?? 'acme', userId: caller.userId, roles: caller.roles },
    });
    if (CONTROL_ENDPOINTS.includes(declaration as never)) return control(event);
    if (declaration === postChatStream) {
      let statusCode = 0;
      let body = '';
      await stream(event, (status) => {
        statusCode = status;
        return { write: (chunk) => (body += chunk), end: () => undefined };
      });
      return { statusCode, body };
    }
    return api.handler(event);
  };
}

const EVERY_ENDPOINT: readonly Endpoint<unknown, unknown, Action>[] = [
  ...TENANT_API_ENDPOINTS,
  postChatStream,
  ...CONTROL_ENDPOINTS,
];

describe('the authorization table', () => {
  it('gives every action at least one role, and every route and tool an action from it', () => {
    for (const action of ACTIONS) expect(ACTION_TABLE[action as Action].roles.length).toBeGreaterThan(0);
    for (const declaration of EVERY_ENDPOINT) expect(ACTIONS).toContain(declaration.action);
    for (const tool of TOOLS) expect(ACTIONS).toContain(tool.action);
  });

  it('denies every action to a caller without a role', () => {
    const nobody = contextOf({ userId: 'nobody', roles: '' });

    expect(ACTIONS.filter((action) => mayTake(nobody, action as Action))).toEqual([]);
  });

  it('refuses every workspace action in the platform tenant, whatever the roles', () => {
    const platformAdmin = contextOf({ userId: 'pat', roles: 'admin,operator', tenantId: 'platform' });
    const workspace = ACTIONS.filter((action) => ACTION_TABLE[action as Action].workspace);

    expect(workspace.length).toBeGreaterThan(10);
    expect(workspace.filter((action) => mayTake(platformAdmin, action as Action))).toEqual([]);
  });
});

describe('REST routes follow the table', () => {
  for (const declaration of EVERY_ENDPOINT) {
    it(`${declaration.method} ${declaration.path} (${declaration.action}) answers 403 exactly where the table refuses`, async () => {
      const call = endpointCaller();
      for (const caller of ROSTER) {
        // Routes that name a tenant narrow a tenant admin to their own (the path's tenant is acme).
        const allowed = refusalOnTenant(contextOf(caller), declaration.action, 'acme') === undefined;

        const result = await call(declaration, caller);

        const label = `${caller.roles || 'no role'}@${caller.tenantId ?? 'acme'}`;
        if (allowed) expect(result.statusCode, label).not.toBe(403);
        else
          expect({ label, status: result.statusCode, code: JSON.parse(result.body).error?.code }).toEqual({
            label,
            status: 403,
            code: 'forbidden',
          });
      }
    });
  }
});

describe('agent tools follow the table', () => {
  const services = () => ({
    documents: { search: vi.fn(async () => []), delete: vi.fn(async () => undefined) },
    memory: {
      list: vi.fn(async () => []),
      remember: vi.fn(async (fact: string) => ({ id: 'f', fact, createdAt: '2024-01-01T00:00:00.000Z' })),
    },
    usage: {
      current: vi.fn(async () => ({
        month: '2024-01',
        inputTokens: 0,
        outputTokens: 0,
        requests: 0,
        calls: 0,
        connectorCalls: 0,
        costUsd: 0,
      })),
    },
    audit: { note: vi.fn(async () => undefined) },
  });
  const validInput: Record<string, unknown> = {
    search_documents: { query: 'holidays' },
    recall: {},
    remember: { fact: 'likes tea' },
    get_my_usage: {},
    delete_document: { documentId: DOCUMENT_ID },
  };

  for (const tool of TOOLS) {
    it(`${tool.name} (${tool.action}) is offered and runs exactly where the table allows`, async () => {
      for (const caller of ROSTER) {
        const context = contextOf(caller);
        const allowed = mayTake(context, tool.action);

        const offered = catalogFor(context).includes(tool);
        const run = await runToolUse(
          context,
          { toolUseId: 'u1', name: tool.name, input: validInput[tool.name] },
          services(),
        );

        const label = `${caller.roles || 'no role'}@${caller.tenantId ?? 'acme'}`;
        expect({ label, offered, status: run.call.status }).toEqual({
          label,
          offered: allowed,
          status: allowed ? 'success' : 'refused',
        });
      }
    });
  }

  it('decides each action the same way on its REST route and its tool', async () => {
    const call = endpointCaller();
    const shared = TOOLS.flatMap((tool) =>
      EVERY_ENDPOINT.filter((declaration) => declaration.action === tool.action).map((declaration) => ({
        tool,
        declaration,
      })),
    );
    expect(shared.length).toBeGreaterThanOrEqual(4);
    for (const { tool, declaration } of shared) {
      for (const caller of ROSTER) {
        const context = contextOf(caller);
        const rest = (await call(declaration, caller)).statusCode !== 403;
        const viaTool = await runToolUse(
          context,
          { toolUseId: 'u', name: tool.name, input: validInput[tool.name] },
          services(),
        );

        const decisions = { rest, tool: viaTool.call.status !== 'refused' };
        const expected = mayTake(context, tool.action);
        expect({ name: tool.name, caller: caller.roles, ...decisions }).toEqual({
          name: tool.name,
          caller: caller.roles,
          rest: expected,
          tool: expected,
        });
      }
    }
  });
});

describe('tenant-visible documents: the domain checks the same table on both paths', () => {
  const TENANT_ROLES: readonly Caller[] = ROSTER.filter(
    (caller) => caller.tenantId === undefined && caller.roles !== '',
  );

  it('lets exactly the table’s roles upload a tenant-visible document over REST', async () => {
    const api = apiHarness();
    for (const caller of TENANT_ROLES) {
      const result = await api.call(caller, 'POST', '/v1/documents', {
        title: 'T',
        content: 'Holidays are thirty days.',
        visibility: 'tenant',
      });

      const allowed = mayTake(contextOf(caller), 'documents.write.tenant');
      expect({ role: caller.roles, status: result.statusCode }).toEqual({
        role: caller.roles,
        status: allowed ? 201 : 403,
      });
    }
  });

  it('lets exactly the table’s roles delete a tenant-visible document, over REST and with the tool alike', async () => {
    for (const caller of TENANT_ROLES) {
      const api = apiHarness();
      const viaRest = await api.call(ADA_ADMIN, 'POST', '/v1/documents', {
        title: 'Handbook',
        content: 'Holidays are thirty days.',
        visibility: 'tenant',
      });
      const viaTool = await api.call(ALICE_ANALYST, 'POST', '/v1/documents', {
        title: 'Handbook 2',
        content: 'Holidays are thirty days.',
        visibility: 'tenant',
      });
      const allowed = mayTake(contextOf(caller), 'documents.delete.tenant');

      const rest = await api.call(caller, 'DELETE', `/v1/documents/${viaRest.json.id}`);
      const chat = await api.call(caller, 'POST', '/v1/chat', {
        message: `use tool delete_document {"documentId":"${viaTool.json.id}"}`,
      });

      expect({ role: caller.roles, rest: rest.statusCode, tool: chat.json.toolCalls }).toEqual({
        role: caller.roles,
        rest: allowed ? 204 : 403,
        tool: [{ name: 'delete_document', status: allowed ? 'success' : 'refused' }],
      });
    }
  });
});

/** The tenant API handler over a memory-backed fake runtime, with request helpers. */
import type { ConverseCommandInput } from '@aws-sdk/client-bedrock-runtime';
import { vi } from 'vitest';
import { createHttpHandler } from '../../../lambdas/http/http-handler.js';
import type { Logger } from '../../../lambdas/observability/logger.js';
import type { TenantRecord } from '../../../lambdas/registry/tenant-record.js';
import { apiRouter } from '../../../lambdas/routes/api-routes.js';
import { proxyEvent } from './events.js';
import { memoryRuntime } from './fake-runtime.js';
import { bedrockResponder, obedientModel } from './scripted-model.js';

export const ACME: TenantRecord = {
  tenantId: 'acme',
  name: 'Acme',
  tier: 'basic',
  status: 'active',
  createdAt: '2024-01-01T00:00:00.000Z',
};

export interface Caller {
  readonly userId: string;
  readonly roles: string;
}

export const ALICE_ANALYST: Caller = { userId: 'alice', roles: 'analyst' };
export const BOB_READER: Caller = { userId: 'bob', roles: 'reader' };
export const ADA_ADMIN: Caller = { userId: 'ada', roles: 'admin' };

export function apiHarness(
  options: { converse?: (input: ConverseCommandInput) => object; failing?: readonly string[] } = {},
) {
  const logger: Logger = { info: vi.fn(), error: vi.fn() };
  const fake = memoryRuntime({
    tenants: [ACME],
    bedrock: bedrockResponder(options.converse ?? obedientModel),
    ...(options.failing === undefined ? {} : { failing: options.failing }),
  });
  const handler = createHttpHandler({
    router: apiRouter(fake.runtime),
    resolveContext: (event) => fake.runtime.resolveContext(event),
    logger,
  });
  const call = async (
    caller: Caller,
    method: string,
    path: string,
    body?: unknown,
    query?: Record<string, string>,
  ) => {
    const event = proxyEvent({
      method,
      path,
      body: body === undefined ? null : JSON.stringify(body),
      authorizer: { tenantId: 'acme', userId: caller.userId, roles: caller.roles },
    });
    const result = await handler(query === undefined ? event : { ...event, queryStringParameters: query });
    return { ...result, json: result.body === '' ? undefined : JSON.parse(result.body) };
  };
  return { ...fake, handler, logger, call };
}

/** The tenant API handler over a memory-backed fake runtime, with request helpers. */

import type { ConverseCommandInput } from '@aws-sdk/client-bedrock-runtime';
import { vi } from 'vitest';
import type { ServiceConfig } from '../../../lambdas/config.js';
import type { Logger } from '../../../lambdas/observability/logger.js';
import type { Telemetry } from '../../../lambdas/observability/telemetry.js';
import type { TenantRecord } from '../../../lambdas/registry/tenant-record.js';
import { createApiHandler } from '../../../lambdas/routes/api-routes.js';
import { proxyEvent } from './events.js';
import { memoryRuntime } from './fake-runtime.js';
import type { MemoryTable } from './memory-cloud.js';
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
  /** @default 'acme' */
  readonly tenantId?: string;
}

export const ALICE_ANALYST: Caller = { userId: 'alice', roles: 'analyst' };
export const BOB_READER: Caller = { userId: 'bob', roles: 'reader' };
export const ADA_ADMIN: Caller = { userId: 'ada', roles: 'admin' };

/** Collections the guard rails keep in the tenant table (rate counters, budgets, usage, audit). */
const GUARDRAIL_PARTITION = /#(rate|budget|usage-records|usage-cells|audit)(#|$)/;

/** The table's items that belong to the domain (documents, memory, sessions), without guard-rail bookkeeping. */
export function domainItems(table: MemoryTable): Array<Record<string, unknown>> {
  return [...table.items.values()].filter((item) => !GUARDRAIL_PARTITION.test(String(item.pk)));
}

export function apiHarness(
  options: {
    converse?: (input: ConverseCommandInput) => object;
    failing?: readonly string[];
    tenant?: Partial<TenantRecord>;
    telemetry?: Telemetry;
    /** A control table shared with another runtime (e.g. the control function's); `tenant` then unused. */
    registry?: MemoryTable;
    /** @default TEST_CONFIG */
    config?: ServiceConfig;
    /** The tenant data table. @default a new MemoryTable */
    table?: MemoryTable;
  } = {},
) {
  const logger: Logger = { info: vi.fn(), error: vi.fn() };
  const fake = memoryRuntime({
    tenants: [{ ...ACME, ...options.tenant }],
    ...(options.registry === undefined ? {} : { registry: options.registry }),
    bedrock: bedrockResponder(options.converse ?? obedientModel),
    ...(options.failing === undefined ? {} : { failing: options.failing }),
    ...(options.telemetry === undefined ? {} : { telemetry: options.telemetry }),
    ...(options.config === undefined ? {} : { config: options.config }),
    ...(options.table === undefined ? {} : { table: options.table }),
  });
  // The production composition (rate limits, telemetry, denial audit); `logger` sees what precedes the context.
  const handler = createApiHandler(fake.runtime, { logger });
  // API Gateway gives every request its own id (metering counts a replayed id once).
  let requests = 0;
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
      authorizer: { tenantId: caller.tenantId ?? 'acme', userId: caller.userId, roles: caller.roles },
      requestId: `req-${++requests}`,
    });
    const result = await handler(query === undefined ? event : { ...event, queryStringParameters: query });
    return { ...result, json: result.body === '' ? undefined : JSON.parse(result.body) };
  };
  return { ...fake, handler, logger, call };
}

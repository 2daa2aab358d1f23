/**
 * The local API Gateway's record of each request (the `npm start` console's one line): the
 * matched resource, not the raw path; the status, the latency; the tenant from the authorizer's
 * context, never from the request; and a function's failure on the 502 it caused — its short
 * message in the record, the whole error (stack, cause) in the captured logs.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RouteSpec } from '../../lib/template/local-resolution.js';
import {
  type ApiGateway,
  GATEWAY_LOG_NAME,
  type GatewayRequestRecord,
  startApiGateway,
} from '../../local/api-gateway/api-gateway.js';
import { FunctionHost } from '../../local/api-gateway/function-host.js';
import { FunctionHosts } from '../../local/api-gateway/function-hosts.js';
import { FunctionLogs } from '../../local/function-logs.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const ROUTES: RouteSpec[] = [
  {
    method: 'GET',
    path: '/v1/items/{id}',
    functionLogicalId: 'Buffered',
    authorizerFunctionLogicalId: 'Authorizer',
  },
  {
    method: 'GET',
    path: '/v1/broken',
    functionLogicalId: 'Streaming',
    authorizerFunctionLogicalId: 'Authorizer',
  },
].map((route) => ({ ...route, streaming: false, restApiLogicalId: 'FixtureApi' }));
const records: GatewayRequestRecord[] = [];
const logs = new FunctionLogs();
let hosts: FunctionHost[] = [];
let gateway: ApiGateway;

beforeAll(async () => {
  hosts = await Promise.all([
    FunctionHost.start('buffered-fixture', fixture('buffered-handler.ts'), {}),
    // A streaming handler behind a buffered route: its invocation fails, so the gateway answers 502.
    FunctionHost.start('streaming-fixture', fixture('streaming-handler.ts'), {}),
    FunctionHost.start('authorizer-fixture', fixture('allow-authorizer.ts'), {}),
  ]);
  const [buffered, streaming, authorizer] = hosts;
  if (buffered === undefined || streaming === undefined || authorizer === undefined)
    throw new Error('fixture functions did not start');
  gateway = await startApiGateway({
    routes: ROUTES,
    functions: new FunctionHosts(
      new Map([
        ['Buffered', buffered],
        ['Streaming', streaming],
        ['Authorizer', authorizer],
      ]),
    ),
    settings: { responseTemplates: {}, responseHeaders: {}, authorizerCacheSeconds: 0 },
    region: 'us-east-1',
    accountId: '000000000000',
    onRequest: (record) => records.push(record),
    output: { logs, echo: false },
  });
});

afterAll(async () => {
  await gateway?.stop();
  await Promise.all(hosts.map((host) => host.stop()));
});

/** The record of the request that got `response` (records arrive when the response closes). */
async function recordOf(response: Response): Promise<GatewayRequestRecord | undefined> {
  await response.arrayBuffer();
  const requestId = response.headers.get('x-amzn-requestid');
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const found = records.find((record) => record.requestId === requestId);
    if (found !== undefined) return found;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return undefined;
}

const get = (path: string, authorization?: string) =>
  fetch(`${gateway.endpoint}${path}`, {
    headers: { ...(authorization === undefined ? {} : { authorization }), 'x-tenant-id': 'evil' },
  });

describe('the gateway request record', () => {
  it('names the resource, status, latency and the tenant the authorizer verified', async () => {
    const record = await recordOf(await get('/v1/items/42?x=1', 'Bearer tenant:acme'));

    expect(record).toMatchObject({
      method: 'GET',
      resource: '/v1/items/{id}',
      status: 200,
      tenantId: 'acme',
    });
    expect(record?.failure).toBeUndefined();
    expect(record?.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('has no tenant for a refused token, and the raw path when no route matches', async () => {
    const refused = await recordOf(await get('/v1/items/42', 'Bearer nobody'));
    const unknown = await recordOf(await get('/v1/nowhere', 'Bearer tenant:acme'));

    expect(refused).toMatchObject({ resource: '/v1/items/{id}', status: 401, tenantId: undefined });
    expect(unknown).toMatchObject({ resource: '/v1/nowhere', status: 403, tenantId: undefined });
  });

  it('carries the failure of a function that could not answer, on its 502', async () => {
    const record = await recordOf(await get('/v1/broken', 'Bearer tenant:acme'));

    expect(record).toMatchObject({ resource: '/v1/broken', status: 502, tenantId: 'acme' });
    expect(record?.failure).toMatch(/^api gateway: function Streaming failed: /);
    expect(record?.failure).not.toContain('\n');
    // The whole error, stack included, is a gateway line of the captured logs (--json, /logs).
    const logged = logs
      .lines()
      .filter((line) => line.functionName === GATEWAY_LOG_NAME)
      .map((line) => JSON.parse(line.text));
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({
      level: 'ERROR',
      message: 'api gateway: function Streaming failed',
      requestId: record?.requestId,
    });
    expect(record?.failure).toContain(logged[0].errorMessage);
    expect(logged[0].error).toMatch(/\n\s+at /);
  });
});

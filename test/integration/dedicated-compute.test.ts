/**
 * Dedicated compute in the local cloud: the silo API runs its tenant routes on the
 * tenant-isolated functions, one worker per (function, tenant) as Lambda's tenant isolation
 * mode dedicates execution environments. Two tenants are each served, each in its own worker,
 * and neither's request ever runs in the other's; an invocation that reaches a bound worker for
 * another verified tenant is refused by the handler; an isolated function invoked without a
 * tenant id is refused by the (local) Lambda.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { WorkerReport } from '../../local/api-gateway/function-hosts.js';
import { proxyEvent } from '../../local/api-gateway/proxy-event.js';
import { type Caller, callAs, onboard, streamAs } from './support/api-client.js';
import { functionWorkers, invokeFunction } from './support/inspector.js';
import { cloud, uniqueSuffix } from './support/local-cloud.js';
import { onboardInSilo } from './support/placement.js';

const suffix = uniqueSuffix();
const first: Caller = { sub: 'fay', tenantId: `initech-${suffix}`, groups: ['analyst'] };
const second: Caller = { sub: 'sam', tenantId: `umbrella-${suffix}`, groups: ['analyst'] };
const poolTenant: Caller = { sub: 'pat', tenantId: `acme-${suffix}`, groups: ['analyst'] };
const REQUESTS_EACH = 3;

/** GET /v1/me on the silo API; the gateway's request id names the invocation. */
async function meOnSilo(caller: Caller): Promise<{ status: number; tenantId: unknown; requestId: string }> {
  const answer = await callAs(caller, 'GET', '/v1/me', undefined, cloud.siloApiEndpoint);
  const requestId = answer.headers.get('x-amzn-requestid');
  if (requestId === null) throw new Error('the gateway sent no request id');
  const body = answer.body as { tenantId?: unknown } | undefined;
  return { status: answer.status, tenantId: body?.tenantId, requestId };
}

/** The workers that served a request id. */
const servedBy = (workers: readonly WorkerReport[], requestId: string) =>
  workers.filter((worker) => worker.requestIds.includes(requestId));

/** An API Gateway proxy event for GET /v1/me whose verified (authorizer) tenant is `tenantId`. */
function meEventOf(tenantId: string, requestId: string) {
  return proxyEvent(
    {
      method: 'GET',
      path: '/v1/me',
      query: new URLSearchParams(),
      headers: {},
      body: Buffer.alloc(0),
      sourceIp: '127.0.0.1',
    },
    { resourcePath: '/v1/{proxy+}', pathParameters: { proxy: 'me' } },
    // As the authorizer answers: the identity and the token's expiry (an hour ahead).
    {
      tenantId,
      userId: 'sam',
      roles: 'analyst',
      tokenExpiresAt: String(Math.floor(Date.now() / 1000) + 3600),
      principalId: 'bulkhead-caller',
    },
    requestId,
    '000000000000',
  );
}

beforeAll(async () => {
  // The silo API serves silo tenants: these two are placed in their silos first.
  await Promise.all([
    onboardInSilo(first.tenantId),
    onboardInSilo(second.tenantId),
    onboard(poolTenant.tenantId, 'basic'),
  ]);
});

describe('the silo API', () => {
  it('serves each tenant in its own worker, and never one tenant’s request in another’s worker', async () => {
    const answers = await Promise.all(
      [first, second].flatMap((caller) =>
        Array.from({ length: REQUESTS_EACH }, async () => ({ caller, ...(await meOnSilo(caller)) })),
      ),
    );
    const workers = await functionWorkers();

    for (const answer of answers) {
      expect(answer.status).toBe(200);
      expect(answer.tenantId).toBe(answer.caller.tenantId);
      const [worker, ...others] = servedBy(workers, answer.requestId);
      expect(others).toEqual([]);
      expect(worker?.tenantId).toBe(answer.caller.tenantId);
    }
    const workerOf = (caller: Caller) =>
      new Set(
        answers.filter((a) => a.caller === caller).map((a) => servedBy(workers, a.requestId)[0]?.workerId),
      );
    expect(workerOf(first).size).toBeGreaterThan(0);
    for (const workerId of workerOf(first)) expect(workerOf(second).has(workerId)).toBe(false);
  });

  it('keeps the pool API on the shared workers, which are bound to no tenant (and answer a silo tenant 421)', async () => {
    const answer = await callAs(poolTenant, 'GET', '/v1/me');
    const misdirected = await callAs(first, 'GET', '/v1/me');
    expect(misdirected.status).toBe(421);
    const requestId = answer.headers.get('x-amzn-requestid') ?? '';

    expect(answer.status).toBe(200);
    const [worker] = servedBy(await functionWorkers(), requestId);
    expect(worker).toBeDefined();
    expect(worker?.tenantId).toBeUndefined();
  });

  it('streams the chat from the tenant’s own worker of the isolated streaming function', async () => {
    const me = await meOnSilo(second);
    const answer = await streamAs(
      second,
      '/v1/chat/stream',
      { message: 'hello silo' },
      cloud.siloApiEndpoint,
    );

    expect(me.status).toBe(200);
    expect(answer.status).toBe(200);
    expect(answer.events.at(-1)?.event).not.toBe('error');
    const streamingWorkers = (await functionWorkers()).filter(
      (worker) => worker.tenantId === second.tenantId && worker.requestIds.length > 0,
    );
    // The tenant API's worker and the streaming chat's: two functions, two environments.
    expect(new Set(streamingWorkers.map((worker) => worker.functionLogicalId)).size).toBe(2);
  });
});

describe('a bound worker of the isolated tenant API', () => {
  it('refuses an invocation whose verified tenant is not the tenant it is bound to, and still serves its own', async () => {
    const own = await meOnSilo(first);
    const [bound] = servedBy(await functionWorkers(), own.requestId);
    if (bound?.tenantId !== first.tenantId) throw new Error('the first tenant has no bound worker');

    // Lambda delivers for the first tenant (X-Amz-Tenant-Id) what the authorizer verified as the second's.
    const refused = await invokeFunction(
      bound.functionLogicalId,
      first.tenantId,
      meEventOf(second.tenantId, `mismatch-${suffix}`),
    );
    const allowed = await invokeFunction(
      bound.functionLogicalId,
      second.tenantId,
      meEventOf(second.tenantId, `match-${suffix}`),
    );
    const again = await meOnSilo(first);

    expect(refused.status).toBe(200);
    expect(refused.result).toMatchObject({ statusCode: 503 });
    const body = JSON.parse(String((refused.result as { body?: unknown }).body));
    expect(body).toMatchObject({ error: { code: 'environment_mismatch', requestId: `mismatch-${suffix}` } });
    expect(JSON.stringify(body)).not.toContain(first.tenantId);
    expect(JSON.stringify(body)).not.toContain(second.tenantId);
    expect(allowed.result).toMatchObject({ statusCode: 200 });
    const workers = await functionWorkers();
    expect(servedBy(workers, `mismatch-${suffix}`).map((worker) => worker.workerId)).toEqual([
      bound.workerId,
    ]);
    expect(servedBy(workers, `match-${suffix}`)[0]?.workerId).not.toBe(bound.workerId);
    expect(again.status).toBe(200);
    expect(servedBy(workers, again.requestId).map((worker) => worker.workerId)).toEqual([bound.workerId]);
  });

  it('cannot be invoked without a tenant id, as Lambda refuses it', async () => {
    const [bound] = (await functionWorkers()).filter((worker) => worker.tenantId === first.tenantId);
    if (bound === undefined) throw new Error('the first tenant has no bound worker');

    const answer = await invokeFunction(
      bound.functionLogicalId,
      undefined,
      meEventOf(first.tenantId, `untenanted-${suffix}`),
    );

    expect(answer.status).toBe(500);
    expect(answer.message).toMatch(/tenant isolation mode.*needs a tenant id/);
    expect(servedBy(await functionWorkers(), `untenanted-${suffix}`)).toEqual([]);
  });
});

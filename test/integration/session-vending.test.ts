/**
 * Sessions vended by the token authorizer (docs/sessions.md), on a local cloud of this file's own
 * so every STS call it counts is its own: the authorizer assumes the tenant role once per token
 * and API Gateway's cache hands the session to every function; a token without one (its tenant
 * did not exist yet) still works, through the function's own session; and the cache never makes a
 * token outlive its expiry.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ForwardedCall } from '../../local/front-door/front-door.js';
import { type LocalCloud, startLocalCloud } from '../../local/local-cloud.js';

const OPERATOR = { sub: 'vending-ops', tenantId: 'platform', groups: ['operator'] };

let cloud: LocalCloud;
const forwarded: ForwardedCall[] = [];

beforeAll(async () => {
  cloud = await startLocalCloud({
    echoFunctionLogs: false,
    onAwsCallForwarded: (call) => forwarded.push(call),
  });
}, 180_000);

afterAll(async () => {
  await cloud?.stop();
});

/** AssumeRole calls since `from`, as `<entry of the calling function> → <role assumed>`: count. */
function assumptions(from: number): Record<string, number> {
  const roleName = (arn: string) => arn.split('/').pop() ?? arn;
  const counts: Record<string, number> = {};
  for (const call of forwarded.slice(from)) {
    for (const { action, resource } of call.requests) {
      if (action !== 'sts:AssumeRole') continue;
      const caller = cloud.model.functions.find((fn) =>
        call.principalArn.includes(`:assumed-role/${roleName(fn.roleArn)}/`),
      );
      const role = resource === cloud.model.tenantRoleArn ? 'tenant role' : roleName(resource);
      const key = `${caller?.entry ?? call.principalArn} → ${role}`;
      counts[key] = (counts[key] ?? 0) + 1;
    }
  }
  return counts;
}

async function call(token: string, method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${cloud.apiEndpoint}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

async function onboard(tenantId: string): Promise<void> {
  const response = await call(await cloud.issuer.mint(OPERATOR), 'POST', '/v1/admin/tenants', {
    tenantId,
    name: tenantId,
    tier: 'basic',
  });
  expect(response.status).toBe(201);
}

describe('sessions vended by the authorizer', () => {
  it('are assumed once per token by the authorizer and used by every function, which assume no tenant session (only a write opens the audit writer)', async () => {
    await onboard('vend-one');
    const token = await cloud.issuer.mint({ sub: 'vera', tenantId: 'vend-one', groups: ['analyst'] });
    const from = forwarded.length;

    const statuses: number[] = [];
    for (let n = 0; n < 4; n += 1) statuses.push((await call(token, 'GET', '/v1/me')).status);
    statuses.push((await call(token, 'PUT', '/v1/memory', { fact: 'vended sessions write too' })).status);
    statuses.push((await call(token, 'GET', '/v1/memory')).status);
    const stream = await call(token, 'POST', '/v1/chat/stream', { message: 'hello' });
    statuses.push(stream.status);
    await stream.text();

    expect(statuses).toEqual([200, 200, 200, 200, 201, 200, 200]);
    const auditWriter = Object.keys(assumptions(from)).find((key) =>
      key.startsWith('lambdas/handlers/api.ts'),
    );
    expect(auditWriter).toMatch(/AuditWriter/);
    expect(assumptions(from)).toEqual({
      'lambdas/handlers/authorizer.ts → tenant role': 1,
      [auditWriter ?? '']: 1,
    });
  });

  it('are missing for a token whose tenant did not exist yet: the function then assumes its own, once', async () => {
    const token = await cloud.issuer.mint({ sub: 'nora', tenantId: 'vend-later', groups: ['analyst'] });
    expect((await call(token, 'GET', '/v1/me')).status).toBe(403);
    await onboard('vend-later');
    const from = forwarded.length;

    const statuses = [
      (await call(token, 'GET', '/v1/me')).status,
      (await call(token, 'GET', '/v1/memory')).status,
    ];

    expect(statuses).toEqual([200, 200]);
    expect(assumptions(from)).toEqual({ 'lambdas/handlers/api.ts → tenant role': 1 });
  });

  it("never let a token outlive its expiry, although API Gateway's cache still holds its answer", async () => {
    await onboard('vend-brief');
    const token = await cloud.issuer.mint(
      { sub: 'bree', tenantId: 'vend-brief', groups: ['analyst'] },
      { expiresInSeconds: 2 },
    );
    expect((await call(token, 'GET', '/v1/me')).status).toBe(200);

    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const late = await call(token, 'GET', '/v1/me');

    expect(late.status).toBe(401);
    expect(await late.json()).toMatchObject({ error: { code: 'unauthenticated' } });
  });
});

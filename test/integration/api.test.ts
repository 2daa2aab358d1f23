/**
 * The API through the local API Gateway: the real authorizer and handlers, each in its own
 * worker with its own environment and role credentials, behind the enforcing front door.
 */
import { generateKeyPair, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Caller, callApi, callAs, OPERATOR, onboard, tokenFor } from './support/api-client.js';
import { cloud, uniqueSuffix } from './support/local-cloud.js';

const suffix = uniqueSuffix();
const tenantA = `api-a-${suffix}`;
const tenantB = `api-b-${suffix}`;
const alice: Caller = { sub: 'alice', tenantId: tenantA, groups: ['analyst'] };
const carol: Caller = { sub: 'carol', tenantId: tenantA, groups: ['analyst'] };
const bob: Caller = { sub: 'bob', tenantId: tenantB, groups: ['admin'] };
const aliceFact = `alice's private fact ${suffix}`;

beforeAll(async () => {
  await Promise.all([onboard(tenantA, 'basic'), onboard(tenantB, 'premium')]);
});

describe('authentication', () => {
  it('answers /v1/me for a valid token', async () => {
    const answer = await callAs(alice, 'GET', '/v1/me');
    expect(answer).toMatchObject({
      status: 200,
      body: { tenantId: tenantA, userId: 'alice', tier: 'basic' },
    });
  });

  it.each([
    ['no Authorization header', async () => undefined],
    ['a malformed header', async () => 'Bearer not-a-jwt'],
    ['an expired token', async () => `Bearer ${await tokenFor(alice, { expiresInSeconds: -60 })}`],
    [
      'a token for another audience',
      async () => `Bearer ${await tokenFor(alice, { audience: 'someone-else' })}`,
    ],
    [
      'a token signed by another key',
      async () => {
        const { privateKey } = await generateKeyPair('RS256');
        const forged = await new SignJWT({ 'custom:tenantId': tenantA, 'cognito:groups': ['admin'] })
          .setProtectedHeader({ alg: 'RS256', kid: 'bulkhead-local-1' })
          .setSubject('alice')
          .setIssuer(cloud.issuer)
          .setAudience('bulkhead-local')
          .setExpirationTime('1h')
          .sign(privateKey);
        return `Bearer ${forged}`;
      },
    ],
  ])('answers 401 in the error shape for %s', async (_label, authorization) => {
    const answer = await callApi('GET', '/v1/me', await authorization());
    expect(answer).toMatchObject({
      status: 401,
      body: { error: { code: 'unauthorized', message: expect.any(String), requestId: expect.any(String) } },
    });
  });
});

describe('memory isolation', () => {
  beforeAll(async () => {
    const stored = await callAs(alice, 'PUT', '/v1/memory', { fact: aliceFact });
    expect(stored.status).toBe(201);
  });

  const factsOf = async (caller: Caller): Promise<string> =>
    JSON.stringify((await callAs(caller, 'GET', '/v1/memory')).body);

  it('returns a fact to the user who stored it', async () => {
    expect(await factsOf(alice)).toContain(aliceFact);
  });

  it('hides it from another user of the same tenant', async () => {
    const facts = await factsOf(carol);
    expect(facts).not.toContain(aliceFact);
    expect(facts).toContain('facts');
  });

  it('hides it from a user of another tenant', async () => {
    const facts = await factsOf(bob);
    expect(facts).not.toContain(aliceFact);
    expect(facts).toContain('facts');
  });
});

describe('operator-only routes', () => {
  it('refuses a tenant admin', async () => {
    const answer = await callAs(bob, 'POST', '/v1/admin/tenants', {
      tenantId: `x-${suffix}`,
      name: 'X',
      tier: 'basic',
    });
    expect(answer).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
  });

  it('lets an operator read a tenant', async () => {
    const answer = await callAs(OPERATOR, 'GET', `/v1/admin/tenants/${tenantB}`);
    expect(answer).toMatchObject({
      status: 200,
      body: { tenantId: tenantB, tier: 'premium', status: 'active' },
    });
  });
});

describe('tenant suspension', () => {
  it('refuses a suspended tenant’s users (once the registry cache expires)', async () => {
    const tenant = `api-s-${suffix}`;
    const dave: Caller = { sub: 'dave', tenantId: tenant, groups: ['reader'] };
    await onboard(tenant, 'basic');
    expect((await callAs(dave, 'GET', '/v1/me')).status).toBe(200);

    const suspended = await callAs(OPERATOR, 'POST', `/v1/admin/tenants/${tenant}/suspend`);
    expect(suspended).toMatchObject({ status: 200, body: { status: 'suspended' } });

    // The api function caches registry records for up to 15 s.
    const deadline = Date.now() + 20_000;
    let status = 200;
    while (status === 200 && Date.now() < deadline) {
      status = (await callAs(dave, 'GET', '/v1/me')).status;
      if (status === 200) await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(status).toBe(403);
  });
});

/**
 * Admission limits on the local cloud (issue 13, docs/admission.md): tokens per minute (checked
 * at admission, counted after each model call with what the model reported) and the tenant's
 * requests in flight (counted in DynamoDB across execution environments, freed when a request
 * ends). Each refusal is a 429 with its own code and Retry-After; teammates and other tenants
 * are served.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { type Caller, callAs, onboard } from './support/api-client.js';
import { modelUsageOf } from './support/inspector.js';
import { uniqueSuffix } from './support/local-cloud.js';

const suffix = uniqueSuffix();
const userTokens = `zq-tpm-user-${suffix}`;
const tenantTokens = `zq-tpm-tenant-${suffix}`;
const inFlight = `zq-flight-${suffix}`;
const oneAtATime = `zq-one-${suffix}`;
const elsewhere = `zq-adm-free-${suffix}`;
const member = (tenantId: string, sub: string): Caller => ({ sub, tenantId, groups: ['analyst'] });

beforeAll(async () => {
  await Promise.all([
    // A chat turn of the stand-in model reports a few hundred tokens: one turn uses up 50.
    onboard(userTokens, 'basic', { rateLimits: { tokensPerUserPerMinute: 50 } }),
    // Under 750 requests a minute, the tenant's counters stay in one shard: the check is exact.
    onboard(tenantTokens, 'basic', { rateLimits: { tokensPerTenantPerMinute: 50, perTenantPerMinute: 600 } }),
    onboard(inFlight, 'basic', { rateLimits: { inFlightPerTenant: 2 } }),
    onboard(oneAtATime, 'basic', { rateLimits: { inFlightPerTenant: 1 } }),
    onboard(elsewhere, 'basic'),
  ]);
});

const me = (caller: Caller) => callAs(caller, 'GET', '/v1/me');
const chat = (caller: Caller, message: string) => callAs(caller, 'POST', '/v1/chat', { message });

describe('tokens per minute', () => {
  it('refuses a user whose minute’s tokens are used up with 429 token_rate_limited; a teammate and another tenant are served', async () => {
    const rick = member(userTokens, 'rick');

    const first = await chat(rick, 'hello');
    const refused = await chat(rick, 'hello again');
    const teammate = await chat(member(userTokens, 'rosa'), 'hello');
    const other = await chat(member(elsewhere, 'rick'), 'hello');

    expect(first.status).toBe(200);
    expect((await modelUsageOf(userTokens)).inputTokens).toBeGreaterThan(50);
    expect(refused).toMatchObject({ status: 429, body: { error: { code: 'token_rate_limited' } } });
    const retryAfter = Number(refused.headers.get('retry-after'));
    // Until the turn's tokens leave the one-minute window.
    expect(retryAfter).toBeGreaterThanOrEqual(50);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect([teammate.status, other.status]).toEqual([200, 200]);
  });

  it('refuses everyone in a tenant whose minute’s tokens are used up; another tenant is served', async () => {
    const first = await chat(member(tenantTokens, 'tia'), 'hello');
    const modelCallsBefore = (await modelUsageOf(tenantTokens)).calls;

    const refused = await chat(member(tenantTokens, 'tom'), 'hello');
    const other = await me(member(elsewhere, 'tom'));

    expect(first.status).toBe(200);
    expect(refused).toMatchObject({ status: 429, body: { error: { code: 'token_rate_limited' } } });
    expect((await modelUsageOf(tenantTokens)).calls).toBe(modelCallsBefore);
    expect(other.status).toBe(200);
  });
});

describe('requests in flight', () => {
  it('refuses a tenant’s third request while two are in flight with 429 too_many_in_flight, and admits it once they end', async () => {
    const slow = [
      chat(member(inFlight, 'ann'), 'think [[slow:2500]]'),
      chat(member(inFlight, 'bo'), 'ponder [[slow:2500]]'),
    ];
    await new Promise((resolve) => setTimeout(resolve, 1_000));

    const refused = await me(member(inFlight, 'cy'));
    const other = await me(member(elsewhere, 'cy'));
    const finished = await Promise.all(slow);
    const after = await me(member(inFlight, 'cy'));

    expect(refused).toMatchObject({ status: 429, body: { error: { code: 'too_many_in_flight' } } });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(other.status).toBe(200);
    expect(finished.map((answer) => answer.status)).toEqual([200, 200]);
    expect(after.status).toBe(200);
  });

  it('frees each request’s slot when it ends (a chat’s with its last model call), so one at a time never waits', async () => {
    const ada = member(oneAtATime, 'ada');

    const answers = [
      await me(ada),
      await me(ada),
      await chat(ada, 'hello'),
      await callAs(ada, 'GET', '/v1/sessions'),
      await chat(ada, 'and again'),
      await me(ada),
    ];

    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200, 200]);
  });
});

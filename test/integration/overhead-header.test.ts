/**
 * Every response of the platform's functions says how long the platform itself took
 * (`x-bulkhead-overhead-ms`: the request's time minus the model's and tools'), through the local
 * API Gateway: answers, refusals, errors, a chat turn, a streamed chat, and the silo API's.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { OVERHEAD_HEADER } from '../../lambdas/observability/request-timing.js';
import { type Caller, callAs, onboard, tokenFor } from './support/api-client.js';
import { cloud, uniqueSuffix } from './support/local-cloud.js';
import { onboardInSilo } from './support/placement.js';

const suffix = uniqueSuffix();
const pool: Caller = { sub: 'otto', tenantId: `overhead-${suffix}`, groups: ['analyst'] };
const silo: Caller = { sub: 'sia', tenantId: `overhead-silo-${suffix}`, groups: ['analyst'] };

beforeAll(async () => {
  await Promise.all([onboard(pool.tenantId, 'basic'), onboardInSilo(silo.tenantId)]);
});

/** The header's value: whole milliseconds. */
const overheadOf = (headers: Headers) => headers.get(OVERHEAD_HEADER);

describe(`${OVERHEAD_HEADER}`, () => {
  it.each([
    ['an answer', 'GET', '/v1/me', undefined, 200],
    ['a write', 'PUT', '/v1/memory', { fact: 'likes oolong' }, 201],
    ['a chat turn', 'POST', '/v1/chat', { message: 'hello' }, 200],
    ['a bad request', 'PUT', '/v1/memory', { fact: 42 }, 400],
    ['a refusal (the wrong role)', 'POST', '/v1/connectors', { name: 'x' }, 403],
    ['an unknown resource', 'GET', '/v1/documents/nope', undefined, 404],
  ])('is on %s from the pool API', async (_label, method, path, body, status) => {
    const answer = await callAs(pool, method, path, body);

    expect(answer.status).toBe(status);
    expect(overheadOf(answer.headers)).toMatch(/^\d+$/);
  });

  it('is on the silo API’s answers, and on a silo tenant’s misdirected request (421)', async () => {
    const served = await callAs(silo, 'GET', '/v1/me', undefined, cloud.siloApiEndpoint);
    const misdirected = await callAs(silo, 'GET', '/v1/me');

    expect([served.status, misdirected.status]).toEqual([200, 421]);
    expect(overheadOf(served.headers)).toMatch(/^\d+$/);
    expect(overheadOf(misdirected.headers)).toMatch(/^\d+$/);
  });

  it('is on a streamed chat’s response (counted up to its first event)', async () => {
    const response = await fetch(`${cloud.apiEndpoint}/v1/chat/stream`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await tokenFor(pool)}`, 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'hello stream' }),
    });
    await response.text();

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    expect(overheadOf(response.headers)).toMatch(/^\d+$/);
  });
});

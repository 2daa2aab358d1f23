/**
 * Rate limits (issue 5): a tenant onboarded with its own limits gets 429 `rate_limited` with
 * Retry-After once a user (or the whole tenant) passes them, while another user of the tenant,
 * and another tenant, are still served. Limits count requests in sliding one-minute windows
 * (docs/admission.md).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { type Caller, callAs, onboard } from './support/api-client.js';
import { uniqueSuffix } from './support/local-cloud.js';

const suffix = uniqueSuffix();
const userLimited = `zq-rate-user-${suffix}`;
const tenantLimited = `zq-rate-tenant-${suffix}`;
const unlimited = `zq-rate-free-${suffix}`;
const member = (tenantId: string, sub: string): Caller => ({ sub, tenantId, groups: ['reader'] });

const me = (caller: Caller) => callAs(caller, 'GET', '/v1/me');

beforeAll(async () => {
  await Promise.all([
    onboard(userLimited, 'basic', { rateLimits: { perUserPerMinute: 2 } }),
    onboard(tenantLimited, 'basic', { rateLimits: { perTenantPerMinute: 3 } }),
    onboard(unlimited, 'basic'),
  ]);
});

describe('rate limits', () => {
  it('answers a user’s third request in a minute with 429 and Retry-After; their teammate and another tenant are served', async () => {
    const noisy = member(userLimited, 'rick');

    const allowed = [await me(noisy), await me(noisy)];
    const refused = await me(noisy);

    expect(allowed.map((answer) => answer.status)).toEqual([200, 200]);
    expect(refused).toMatchObject({ status: 429, body: { error: { code: 'rate_limited' } } });
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect((await me(member(userLimited, 'rosa'))).status).toBe(200);
    const elsewhere = member(unlimited, 'rick');
    expect([await me(elsewhere), await me(elsewhere), await me(elsewhere)].map((a) => a.status)).toEqual([
      200, 200, 200,
    ]);
  });

  it('answers 429 to anyone in a tenant past its tenant-wide limit; another tenant is served', async () => {
    const allowed = [
      await me(member(tenantLimited, 'tia')),
      await me(member(tenantLimited, 'tom')),
      await me(member(tenantLimited, 'tia')),
    ];
    const refused = await me(member(tenantLimited, 'ted'));

    expect(allowed.map((answer) => answer.status)).toEqual([200, 200, 200]);
    expect(refused).toMatchObject({ status: 429, body: { error: { code: 'rate_limited' } } });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await me(member(unlimited, 'ted'))).status).toBe(200);
  });
});

import { describe, expect, it } from 'vitest';
import { SessionVendor } from '../../lambdas/auth/session-vendor.js';
import type { Identity } from '../../lambdas/auth/token-verifier.js';
import { vendedSessionOf } from '../../lambdas/auth/vended-session.js';
import type { TenantRecord } from '../../lambdas/registry/tenant-record.js';
import { sdkSessionClients } from '../../lambdas/tenancy/session-clients.js';
import type { SessionSubject } from '../../lambdas/tenancy/tenant-session.js';
import { TenantSession } from '../../lambdas/tenancy/tenant-session.js';

const ALICE: Identity = { tenantId: 'acme', userId: 'alice', roles: ['reader'], expiresAt: 4_102_444_800 };
const EXPIRATION = new Date('2026-12-01T12:00:00.000Z');

function record(overrides: Partial<TenantRecord> = {}): TenantRecord {
  return {
    tenantId: 'acme',
    name: 'Acme',
    tier: 'basic',
    status: 'active',
    createdAt: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
}

function vendorFor(tenant: TenantRecord | undefined, failure?: Error) {
  const asked: SessionSubject[] = [];
  const failures: unknown[] = [];
  const vendor = new SessionVendor({
    directory: { tenant: async () => tenant },
    sessions: {
      sessionFor: async (subject) => {
        asked.push(subject);
        if (failure !== undefined) throw failure;
        return new TenantSession(
          { tenantId: subject.tenantId, userId: subject.userId },
          tenant?.placement ?? 'pool',
          {
            accessKeyId: 'ASIAVENDED000000',
            secretAccessKey: 's3cret',
            sessionToken: 'tok',
            expiration: EXPIRATION,
          },
          sdkSessionClients,
        );
      },
    },
    tenantTag: async (tenantId) => `tag-of-${tenantId}`,
    onFailure: (err) => failures.push(err),
  });
  return { vendor, asked, failures };
}

describe('session vending (authorizer side)', () => {
  it("vends an active tenant's session for the verified user, and the functions read back the same credentials and placement", async () => {
    const { vendor, asked } = vendorFor(record({ placement: 'silo' }));

    const context = await vendor.contextFor(ALICE);

    expect(asked).toEqual([{ tenantId: 'acme', userId: 'alice', tenantTag: 'tag-of-acme' }]);
    expect(vendedSessionOf({ tenantId: 'acme', ...context })).toEqual({
      placement: 'silo',
      credentials: {
        accessKeyId: 'ASIAVENDED000000',
        secretAccessKey: 's3cret',
        sessionToken: 'tok',
        expiration: EXPIRATION,
      },
    });
  });

  it.each([
    ['an unknown tenant', undefined],
    ['a suspended tenant', record({ status: 'suspended' })],
    ['an offboarding tenant', record({ status: 'offboarding' })],
    [
      'a tenant whose move holds its requests',
      record({ move: { to: 'silo', phase: 'copying', requestedAt: '2026-12-01T00:00:00.000Z' } }),
    ],
  ])('vends nothing for %s (and asks STS for nothing)', async (_name, tenant) => {
    const { vendor, asked } = vendorFor(tenant);

    await expect(vendor.contextFor(ALICE)).resolves.toEqual({});
    expect(asked).toEqual([]);
  });

  it('vends nothing when STS fails, and says why instead of refusing the token', async () => {
    const { vendor, failures } = vendorFor(record(), new Error('Rate exceeded'));

    await expect(vendor.contextFor(ALICE)).resolves.toEqual({});
    expect(failures).toHaveLength(1);
  });
});

describe('reading a vended session (function side)', () => {
  const valid = {
    sessionAccessKeyId: 'ASIAVENDED000000',
    sessionSecretAccessKey: 's3cret',
    sessionToken: 'tok',
    sessionExpiresAt: '1796126400',
    sessionPlacement: 'pool',
  };

  it('takes numbers as API Gateway may pass them', () => {
    expect(vendedSessionOf({ ...valid, sessionExpiresAt: 1_796_126_400 })?.credentials.expiration).toEqual(
      new Date(1_796_126_400_000),
    );
  });

  it.each([
    ['no session at all', { tenantId: 'acme' }],
    ['a missing secret', { ...valid, sessionSecretAccessKey: undefined }],
    ['an unknown placement', { ...valid, sessionPlacement: 'elsewhere' }],
    ['an expiry that is not a number', { ...valid, sessionExpiresAt: 'soon' }],
    ['a context that is not an object', 'nope'],
  ])('reads none from %s (the function then assumes the role itself)', (_name, context) => {
    expect(vendedSessionOf(context)).toBeUndefined();
  });
});

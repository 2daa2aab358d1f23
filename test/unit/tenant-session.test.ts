import { STSClient } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import { InvalidSessionSubjectError } from '../../lambdas/tenancy/errors.js';
import { tenantTagFor } from '../../lambdas/tenancy/request-context.js';
import {
  sdkSessionClients as real,
  type SessionClientFactory,
} from '../../lambdas/tenancy/session-clients.js';
import {
  type SessionSubject,
  TenantSessions,
  type TenantSessionsOptions,
} from '../../lambdas/tenancy/tenant-session.js';
import { isAssumeRole } from './support/fake-runtime.js';
import { captureCommands, metadata, offlineClientConfig } from './support/fake-sdk.js';

const ROLE_ARN = 'arn:aws:iam::000000000000:role/TenantAccess';
const HOUR_MS = 3_600_000;

function subject(tenantId: string, userId: string): SessionSubject {
  return { tenantId, userId, tenantTag: tenantTagFor(tenantId, 'test-key') };
}

/** A fake STS whose sessions last `lifetimeMs` from the fake clock; optional delay to hold calls in flight. */
function fakeSts(clock: { now: number }, options: { lifetimeMs?: number; delayMs?: number } = {}) {
  const sts = new STSClient(offlineClientConfig);
  let issued = 0;
  const sent = captureCommands(sts, async () => {
    if (options.delayMs !== undefined) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
    issued += 1;
    return {
      ...metadata,
      Credentials: {
        AccessKeyId: `ASIA${issued}`,
        SecretAccessKey: 'secret',
        SessionToken: `token-${issued}`,
        Expiration: new Date(clock.now + (options.lifetimeMs ?? HOUR_MS)),
      },
    };
  });
  const inputs = () => sent.map((command) => command.input).filter(isAssumeRole);
  return { sts, sent, inputs };
}

function sessionsWith(
  clock: { now: number },
  sts: STSClient,
  extra: Pick<TenantSessionsOptions, 'maxSessions' | 'placementOf'> = {},
) {
  return new TenantSessions({
    sts,
    roleArn: ROLE_ARN,
    durationSeconds: 3600,
    now: () => clock.now,
    ...extra,
  });
}

describe('TenantSessions', () => {
  it('calls STS once per cache key and reuses the session afterwards', async () => {
    const clock = { now: 0 };
    const { sts, sent } = fakeSts(clock);
    const sessions = sessionsWith(clock, sts);

    const first = await sessions.sessionFor(subject('acme', 'alice'));
    clock.now += 30 * 60_000;
    const second = await sessions.sessionFor(subject('acme', 'alice'));

    expect(second).toBe(first);
    expect(sessions.stsCalls).toBe(1);
    expect(sent).toHaveLength(1);
  });

  it('shares one STS call among concurrent callers for the same key', async () => {
    const clock = { now: 0 };
    const { sts } = fakeSts(clock, { delayMs: 20 });
    const sessions = sessionsWith(clock, sts);

    const results = await Promise.all(
      Array.from({ length: 10 }, () => sessions.sessionFor(subject('acme', 'alice'))),
    );

    expect(sessions.stsCalls).toBe(1);
    expect(new Set(results).size).toBe(1);
  });

  it('refreshes a session within five minutes of its expiry, not before', async () => {
    const clock = { now: 0 };
    const { sts } = fakeSts(clock);
    const sessions = sessionsWith(clock, sts);
    const first = await sessions.sessionFor(subject('acme', 'alice'));

    clock.now = HOUR_MS - 5 * 60_000 - 1;
    const stillFresh = await sessions.sessionFor(subject('acme', 'alice'));
    clock.now = HOUR_MS - 5 * 60_000 + 1;
    const refreshed = await sessions.sessionFor(subject('acme', 'alice'));

    expect(stillFresh).toBe(first);
    expect(refreshed).not.toBe(first);
    expect(refreshed.credentials.accessKeyId).not.toBe(first.credentials.accessKeyId);
    expect(sessions.stsCalls).toBe(2);
  });

  it('keeps separate sessions per user, per tenant and per session policy', async () => {
    const clock = { now: 0 };
    const { sts, inputs } = fakeSts(clock);
    const sessions = sessionsWith(clock, sts);
    const policyA = JSON.stringify({ Version: '2012-10-17', Statement: [] });
    const policyB = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny' }] });

    const alice = await sessions.sessionFor(subject('acme', 'alice'));
    const bob = await sessions.sessionFor(subject('acme', 'bob'));
    const aliceElsewhere = await sessions.sessionFor(subject('acme2', 'alice'));
    const aliceA = await sessions.sessionFor(subject('acme', 'alice'), policyA);
    const aliceB = await sessions.sessionFor(subject('acme', 'alice'), policyB);
    const aliceAAgain = await sessions.sessionFor(subject('acme', 'alice'), policyA);

    expect(new Set([alice, bob, aliceElsewhere, aliceA, aliceB]).size).toBe(5);
    expect(aliceAAgain).toBe(aliceA);
    expect(sessions.stsCalls).toBe(5);
    expect(inputs()[3]?.Policy).toBe(policyA);
    expect(inputs()[0]?.Policy).toBeUndefined();
  });

  it('takes a new session, tagged with the new placement, once the tenant has moved (never the old one)', async () => {
    const clock = { now: 0 };
    const { sts, inputs } = fakeSts(clock);
    let placement: 'pool' | 'silo' = 'pool';
    const sessions = sessionsWith(clock, sts, { placementOf: async () => placement });

    const before = await sessions.sessionFor(subject('acme', 'alice'));
    placement = 'silo';
    const after = await sessions.sessionFor(subject('acme', 'alice'));
    const again = await sessions.sessionFor(subject('acme', 'alice'));

    expect([before.placement, after.placement]).toEqual(['pool', 'silo']);
    expect(again).toBe(after);
    expect(inputs().map((input) => input.Tags?.find((tag) => tag.Key === 'Placement')?.Value)).toEqual([
      'pool',
      'silo',
    ]);
  });

  it('tags each session with its tenant, user and placement (pool unless told) and keeps raw ids out of the session name', async () => {
    const clock = { now: 0 };
    const { sts, inputs } = fakeSts(clock);
    const sessions = sessionsWith(clock, sts);

    const session = await sessions.sessionFor(subject('acme', 'alice@example.com'));

    const input = inputs()[0];
    expect(input?.RoleArn).toBe(ROLE_ARN);
    expect(input?.DurationSeconds).toBe(3600);
    expect(input?.Tags).toEqual([
      { Key: 'TenantId', Value: 'acme' },
      { Key: 'UserId', Value: 'alice@example.com' },
      { Key: 'Placement', Value: 'pool' },
    ]);
    expect(input?.RoleSessionName).toMatch(/^[\w+=,.@-]{2,64}$/);
    expect(input?.RoleSessionName).not.toContain('acme');
    expect(input?.RoleSessionName).not.toContain('alice');
    expect(session.owner).toEqual({ tenantId: 'acme', userId: 'alice@example.com' });
  });

  it('evicts the least recently used session beyond its bound', async () => {
    const clock = { now: 0 };
    const { sts } = fakeSts(clock);
    const sessions = sessionsWith(clock, sts, { maxSessions: 2 });

    await sessions.sessionFor(subject('acme', 'u1'));
    await sessions.sessionFor(subject('acme', 'u2'));
    await sessions.sessionFor(subject('acme', 'u1')); // u1 is now the most recent
    await sessions.sessionFor(subject('acme', 'u3')); // evicts u2
    await sessions.sessionFor(subject('acme', 'u1'));
    const callsBefore = sessions.stsCalls;
    await sessions.sessionFor(subject('acme', 'u2'));

    expect(sessions.size).toBe(2);
    expect(callsBefore).toBe(3);
    expect(sessions.stsCalls).toBe(4);
  });

  it('refuses ids outside the key layout without asking STS', async () => {
    const clock = { now: 0 };
    const { sts, sent } = fakeSts(clock);
    const sessions = sessionsWith(clock, sts);
    const widening = { tenantId: 'acme', userId: 'alice#x', tenantTag: tenantTagFor('acme', 'k') };

    await expect(sessions.sessionFor(widening)).rejects.toBeInstanceOf(InvalidSessionSubjectError);
    await expect(
      sessions.sessionFor({ tenantId: 'acme/../x', userId: 'alice', tenantTag: tenantTagFor('acme', 'k') }),
    ).rejects.toBeInstanceOf(InvalidSessionSubjectError);
    expect(sent).toHaveLength(0);
    await expect(sessions.sessionFor(subject('acme', 'alice'))).resolves.toBeDefined();
    expect(sent).toHaveLength(1);
  });

  it('does not cache a failed STS call', async () => {
    const clock = { now: 0 };
    const sts = new STSClient(offlineClientConfig);
    let calls = 0;
    captureCommands(sts, () => {
      calls += 1;
      if (calls === 1) throw new Error('throttled');
      return {
        ...metadata,
        Credentials: {
          AccessKeyId: 'A',
          SecretAccessKey: 'S',
          SessionToken: 'T',
          Expiration: new Date(HOUR_MS),
        },
      };
    });
    const sessions = sessionsWith(clock, sts);

    await expect(sessions.sessionFor(subject('acme', 'alice'))).rejects.toThrow('throttled');
    await expect(sessions.sessionFor(subject('acme', 'alice'))).resolves.toBeDefined();
    expect(sessions.stsCalls).toBe(2);
  });

  it('builds each SDK client of a session once, with the session credentials', async () => {
    const clock = { now: 0 };
    const { sts } = fakeSts(clock);
    const built: string[] = [];
    const counting: SessionClientFactory = {
      dynamodb: (credentials) => {
        built.push(credentials.accessKeyId);
        return real.dynamodb(credentials);
      },
      s3: real.s3,
      s3vectors: real.s3vectors,
      bedrock: real.bedrock,
      secretsManager: real.secretsManager,
      kms: real.kms,
    };
    const sessions = new TenantSessions({
      sts,
      roleArn: ROLE_ARN,
      durationSeconds: 900,
      clients: counting,
      now: () => clock.now,
    });

    const session = await sessions.sessionFor(subject('acme', 'alice'));
    const first = session.dynamodb;
    const second = session.dynamodb;

    expect(second).toBe(first);
    expect(built).toEqual([session.credentials.accessKeyId]);
  });
});

describe('TenantSessions: adopting a vended session', () => {
  const vended = (clock: { now: number }, lifetimeMs = HOUR_MS) => ({
    accessKeyId: 'ASIAVENDED',
    secretAccessKey: 'secret',
    sessionToken: 'vended-token',
    expiration: new Date(clock.now + lifetimeMs),
  });

  it('serves an adopted session to its own tenant, user and placement without calling STS', async () => {
    const clock = { now: 0 };
    const { sts, sent } = fakeSts(clock);
    const sessions = sessionsWith(clock, sts);

    expect(sessions.adopt(subject('acme', 'alice'), 'pool', vended(clock))).toBe(true);
    const session = await sessions.sessionFor(subject('acme', 'alice'));

    expect(session.credentials.accessKeyId).toBe('ASIAVENDED');
    expect(session.placement).toBe('pool');
    expect(sessions.adopted).toBe(1);
    expect(sent).toHaveLength(0);
  });

  it('never serves it to another user, another tenant, or once the tenant is placed elsewhere', async () => {
    const clock = { now: 0 };
    const { sts } = fakeSts(clock);
    let placement: 'pool' | 'silo' = 'pool';
    const sessions = sessionsWith(clock, sts, { placementOf: async () => placement });
    sessions.adopt(subject('acme', 'alice'), 'pool', vended(clock));

    const bob = await sessions.sessionFor(subject('acme', 'bob'));
    const otherTenant = await sessions.sessionFor(subject('globex', 'alice'));
    placement = 'silo';
    const moved = await sessions.sessionFor(subject('acme', 'alice'));

    for (const session of [bob, otherTenant, moved]) {
      expect(session.credentials.accessKeyId).not.toBe('ASIAVENDED');
    }
    expect(moved.placement).toBe('silo');
    expect(sessions.stsCalls).toBe(3);
  });

  it('keeps a fresh cached session (and its clients) and refuses one too close to expiry', async () => {
    const clock = { now: 0 };
    const { sts } = fakeSts(clock);
    const sessions = sessionsWith(clock, sts);
    const issued = await sessions.sessionFor(subject('acme', 'alice'));

    expect(sessions.adopt(subject('acme', 'alice'), 'pool', vended(clock))).toBe(false);
    expect(await sessions.sessionFor(subject('acme', 'alice'))).toBe(issued);
    expect(sessions.adopt(subject('acme', 'bob'), 'pool', vended(clock, 4 * 60_000))).toBe(false);
    expect(sessions.adopted).toBe(0);
  });

  it('refuses a subject that does not match the key layout', () => {
    const clock = { now: 0 };
    const sessions = sessionsWith(clock, fakeSts(clock).sts);

    expect(() => sessions.adopt(subject('acme', 'a#b'), 'pool', vended(clock))).toThrow(
      InvalidSessionSubjectError,
    );
  });

  it("shares the environment's connections among every session's clients (each still signs with its own credentials)", async () => {
    const clock = { now: 0 };
    const sessions = sessionsWith(clock, fakeSts(clock).sts);
    sessions.adopt(subject('acme', 'alice'), 'pool', vended(clock));
    const alice = await sessions.sessionFor(subject('acme', 'alice'));
    const bob = await sessions.sessionFor(subject('globex', 'bob'));

    const handlers = [alice.dynamodb, bob.dynamodb, alice.s3, bob.bedrock, bob.kms].map(
      (client) => client.config.requestHandler,
    );
    expect(new Set(handlers).size).toBe(1);
    expect(await alice.dynamodb.config.credentials()).toMatchObject({ accessKeyId: 'ASIAVENDED' });
    expect(await bob.dynamodb.config.credentials()).toMatchObject({
      accessKeyId: bob.credentials.accessKeyId,
    });
  });
});

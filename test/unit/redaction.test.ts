import { describe, expect, it } from 'vitest';
import { redactIdentity } from '../../lambdas/observability/logger.js';

const TAG = `t_${'a1'.repeat(16)}`;

describe('redacting raw ids from logged text', () => {
  const caller = { tenantId: 'acme', userId: 'alice', tenantTag: TAG };

  it.each([
    ['a key of the caller', 'no item acme#u#alice#memory', `no item ${TAG}#u#<user>#memory`],
    ['a tenant-shared key', 'conflict on acme#t#documents', `conflict on ${TAG}#t#documents`],
    ['an audit key', 'conflict on acme#a#audit', `conflict on ${TAG}#a#audit`],
    ['an S3 key', 'NoSuchKey tenants/acme/users/alice/doc', `NoSuchKey tenants/${TAG}/users/<user>/doc`],
    [
      'a vector index ARN',
      'arn:aws:s3vectors:r:1:bucket/v/index/acme denied',
      `arn:aws:s3vectors:r:1:bucket/v/index/${TAG} denied`,
    ],
    ['the ids as words', 'user alice of acme failed', `user <user> of ${TAG} failed`],
    ['an id inside a longer word', 'alicent and acme2 and always', 'alicent and acme2 and always'],
  ])('rewrites %s', (_label, text, expected) => {
    expect(redactIdentity(caller)(text)).toBe(expected);
  });

  it('rewrites another tenant and user named by the request, and any keyed tenant or user by structure', () => {
    const redact = redactIdentity(caller, { tenantIds: ['globex'], userIds: ['gina'] });

    expect(redact('onboarding globex for gina failed')).toBe('onboarding <tenant> for <user> failed');
    expect(redact('item initech#u#ivan#memory')).toBe('item <tenant>#u#<user>#memory');
    expect(redact('object tenants/hooli/shared/x')).toBe('object tenants/<tenant>/shared/x');
  });

  it.each(['a', 'q', 'ab', '1'])(
    'keeps log lines readable with the one- or two-letter user id %j',
    (userId) => {
      const redact = redactIdentity({ tenantId: 'acme', userId, tenantTag: TAG });
      const line = 'a request failed: ab 1 q; {"level":"ERROR","message":"a b"}';

      expect(redact(line)).toBe(line);
      expect(redact(`key acme#u#${userId}#memory, user "${userId}"`)).toBe(
        `key ${TAG}#u#<user>#memory, user "<user>"`,
      );
    },
  );

  it.each(['level', 'message', 'error', 'tenantTag'])(
    'does not touch JSON keys for the user id %j',
    (userId) => {
      const redact = redactIdentity({ tenantId: 'acme', userId, tenantTag: TAG });

      expect(redact(`user ${userId} failed`)).toBe('user <user> failed');
      expect(redact(`key acme#u#${userId}#x`)).toBe(`key ${TAG}#u#<user>#x`);
    },
  );

  it.each(['a.b', 'x+y', 'u=1', 'p:q', 'mail@example.com', 'a-b'])(
    'matches the user id %j literally, metacharacters and all',
    (userId) => {
      const redact = redactIdentity({ tenantId: 'acme', userId, tenantTag: TAG });

      expect(redact(`user ${userId} failed`)).toBe('user <user> failed');
      expect(redact('user aXb failed')).toBe('user aXb failed');
    },
  );
});

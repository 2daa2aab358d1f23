import type { APIGatewayAuthorizerResult, APIGatewayTokenAuthorizerEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { bearerToken, stageWildcardArn } from '../../lambdas/auth/authorizer-policy.js';
import { AUDIENCE, ISSUER, type JwksFixture, startJwksServer } from './support/jwks-server.js';

const VENDING_ENV = {
  TENANT_TABLE_NAME: 'data',
  CONTROL_TABLE_NAME: 'control',
  TENANT_BUCKET_NAME: 'bucket',
  VECTOR_BUCKET_NAME: 'vectors',
  TENANT_ROLE_ARN: 'arn:aws:iam::000000000000:role/TenantAccess',
  TENANT_TAG_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:tag',
  PLATFORM_STACK_NAME: 'Bulkhead',
  PLATFORM_ACCOUNT_ID: '000000000000',
  AWS_REGION: 'us-east-1',
  AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
  AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'test-secret',
  AUTHORIZER_CACHE_SECONDS: '3000',
};
const METHOD_ARN = 'arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/v1/me';

let jwks: JwksFixture;
let handler: (event: APIGatewayTokenAuthorizerEvent) => Promise<APIGatewayAuthorizerResult>;

function event(authorizationToken: string): APIGatewayTokenAuthorizerEvent {
  return { type: 'TOKEN', authorizationToken, methodArn: METHOD_ARN };
}

beforeAll(async () => {
  jwks = await startJwksServer();
  vi.stubEnv('JWT_ISSUER', ISSUER);
  vi.stubEnv('JWT_AUDIENCE', AUDIENCE);
  vi.stubEnv('JWKS_URL', jwks.url);
  // Where sessions would be vended from: nothing listens there, so vending fails (and is logged).
  for (const [name, value] of Object.entries(VENDING_ENV)) vi.stubEnv(name, value);
  vi.spyOn(console, 'log').mockImplementation(() => undefined);
  vi.spyOn(console, 'error').mockImplementation(() => undefined);
  ({ handler } = await import('../../lambdas/handlers/authorizer.js'));
});

afterAll(async () => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
  await jwks.close();
});

describe('TOKEN authorizer handler', () => {
  it('allows a valid token on the whole stage and passes the identity and its expiry as context, with no session when none can be vended', async () => {
    const token = await jwks.sign(
      { sub: 'alice', 'custom:tenantId': 'acme', 'cognito:groups': ['admin', 'reader'] },
      { expiresAt: 4_102_444_800 },
    );

    const result = await handler(event(`Bearer ${token}`));

    expect(result).toEqual({
      principalId: 'bulkhead-caller',
      policyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Action: 'execute-api:Invoke',
            Effect: 'Allow',
            Resource: 'arn:aws:execute-api:us-east-1:123456789012:abc123/prod/*',
          },
        ],
      },
      context: { tenantId: 'acme', userId: 'alice', roles: 'admin,reader', tokenExpiresAt: '4102444800' },
    });
  });

  it('answers Unauthorized for a forged, malformed or missing token', async () => {
    const forged = await jwks.sign({ sub: 'alice', 'custom:tenantId': 'acme' }, { foreign: true });
    const valid = await jwks.sign({ sub: 'alice', 'custom:tenantId': 'acme' });

    await expect(handler(event(`Bearer ${forged}`))).rejects.toThrow(/^Unauthorized$/);
    await expect(handler(event(valid))).rejects.toThrow(/^Unauthorized$/);
    await expect(handler(event('Bearer not-a-jwt'))).rejects.toThrow(/^Unauthorized$/);
    await expect(handler(event(''))).rejects.toThrow(/^Unauthorized$/);
  });
});

describe('authorizer policy helpers', () => {
  it('widens a method ARN to its stage and rejects malformed ARNs', () => {
    expect(stageWildcardArn(METHOD_ARN)).toBe('arn:aws:execute-api:us-east-1:123456789012:abc123/prod/*');
    expect(() => stageWildcardArn('not-an-arn')).toThrow();
  });

  it('reads the token of a Bearer header only', () => {
    expect(bearerToken('Bearer abc.def.ghi')).toBe('abc.def.ghi');
    expect(bearerToken('bearer abc')).toBe('abc');
    expect(() => bearerToken('Basic abc')).toThrow();
    expect(() => bearerToken(undefined)).toThrow();
  });
});

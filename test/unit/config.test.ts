import { describe, expect, it } from 'vitest';
import {
  ConfigurationError,
  dataPlaneFor,
  readAuthorizerConfig,
  readServiceConfig,
} from '../../lambdas/config.js';

const SERVICE_ENV = {
  TENANT_TABLE_NAME: 'data',
  CONTROL_TABLE_NAME: 'control',
  TENANT_BUCKET_NAME: 'bucket',
  VECTOR_BUCKET_NAME: 'vectors',
  TENANT_ROLE_ARN: 'arn:aws:iam::000000000000:role/TenantAccess',
  AUDIT_ROLE_ARN: 'arn:aws:iam::000000000000:role/AuditWriter',
  TENANT_TAG_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:tag',
  TENANT_SECRET_PREFIX: 'bulkhead/tenants',
  VAULT_KEY_ARN: 'arn:aws:kms:us-east-1:000000000000:key/vault',
  AUDIT_DIGEST_BUCKET_NAME: 'audit-digests',
  AUDIT_DIGEST_KEY_ARN: 'arn:aws:kms:us-east-1:000000000000:key/digests',
  MODEL_CATALOG: JSON.stringify({
    prices: {
      version: '2026-11',
      models: {
        'amazon.nova-lite-v1:0': { inputPer1kUsd: 0.00006, outputPer1kUsd: 0.00024 },
        'amazon.titan-embed-text-v2:0': { inputPer1kUsd: 0.00002 },
      },
    },
    chatModels: ['amazon.nova-lite-v1:0'],
    embeddingModel: 'amazon.titan-embed-text-v2:0',
  }),
  PLATFORM_STACK_NAME: 'Bulkhead',
  PLATFORM_ACCOUNT_ID: '111122223333',
  AWS_REGION: 'eu-west-1',
};

describe('configuration', () => {
  it('reads the service environment with the default session length', () => {
    expect(readServiceConfig(SERVICE_ENV)).toMatchObject({
      tenantTableName: 'data',
      tenantSessionSeconds: 3600,
    });
    expect(readServiceConfig({ ...SERVICE_ENV, TENANT_SESSION_SECONDS: '900' }).tenantSessionSeconds).toBe(
      900,
    );
  });

  it('reads the model catalogue (MODEL_CATALOG): chat models, embedding model, no fallbacks unless given, prices', () => {
    expect(readServiceConfig(SERVICE_ENV).models).toEqual({
      prices: {
        version: '2026-11',
        models: {
          'amazon.nova-lite-v1:0': { inputPer1kUsd: 0.00006, outputPer1kUsd: 0.00024 },
          'amazon.titan-embed-text-v2:0': { inputPer1kUsd: 0.00002, outputPer1kUsd: 0 },
        },
      },
      chatModels: ['amazon.nova-lite-v1:0'],
      embeddingModel: 'amazon.titan-embed-text-v2:0',
      fallbackModels: {},
    });
  });

  it.each([
    ['not JSON', '{chatModels', /MODEL_CATALOG is not JSON/],
    [
      'an unpriced chat model',
      SERVICE_ENV.MODEL_CATALOG.replace(
        '"chatModels":["amazon.nova-lite-v1:0"',
        '"chatModels":["amazon.nova-pro-v1:0"',
      ),
      /chat model "amazon.nova-pro-v1:0" has no price: add .* to prices.models in MODEL_CATALOG/,
    ],
  ])('fails the cold start on a catalogue that is %s, naming the problem', (_label, catalog, message) => {
    expect(() => readServiceConfig({ ...SERVICE_ENV, MODEL_CATALOG: catalog })).toThrow(message);
  });

  it('reads connector loopback (off by default)', () => {
    expect(readServiceConfig(SERVICE_ENV)).toMatchObject({
      connectorAllowLoopback: false,
      tenantSecretPrefix: 'bulkhead/tenants',
    });
    const local = readServiceConfig({ ...SERVICE_ENV, CONNECTOR_ALLOW_LOOPBACK: 'true' });
    expect(local.connectorAllowLoopback).toBe(true);
    expect(() => readServiceConfig({ ...SERVICE_ENV, CONNECTOR_ALLOW_LOOPBACK: 'yes' })).toThrow(
      ConfigurationError,
    );
  });

  it('names every missing variable', () => {
    const { TENANT_TABLE_NAME: _table, MODEL_CATALOG: _models, ...rest } = SERVICE_ENV;

    expect(() => readServiceConfig({ ...rest, CONTROL_TABLE_NAME: ' ' })).toThrow(
      /TENANT_TABLE_NAME is not set; CONTROL_TABLE_NAME is not set; MODEL_CATALOG is not set/,
    );
    expect(() => readServiceConfig({})).toThrow(ConfigurationError);
  });

  it.each(['899', '3601', '1000.5', 'soon'])('refuses TENANT_SESSION_SECONDS=%s', (value) => {
    expect(() => readServiceConfig({ ...SERVICE_ENV, TENANT_SESSION_SECONDS: value })).toThrow(
      /TENANT_SESSION_SECONDS/,
    );
  });

  it('reads how silos are named (stack, account, Region) and which tiers live in silos (enterprise unless set)', () => {
    expect(readServiceConfig(SERVICE_ENV)).toMatchObject({
      siloNaming: { stackName: 'Bulkhead', account: '111122223333', region: 'eu-west-1' },
      siloTiers: ['enterprise'],
    });
    expect(readServiceConfig({ ...SERVICE_ENV, SILO_TIERS: 'premium, enterprise' }).siloTiers).toEqual([
      'premium',
      'enterprise',
    ]);
    expect(readServiceConfig({ ...SERVICE_ENV, SILO_TIERS: '' }).siloTiers).toEqual([]);
  });

  it('refuses SILO_TIERS naming something that is not a tier, and a missing PLATFORM_STACK_NAME', () => {
    expect(() => readServiceConfig({ ...SERVICE_ENV, SILO_TIERS: 'gold' })).toThrow(
      /SILO_TIERS must list tiers/,
    );
    const { PLATFORM_STACK_NAME: _dropped, ...rest } = SERVICE_ENV;
    expect(() => readServiceConfig(rest)).toThrow(/PLATFORM_STACK_NAME is not set/);
  });

  it('resolves a silo-placed tenant to the silo named for it, and a pool-placed one to the pool', () => {
    const config = readServiceConfig(SERVICE_ENV);
    const pool = { tableName: 'data', bucketName: 'bucket', vectorBucketName: 'vectors' };

    expect(dataPlaneFor(config, 'globex', 'silo')).toMatchObject({
      tableName: 'Bulkhead-silo-globex',
      bucketName: 'bulkhead-silo-globex-111122223333-eu-west-1',
      vectorBucketName: 'bulkhead-silo-globex',
    });
    expect(dataPlaneFor(config, 'globex', 'pool')).toEqual(pool);
  });

  it('reads the authorizer environment: the verifier, where sessions are vended from, the cache; refuses a JWKS_URL that is not a URL', () => {
    const env = {
      ...SERVICE_ENV,
      JWT_ISSUER: 'https://issuer',
      JWT_AUDIENCE: 'app',
      JWKS_URL: 'http://127.0.0.1:9/jwks.json',
      AUTHORIZER_CACHE_SECONDS: '3000',
    };

    expect(readAuthorizerConfig(env)).toMatchObject({
      issuer: 'https://issuer',
      audience: 'app',
      jwksUrl: env.JWKS_URL,
      cacheSeconds: 3000,
      vending: {
        tenantRoleArn: SERVICE_ENV.TENANT_ROLE_ARN,
        controlTableName: 'control',
        tenantTagSecretArn: SERVICE_ENV.TENANT_TAG_SECRET_ARN,
        tenantSessionSeconds: 3600,
        siloNaming: { stackName: 'Bulkhead', account: '111122223333', region: 'eu-west-1' },
      },
    });
    expect(readAuthorizerConfig({ ...env, AUTHORIZER_CACHE_SECONDS: undefined }).cacheSeconds).toBe(0);
    expect(() => readAuthorizerConfig({ ...env, JWKS_URL: 'jwks' })).toThrow(/JWKS_URL must be a URL/);
    expect(() => readAuthorizerConfig({ ...env, AUTHORIZER_CACHE_SECONDS: '3001' })).toThrow(
      /AUTHORIZER_CACHE_SECONDS must leave 600 s of TENANT_SESSION_SECONDS/,
    );
    // The cache must fit the session the deployment issues, not only the longest one.
    expect(() => readAuthorizerConfig({ ...env, TENANT_SESSION_SECONDS: '900' })).toThrow(ConfigurationError);
    expect(
      readAuthorizerConfig({ ...env, TENANT_SESSION_SECONDS: '900', AUTHORIZER_CACHE_SECONDS: '300' })
        .cacheSeconds,
    ).toBe(300);
    expect(() => readAuthorizerConfig({ ...env, TENANT_ROLE_ARN: undefined })).toThrow(
      /TENANT_ROLE_ARN is not set/,
    );
    expect(() => readAuthorizerConfig({})).toThrow(/JWT_ISSUER is not set/);
  });

  it("reads the claim names (Cognito's by default) and refuses ones that are not JSON or not three distinct names", () => {
    const env = {
      ...SERVICE_ENV,
      JWT_ISSUER: 'https://issuer',
      JWT_AUDIENCE: 'app',
      JWKS_URL: 'http://127.0.0.1:9/jwks.json',
    };
    const mapped = { user: 'uid', tenant: 'org_id', groups: 'roles' };

    expect(readAuthorizerConfig(env).claims).toEqual({
      user: 'sub',
      tenant: 'custom:tenantId',
      groups: 'cognito:groups',
    });
    expect(readAuthorizerConfig({ ...env, JWT_CLAIMS: JSON.stringify(mapped) }).claims).toEqual(mapped);
    expect(readServiceConfig({ ...SERVICE_ENV, JWT_CLAIMS: JSON.stringify(mapped) }).claims).toEqual(mapped);
    expect(() => readAuthorizerConfig({ ...env, JWT_CLAIMS: 'uid' })).toThrow(/JWT_CLAIMS must be JSON/);
    expect(() =>
      readAuthorizerConfig({ ...env, JWT_CLAIMS: JSON.stringify({ ...mapped, groups: 'uid' }) }),
    ).toThrow(/three different claims/);
    expect(() => readAuthorizerConfig({ ...env, JWT_CLAIMS: JSON.stringify({ user: 'uid' }) })).toThrow(
      ConfigurationError,
    );
  });

  it('reads the CORS origins (none by default) and the user pool of first admins (none by default)', () => {
    expect(readServiceConfig(SERVICE_ENV).corsOrigins).toEqual([]);
    expect(readServiceConfig(SERVICE_ENV).userPoolId).toBeUndefined();
    expect(
      readServiceConfig({
        ...SERVICE_ENV,
        CORS_ORIGINS: 'https://app.example.com, http://localhost:5173',
        USER_POOL_ID: 'eu-west-1_abc',
      }),
    ).toMatchObject({
      corsOrigins: ['https://app.example.com', 'http://localhost:5173'],
      userPoolId: 'eu-west-1_abc',
    });
  });
});

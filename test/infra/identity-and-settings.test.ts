/** Identity (Cognito by default, OIDC from context) and synth-time validation of the settings. */
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { HANDLER_ENTRIES } from '../../lib/bulkhead-stack.js';
import { houseFunctions, testApp, testTemplate } from '../support/bulkhead-app.js';

const LOCAL_OIDC = {
  'bulkhead:oidcIssuer': 'http://127.0.0.1:4510',
  'bulkhead:oidcAudience': 'bulkhead-local',
};

/** The environment variables of every function that serves requests (not the scheduled jobs), by entry. */
function environments(template: Template): Map<string, Record<string, unknown>> {
  const functions = houseFunctions(template);
  return new Map(
    Object.values(functions)
      .filter(
        (fn) =>
          // The jobs verify no tokens.
          ![HANDLER_ENTRIES.auditDigest, HANDLER_ENTRIES.tenantErasure, HANDLER_ENTRIES.placement].includes(
            fn.Metadata?.['bulkhead:entry'],
          ),
      )
      .map((fn) => [String(fn.Metadata?.['bulkhead:entry']), fn.Properties.Environment.Variables]),
  );
}

describe('identity by default: a Cognito user pool', () => {
  let template: Template;
  beforeAll(() => {
    template = testTemplate();
  });

  it('creates a pool with an immutable custom:tenantId, no self sign-up, required MFA and a strong password policy', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      Schema: Match.arrayWith([
        Match.objectLike({ Name: 'tenantId', AttributeDataType: 'String', Mutable: false }),
      ]),
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      MfaConfiguration: 'ON',
      Policies: {
        PasswordPolicy: Match.objectLike({
          MinimumLength: 12,
          RequireLowercase: true,
          RequireUppercase: true,
          RequireNumbers: true,
          RequireSymbols: true,
        }),
      },
    });
  });

  it('creates one group per role', () => {
    for (const role of ['reader', 'analyst', 'admin', 'operator']) {
      template.hasResourceProperties('AWS::Cognito::UserPoolGroup', { GroupName: role });
    }
    template.resourceCountIs('AWS::Cognito::UserPoolGroup', 4);
  });

  it('keeps the tenant id and the e-mail out of the app client writable attributes', () => {
    const clients = Object.values(template.findResources('AWS::Cognito::UserPoolClient'));
    expect(clients).toHaveLength(1);
    expect(clients[0]?.Properties.WriteAttributes).toEqual(['name']);
  });

  it('signs users in with their e-mail whatever its case', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      UsernameAttributes: ['email'],
      UsernameConfiguration: { CaseSensitive: false },
    });
  });

  it('points every function at the pool issuer, the app client audience and its JWKS', () => {
    const [pool] = Object.keys(template.findResources('AWS::Cognito::UserPool'));
    const [client] = Object.keys(template.findResources('AWS::Cognito::UserPoolClient'));
    for (const [entry, env] of environments(template)) {
      expect(JSON.stringify(env.JWT_ISSUER), entry).toMatch(
        new RegExp(`https://cognito-idp\\..*"Ref":"${pool}"`),
      );
      expect(env.JWT_AUDIENCE, entry).toEqual({ Ref: client });
      expect(JSON.stringify(env.JWKS_URL), entry).toMatch(
        new RegExp(`"Ref":"${pool}".*/\\.well-known/jwks\\.json`),
      );
    }
  });
});

describe('identity from bulkhead:oidcIssuer', () => {
  let template: Template;
  beforeAll(() => {
    template = testTemplate(LOCAL_OIDC);
  });

  it('creates no Cognito resources', () => {
    const cognito = Object.values(template.toJSON().Resources as Record<string, { Type: string }>).filter(
      (resource) => resource.Type.startsWith('AWS::Cognito::'),
    );
    expect(cognito).toEqual([]);
  });

  it('points every function at the issuer, the audience and the default JWKS path', () => {
    for (const env of environments(template).values()) {
      expect(env).toMatchObject({
        JWT_ISSUER: 'http://127.0.0.1:4510',
        JWT_AUDIENCE: 'bulkhead-local',
        JWKS_URL: 'http://127.0.0.1:4510/.well-known/jwks.json',
      });
    }
  });

  it('uses bulkhead:oidcJwksUrl when given', () => {
    const custom = testTemplate({ ...LOCAL_OIDC, 'bulkhead:oidcJwksUrl': 'http://127.0.0.1:4510/keys' });
    for (const env of environments(custom).values()) expect(env.JWKS_URL).toBe('http://127.0.0.1:4510/keys');
  });
});

describe('synth-time validation', () => {
  it('rejects an issuer without an audience', () => {
    expect(() => testApp({ 'bulkhead:oidcIssuer': 'https://login.example.com' })).toThrow(
      /oidcAudience is required when oidcIssuer is set/,
    );
  });

  it('rejects a plain-http issuer that is not on loopback', () => {
    expect(() => testApp({ ...LOCAL_OIDC, 'bulkhead:oidcIssuer': 'http://login.example.com' })).toThrow(
      /oidcIssuer "http:\/\/login\.example\.com" must use https/,
    );
  });

  it('accepts an https issuer and a loopback http issuer', () => {
    expect(() =>
      testApp({ ...LOCAL_OIDC, 'bulkhead:oidcIssuer': 'https://login.example.com' }),
    ).not.toThrow();
    expect(() => testApp(LOCAL_OIDC)).not.toThrow();
  });

  it('reports every problem at once', () => {
    expect(() =>
      testApp({
        'bulkhead:oidcIssuer': 'ftp://example.com',
        'bulkhead:removalPolicy': 'snapshot',
        'bulkhead:siloTiers': 'enterprise,gold',
        'bulkhead:modelIds': 'nova',
        'bulkhead:embeddingModelId': 'titan',
      }),
    ).toThrow(
      new RegExp(
        [
          'removalPolicy must be "retain" or "destroy"',
          'oidcIssuer "ftp://example.com" must use https',
          'oidcAudience is required',
          'bulkhead:modelIds: chatModels.0: model id "nova" is not a Bedrock model id',
          'bulkhead:embeddingModelId: embeddingModel: model id "titan" is not a Bedrock model id',
          'silo tier "gold" is not a tier',
        ].join('[\\s\\S]*'),
      ),
    );
  });

  it('rejects an audience or JWKS URL without an issuer', () => {
    expect(() => testApp({ 'bulkhead:oidcAudience': 'x', 'bulkhead:oidcJwksUrl': 'https://x/keys' })).toThrow(
      /oidcAudience is set but oidcIssuer is not[\s\S]*oidcJwksUrl is set but oidcIssuer is not/,
    );
  });
});

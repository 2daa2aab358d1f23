/** Claim names, the Cognito hosted login and CORS, as synthesized; and their synth-time checks. */
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { asCfnTemplate } from '../../lib/template/cfn-template.js';
import { mockRoutes, restApiOfOutput } from '../../lib/template/local-resolution.js';
import { API_ENTRIES, testApp, testTemplate } from '../support/bulkhead-app.js';

const EXTERNAL_IDP = {
  'bulkhead:oidcIssuer': 'https://login.example.com',
  'bulkhead:oidcAudience': 'bulkhead',
};
const ORIGINS = ['https://app.example.com', 'http://localhost:5173'];

function functionEnvironments(template: Template, entries: readonly unknown[]): Record<string, unknown>[] {
  return Object.values(template.findResources('AWS::Lambda::Function'))
    .filter((fn) => entries.includes(fn.Metadata?.['bulkhead:entry']))
    .map((fn) => fn.Properties.Environment.Variables);
}

describe('claim names', () => {
  it("give the authorizer Cognito's names by default", () => {
    const [authorizer] = functionEnvironments(testTemplate(), ['lambdas/handlers/authorizer.ts']);
    expect(JSON.parse(String(authorizer?.JWT_CLAIMS))).toEqual({
      user: 'sub',
      tenant: 'custom:tenantId',
      groups: 'cognito:groups',
    });
  });

  it('give the authorizer the configured names of an external IdP, the rest defaulted', () => {
    const template = testTemplate({
      ...EXTERNAL_IDP,
      'bulkhead:claims': '{"tenant":"org_id","groups":"roles"}',
    });
    const [authorizer] = functionEnvironments(template, ['lambdas/handlers/authorizer.ts']);
    expect(JSON.parse(String(authorizer?.JWT_CLAIMS))).toEqual({
      user: 'sub',
      tenant: 'org_id',
      groups: 'roles',
    });
  });

  it('are refused when malformed, duplicated, or renamed for the Cognito pool', () => {
    expect(() => testApp({ ...EXTERNAL_IDP, 'bulkhead:claims': '{"tenant":"org id"}' })).toThrow(
      /claims.*tenant.*printable characters without spaces/,
    );
    expect(() => testApp({ ...EXTERNAL_IDP, 'bulkhead:claims': { tenant: 42 } })).toThrow(
      /bulkhead:claims must be an object/,
    );
    expect(() => testApp({ ...EXTERNAL_IDP, 'bulkhead:claims': { tenant: 'sub' } })).toThrow(
      /three different claims/,
    );
    expect(() => testApp({ ...EXTERNAL_IDP, 'bulkhead:claims': { nickname: 'x' } })).toThrow(
      /bulkhead:claims must be an object/,
    );
    expect(() => testApp({ 'bulkhead:claims': { tenant: 'org_id' } })).toThrow(
      /the Cognito user pool's tokens carry sub, custom:tenantId, cognito:groups/,
    );
  });
});

describe('the Cognito hosted login', () => {
  let template: Template;
  beforeAll(() => {
    template = testTemplate({
      'bulkhead:authDomainPrefix': 'acme-agents',
      'bulkhead:callbackUrls': 'https://app.example.com/callback,http://localhost:5173/callback',
      'bulkhead:logoutUrls': ['https://app.example.com/'],
    });
  });

  it('is a public app client with only the authorization-code grant (PKCE), the openid/email/profile scopes and the configured URLs', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      GenerateSecret: false,
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthScopes: Match.arrayEquals(['openid', 'email', 'profile']),
      // The web console's URLs follow the configured ones (test/infra/console-hosting.test.ts).
      CallbackURLs: [
        'https://app.example.com/callback',
        'http://localhost:5173/callback',
        Match.objectLike({ 'Fn::Join': Match.anyValue() }),
      ],
      LogoutURLs: ['https://app.example.com/', Match.objectLike({ 'Fn::Join': Match.anyValue() })],
      SupportedIdentityProviders: ['COGNITO'],
      IdTokenValidity: 60,
      AccessTokenValidity: 60,
      RefreshTokenValidity: 720,
      TokenValidityUnits: { IdToken: 'minutes', AccessToken: 'minutes', RefreshToken: 'minutes' },
    });
  });

  it('is served by managed login at the configured domain prefix, switched on for the client', () => {
    const [client] = Object.keys(template.findResources('AWS::Cognito::UserPoolClient'));
    template.hasResourceProperties('AWS::Cognito::UserPoolDomain', {
      Domain: 'acme-agents',
      ManagedLoginVersion: 2,
    });
    template.hasResourceProperties('AWS::Cognito::ManagedLoginBranding', {
      ClientId: { Ref: client },
      UseCognitoProvidedValues: true,
    });
    template.hasOutput('HostedLoginUrl', {});
  });

  it('keeps TOTP MFA required (the managed login pages set it up and ask for it)', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      MfaConfiguration: 'ON',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
    });
  });

  it('defaults to the stack name and account as the prefix, and a localhost callback', () => {
    const defaults = testTemplate({ 'bulkhead:console': false });
    defaults.hasResourceProperties('AWS::Cognito::UserPoolDomain', {
      Domain: { 'Fn::Join': ['', ['bulkhead-', { Ref: 'AWS::AccountId' }]] },
    });
    defaults.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      CallbackURLs: ['http://localhost:5173/callback'],
      LogoutURLs: ['http://localhost:5173/'],
    });
  });

  it('refuses redirect URLs that are not https or http://localhost, a bad prefix, and hosted-login settings with an external IdP', () => {
    expect(() =>
      testApp({
        'bulkhead:callbackUrls': 'http://app.example.com/callback,https://app.example.com/#x',
        'bulkhead:logoutUrls': 'http://127.0.0.1:5173/',
        'bulkhead:authDomainPrefix': 'my-cognito-login',
      }),
    ).toThrow(
      new RegExp(
        [
          'callback URL "http://app.example.com/callback" must use https',
          'callback URL "https://app.example.com/#x" must not have a #fragment',
          'logout URL "http://127.0.0.1:5173/" must use https \\(plain http only on localhost\\)',
          'authDomainPrefix "my-cognito-login" must be',
        ].join('[\\s\\S]*'),
      ),
    );
    expect(() => testApp({ ...EXTERNAL_IDP, 'bulkhead:callbackUrls': 'https://app.example.com/cb' })).toThrow(
      /callbackUrls configure the Cognito hosted login; with oidcIssuer there is none/,
    );
  });
});

/** Every IAM statement that names a Cognito action, with the role it is attached to. */
function cognitoStatements(template: Template): { roles: unknown; statement: Record<string, unknown> }[] {
  return Object.values(template.findResources('AWS::IAM::Policy')).flatMap((policy) =>
    (policy.Properties.PolicyDocument.Statement as Record<string, unknown>[])
      .filter((statement) =>
        [statement.Action].flat().some((action) => String(action).startsWith('cognito-idp:')),
      )
      .map((statement) => ({ roles: policy.Properties.Roles, statement })),
  );
}

describe('first admins at onboarding', () => {
  it('let only the control function create users, read them, add them to groups and delete them, on the pool only', () => {
    const template = testTemplate();
    const [pool] = Object.keys(template.findResources('AWS::Cognito::UserPool'));
    const control = Object.values(template.findResources('AWS::Lambda::Function')).find(
      (fn) => fn.Metadata?.['bulkhead:entry'] === 'lambdas/handlers/control.ts',
    );

    const statements = cognitoStatements(template);

    expect(control).toBeDefined();
    expect(statements).toHaveLength(1);
    expect(statements[0]?.roles).toEqual([{ Ref: control?.Properties.Role['Fn::GetAtt'][0] }]);
    expect(statements[0]?.statement).toEqual({
      Effect: 'Allow',
      Action: expect.any(Array),
      Resource: { 'Fn::GetAtt': [pool, 'Arn'] },
    });
    // Exactly these: AdminDeleteUser undoes a user the onboarding created when a later step fails.
    expect([statements[0]?.statement.Action].flat().sort()).toEqual([
      'cognito-idp:AdminAddUserToGroup',
      'cognito-idp:AdminCreateUser',
      'cognito-idp:AdminDeleteUser',
      'cognito-idp:AdminGetUser',
    ]);
    expect(control?.Properties.Environment.Variables.USER_POOL_ID).toEqual({ Ref: pool });
    // The groups the admin is put in exist before the function runs.
    expect(control?.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/Groupadmin/)]));
  });

  it('are not created by the platform with an external IdP: no grant, no pool id', () => {
    const template = testTemplate(EXTERNAL_IDP);
    const [control] = functionEnvironments(template, ['lambdas/handlers/control.ts']);

    expect(cognitoStatements(template)).toEqual([]);
    // The control function is there (it still onboards tenants), only without the pool id.
    expect(control).toBeDefined();
    expect(control).not.toHaveProperty('USER_POOL_ID');
  });
});

describe('CORS', () => {
  // The configured origins alone: the web console's origin joins them (test/infra/console-hosting.test.ts).
  const WITHOUT_CONSOLE = { 'bulkhead:console': false };
  let template: Template;
  beforeAll(() => {
    template = testTemplate({ ...WITHOUT_CONSOLE, 'bulkhead:corsOrigins': ORIGINS.join(',') });
  });

  it('answers a preflight on every route of both APIs with a MOCK integration, without authorizer or required header', () => {
    const cfn = asCfnTemplate(template.toJSON());
    for (const output of ['ApiUrl', 'SiloApiUrl']) {
      const restApi = restApiOfOutput(cfn, output);
      const preflights = mockRoutes(cfn).filter((route) => route.restApiLogicalId === restApi);
      expect(preflights.map((route) => `${route.method} ${route.path}`).sort()).toEqual([
        'OPTIONS /v1/admin/{proxy+}',
        'OPTIONS /v1/chat/stream',
        'OPTIONS /v1/openapi.json',
        'OPTIONS /v1/{proxy+}',
      ]);
      for (const preflight of preflights) {
        expect(preflight.statusCode).toBe(204);
        // The allow-origin is never static: only the template sets it, only for a listed origin.
        expect(preflight.headers).not.toHaveProperty('Access-Control-Allow-Origin');
        expect(preflight.headers).toMatchObject({
          'Access-Control-Allow-Headers': 'Authorization,Content-Type,idempotency-key',
          Vary: 'Origin',
        });
        for (const origin of ORIGINS) expect(preflight.responseTemplate).toContain(`$origin == "${origin}"`);
      }
    }
    const options = Object.values(template.findResources('AWS::ApiGateway::Method')).filter(
      (method) => method.Properties.HttpMethod === 'OPTIONS',
    );
    expect(options).toHaveLength(8);
    for (const method of options) {
      expect(method.Properties).toMatchObject({ AuthorizationType: 'NONE', Integration: { Type: 'MOCK' } });
      expect(method.Properties.AuthorizerId).toBeUndefined();
      expect(method.Properties.RequestParameters ?? {}).toEqual({});
    }
  });

  it('puts CORS headers on the gateway error answers', () => {
    for (const type of ['UNAUTHORIZED', 'ACCESS_DENIED', 'DEFAULT_4XX', 'DEFAULT_5XX']) {
      template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
        ResponseType: type,
        ResponseParameters: {
          'gatewayresponse.header.Access-Control-Allow-Origin': 'method.request.header.Origin',
          'gatewayresponse.header.Access-Control-Expose-Headers': Match.stringLikeRegexp('Retry-After'),
          'gatewayresponse.header.Vary': "'Origin'",
        },
      });
    }
  });

  it('gives the HTTP functions the origins', () => {
    const environments = functionEnvironments(template, API_ENTRIES);
    expect(environments).toHaveLength(5);
    for (const env of environments) expect(env.CORS_ORIGINS).toBe(ORIGINS.join(','));
  });

  it('adds no preflight, gateway-response header or variable when no origin is configured', () => {
    const plain = testTemplate(WITHOUT_CONSOLE);
    const options = Object.values(plain.findResources('AWS::ApiGateway::Method')).filter(
      (method) => method.Properties.HttpMethod === 'OPTIONS',
    );
    expect(options).toEqual([]);
    for (const response of Object.values(plain.findResources('AWS::ApiGateway::GatewayResponse')))
      expect(response.Properties.ResponseParameters).toBeUndefined();
    for (const env of functionEnvironments(plain, API_ENTRIES)) expect(env.CORS_ORIGINS).toBeUndefined();
  });

  it('refuses origins that are not exact https origins (http only on loopback), and a wildcard', () => {
    expect(() =>
      testApp({
        'bulkhead:corsOrigins':
          'https://app.example.com/,http://app.example.com,*,https://app.example.com/path',
      }),
    ).toThrow(
      new RegExp(
        [
          'cors origin "https://app.example.com/" must be exactly an origin',
          'cors origin "http://app.example.com" must use https',
          'cors origin "\\*" is not an origin',
          'cors origin "https://app.example.com/path" must be exactly an origin',
        ].join('[\\s\\S]*'),
      ),
    );
  });
});

/**
 * The web console in AWS (lib/console-hosting.ts): a private bucket read only by the distribution
 * (origin access control), the distribution's routes function and headers, the deployment of the
 * build with its config.json, and the console's origin among the APIs' CORS origins and the
 * Cognito client's redirect URLs — as a token of the distribution's domain. A dependency cycle
 * (e.g. the CSP naming `api.url`: stage → methods → functions → distribution → policy → stage)
 * fails every synth here: CDK's CloudFormation validation refuses it (F3004). Resolved the way
 * the local cloud resolves the template (lib/template/local-resolution.ts).
 */
import { runInNewContext } from 'node:vm';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { isRecord } from '../../lambdas/is-record.js';
import {
  CONSOLE_SECURITY_HEADERS,
  consoleContentSecurityPolicy,
  ENTRY_CACHE,
  HASHED_ASSETS_CACHE,
} from '../../lib/console-headers.js';
import { asCfnTemplate, type CfnTemplate } from '../../lib/template/cfn-template.js';
import {
  functionSpecs,
  mockRoutes,
  physicalName,
  resolveIntrinsics,
  restApiOfOutput,
} from '../../lib/template/local-resolution.js';
import { contentSecurityPolicy } from '../../local/console-server.js';
import { API_ENTRIES, testApp, testTemplate } from '../support/bulkhead-app.js';

const USER_ORIGIN = 'https://app.example.com';
const REGION = 'us-east-1';

let template: Template;
let cfn: CfnTemplate;

/** The one resource of `type` whose logical id starts with `prefix`. */
function only(from: CfnTemplate, type: string, prefix = ''): [string, Record<string, unknown>] {
  const found = Object.entries(from.Resources).filter(
    ([logicalId, resource]) => resource.Type === type && logicalId.startsWith(prefix),
  );
  expect(found, `${type} ${prefix}`).toHaveLength(1);
  const [logicalId, resource] = found[0] ?? [];
  return [String(logicalId), resource?.Properties ?? {}];
}

function resolved(from: CfnTemplate, value: unknown): unknown {
  return resolveIntrinsics(value, from);
}

/** `https://` + the distribution's domain as the local resolution gives it. */
function distributionOrigin(from: CfnTemplate): string {
  const [distribution] = only(from, 'AWS::CloudFront::Distribution');
  return `https://${physicalName(from, distribution).toLowerCase()}.cloudfront.net`;
}

function apiOrigin(from: CfnTemplate, output: string): string {
  return `https://${physicalName(from, restApiOfOutput(from, output))}.execute-api.${REGION}.amazonaws.com`;
}

/** The Content-Security-Policy of a response-headers policy, resolved. */
function policyOf(from: CfnTemplate, logicalId: string): Record<string, unknown> {
  const config = from.Resources[logicalId]?.Properties?.ResponseHeadersPolicyConfig;
  const value = resolved(from, config);
  if (!isRecord(value)) throw new Error(`${logicalId} has no policy config`);
  return value;
}

function cspOf(from: CfnTemplate, logicalId: string): string {
  const security = policyOf(from, logicalId).SecurityHeadersConfig;
  const csp =
    isRecord(security) && isRecord(security.ContentSecurityPolicy) ? security.ContentSecurityPolicy : {};
  return String(csp.ContentSecurityPolicy);
}

beforeAll(() => {
  template = testTemplate({ 'bulkhead:corsOrigins': USER_ORIGIN });
  cfn = asCfnTemplate(template.toJSON());
});

describe('the console bucket', () => {
  it('blocks all public access, takes TLS only, owns its objects, encrypts with S3 keys and logs access', () => {
    const [, bucket] = only(cfn, 'AWS::S3::Bucket', 'ConsoleBucket');
    expect(bucket).toMatchObject({
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      LoggingConfiguration: { LogFilePrefix: 'console/' },
    });
  });

  it('lets only this distribution read objects (origin access control), and nobody without TLS', () => {
    const [bucketId] = only(cfn, 'AWS::S3::Bucket', 'ConsoleBucket');
    const [distributionId] = only(cfn, 'AWS::CloudFront::Distribution');
    const [, policy] = only(cfn, 'AWS::S3::BucketPolicy', 'ConsoleBucketPolicy');
    const document = policy.PolicyDocument;
    const statements = isRecord(document) && Array.isArray(document.Statement) ? document.Statement : [];
    const allows = statements.filter((statement) => isRecord(statement) && statement.Effect === 'Allow');
    expect(allows).toEqual([
      {
        Action: 's3:GetObject',
        Effect: 'Allow',
        Principal: { Service: 'cloudfront.amazonaws.com' },
        Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/*']] },
        Condition: {
          StringEquals: {
            'AWS:SourceArn': {
              'Fn::Join': [
                '',
                [
                  'arn:',
                  { Ref: 'AWS::Partition' },
                  ':cloudfront::',
                  { Ref: 'AWS::AccountId' },
                  ':distribution/',
                  { Ref: distributionId },
                ],
              ],
            },
          },
        },
      },
    ]);
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Action: 's3:*',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
    template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: Match.objectLike({
        OriginAccessControlOriginType: 's3',
        SigningBehavior: 'always',
      }),
    });
  });
});

describe('the console distribution', () => {
  it('redirects http to https and routes the app through its function, hashed assets through their own headers', () => {
    const [, distribution] = only(cfn, 'AWS::CloudFront::Distribution');
    const config = distribution.DistributionConfig;
    const [functionId] = only(cfn, 'AWS::CloudFront::Function');
    const [entryHeaders] = only(cfn, 'AWS::CloudFront::ResponseHeadersPolicy', 'ConsoleHeaders');
    const [assetHeaders] = only(cfn, 'AWS::CloudFront::ResponseHeadersPolicy', 'ConsoleAssetHeaders');
    expect(config).toMatchObject({
      DefaultCacheBehavior: {
        ViewerProtocolPolicy: 'redirect-to-https',
        AllowedMethods: ['GET', 'HEAD'],
        ResponseHeadersPolicyId: { Ref: entryHeaders },
        FunctionAssociations: [
          { EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [functionId, 'FunctionARN'] } },
        ],
      },
      CacheBehaviors: [
        {
          PathPattern: '/console/assets/*',
          ViewerProtocolPolicy: 'redirect-to-https',
          ResponseHeadersPolicyId: { Ref: assetHeaders },
        },
      ],
    });
    // No distribution-wide error pages: a missing asset stays a miss, as on the local host.
    expect(isRecord(config) ? config.CustomErrorResponses : undefined).toBeUndefined();
  });

  it("gives the app's routes index.html, leaves files alone and sends / and /console to /console/", () => {
    const [, fn] = only(cfn, 'AWS::CloudFront::Function');
    const handler = runInNewContext(`${String(fn.FunctionCode)}; handler`) as (event: unknown) => unknown;
    const viewer = (uri: string) => handler({ request: { uri, headers: {} } });
    for (const route of ['/console/', '/console/tenants', '/console/tenants/acme', '/console/callback'])
      expect(viewer(route), route).toEqual({ uri: '/console/index.html', headers: {} });
    for (const file of ['/console/assets/index-3f2a.js', '/console/config.json', '/console/index.html'])
      expect(viewer(file), file).toEqual({ uri: file, headers: {} });
    for (const bare of ['/', '/console'])
      expect(viewer(bare), bare).toMatchObject({
        statusCode: 301,
        headers: { location: { value: '/console/' } },
      });
    expect(viewer('/elsewhere')).toEqual({ uri: '/elsewhere', headers: {} });
  });

  it('sends a CSP allowing calls to both APIs and the sign-in only, built from the REST API ids (not the stages)', () => {
    const [entryHeaders] = only(cfn, 'AWS::CloudFront::ResponseHeadersPolicy', 'ConsoleHeaders');
    const [assetHeaders] = only(cfn, 'AWS::CloudFront::ResponseHeadersPolicy', 'ConsoleAssetHeaders');
    const [domain] = only(cfn, 'AWS::Cognito::UserPoolDomain');
    const signIn = [
      `https://cognito-idp.${REGION}.amazonaws.com`,
      `https://${physicalName(cfn, domain)}.auth.${REGION}.amazoncognito.com`,
    ];
    const expected = consoleContentSecurityPolicy({
      connect: [apiOrigin(cfn, 'ApiUrl'), apiOrigin(cfn, 'SiloApiUrl'), ...signIn],
      formAction: signIn,
    });
    expect(cspOf(cfn, entryHeaders)).toBe(expected);
    expect(cspOf(cfn, assetHeaders)).toBe(expected);
    expect(expected).toContain("frame-ancestors 'none'");
    // `api.url` would name the stage, and close a cycle: stage → methods → functions → distribution → policy.
    const raw = JSON.stringify(cfn.Resources[entryHeaders]);
    expect(raw).not.toMatch(/Stage|Deployment/);
  });

  it('sends HSTS, nosniff, DENY and no-referrer, and the Cache-Control of each path', () => {
    for (const [prefix, cache] of [
      ['ConsoleHeaders', ENTRY_CACHE],
      ['ConsoleAssetHeaders', HASHED_ASSETS_CACHE],
    ] as const) {
      const [logicalId] = only(cfn, 'AWS::CloudFront::ResponseHeadersPolicy', prefix);
      expect(policyOf(cfn, logicalId)).toMatchObject({
        SecurityHeadersConfig: {
          StrictTransportSecurity: { AccessControlMaxAgeSec: 31_536_000, Override: true },
          ContentTypeOptions: { Override: true },
          FrameOptions: { FrameOption: 'DENY', Override: true },
          ReferrerPolicy: { ReferrerPolicy: 'no-referrer', Override: true },
        },
        CustomHeadersConfig: { Items: [{ Header: 'Cache-Control', Value: cache, Override: true }] },
      });
    }
  });
});

describe('the local console host', () => {
  it('sends the policy the distribution sends, with the local API and issuer origins', () => {
    const [entryHeaders] = only(cfn, 'AWS::CloudFront::ResponseHeadersPolicy', 'ConsoleHeaders');
    const local = contentSecurityPolicy({
      apiUrl: 'http://127.0.0.1:4000/prod',
      siloApiUrl: 'http://127.0.0.1:4001/prod',
      issuer: 'http://127.0.0.1:4510',
      clientId: 'bulkhead-local',
    });
    const directives = (csp: string) =>
      csp.split('; ').map((directive) => directive.split(' ').filter((source) => !source.includes('://')));
    expect(directives(local)).toEqual(directives(cspOf(cfn, entryHeaders)));
    expect(local).toContain(
      "connect-src 'self' http://127.0.0.1:4000 http://127.0.0.1:4001 http://127.0.0.1:4510",
    );
    expect(local).toContain("form-action 'self' http://127.0.0.1:4510");
    const [, policy] = only(cfn, 'AWS::CloudFront::ResponseHeadersPolicy', 'ConsoleHeaders');
    expect(JSON.stringify(policy)).toContain(
      `"FrameOption":"${CONSOLE_SECURITY_HEADERS['x-frame-options']}"`,
    );
    expect(JSON.stringify(policy)).toContain(
      `"ReferrerPolicy":"${CONSOLE_SECURITY_HEADERS['referrer-policy']}"`,
    );
  });
});

describe('the console deployment', () => {
  it('copies the build and config.json under console/ and invalidates /console/*', () => {
    const [bucketId] = only(cfn, 'AWS::S3::Bucket', 'ConsoleBucket');
    const [distributionId] = only(cfn, 'AWS::CloudFront::Distribution');
    const [, deployment] = only(cfn, 'Custom::CDKBucketDeployment');
    expect(deployment).toMatchObject({
      DestinationBucketName: { Ref: bucketId },
      DestinationBucketKeyPrefix: 'console/',
      Prune: true,
      DistributionId: { Ref: distributionId },
      DistributionPaths: ['/console/*'],
      // With the default `retain`, the files stay with the bucket when the stack goes.
      RetainOnDelete: true,
    });
    expect(deployment.SourceObjectKeys).toHaveLength(2);
  });

  it("writes config.json from both APIs' URLs (with their stages), the user pool issuer and the app client", () => {
    const [, deployment] = only(cfn, 'Custom::CDKBucketDeployment');
    const [pool] = only(cfn, 'AWS::Cognito::UserPool');
    const [client] = only(cfn, 'AWS::Cognito::UserPoolClient');
    const markers = JSON.stringify(deployment.SourceMarkers);
    for (const api of ['ApiUrl', 'SiloApiUrl']) {
      const restApi = restApiOfOutput(cfn, api);
      expect(markers).toContain(`{"Ref":"${restApi}"}`);
      expect(markers).toMatch(
        new RegExp(`"Ref":"${restApi.replace(/RestApi.*/, 'RestApiDeploymentStageprod')}`),
      );
    }
    expect(markers).toContain(`{"Ref":"${pool}"}`);
    expect(markers).toContain(`{"Ref":"${client}"}`);
  });

  it('runs on a role of its own: its log group, the two source zips, the console bucket under console/, this distribution', () => {
    const [roleId, role] = only(cfn, 'AWS::IAM::Role', 'ConsoleDeploymentRole');
    expect(role.ManagedPolicyArns).toBeUndefined();
    const policies = Object.values(cfn.Resources).filter(
      (resource) =>
        resource.Type === 'AWS::IAM::Policy' && JSON.stringify(resource.Properties?.Roles).includes(roleId),
    );
    expect(policies).toHaveLength(1);
    const document = resolved(cfn, policies[0]?.Properties?.PolicyDocument);
    const statements = isRecord(document) && Array.isArray(document.Statement) ? document.Statement : [];
    const [bucketId] = only(cfn, 'AWS::S3::Bucket', 'ConsoleBucket');
    const [logsId] = only(cfn, 'AWS::Logs::LogGroup', 'ConsoleDeploymentLogs');
    const [distributionId] = only(cfn, 'AWS::CloudFront::Distribution');
    const bucket = `arn:aws:s3:::${physicalName(cfn, bucketId)}`;
    const [, deployment] = only(cfn, 'Custom::CDKBucketDeployment');
    const zips = (deployment.SourceObjectKeys as string[]).map(
      (key) => `arn:aws:s3:::cdk-hnb659fds-assets-000000000000-${REGION}/${key}`,
    );
    expect(statements).toEqual([
      expect.objectContaining({
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: expect.stringContaining(physicalName(cfn, logsId)),
      }),
      expect.objectContaining({ Action: 's3:GetObject', Resource: expect.arrayContaining(zips) }),
      expect.objectContaining({ Action: 's3:ListBucket', Resource: bucket }),
      expect.objectContaining({
        Action: ['s3:DeleteObject', 's3:PutObject'],
        Resource: `${bucket}/console/*`,
      }),
      expect.objectContaining({
        Action: ['cloudfront:CreateInvalidation', 'cloudfront:GetInvalidation'],
        Resource: `arn:aws:cloudfront::000000000000:distribution/${physicalName(cfn, distributionId)}`,
      }),
    ]);
    expect(
      statements.flatMap((statement) => (isRecord(statement) ? [statement.Resource].flat() : [])),
    ).toHaveLength(6);
  });
});

describe("the console's origin", () => {
  it('is a CORS origin of every HTTP function, after the configured ones', () => {
    const functions = functionSpecs(cfn).filter((spec) => API_ENTRIES.includes(spec.entry));
    expect(functions).toHaveLength(5);
    for (const fn of functions)
      expect(fn.environment.CORS_ORIGINS).toBe(`${USER_ORIGIN},${distributionOrigin(cfn)}`);
  });

  it("is allowed by every preflight of both APIs, as the distribution's domain name", () => {
    const preflights = mockRoutes(cfn);
    expect(preflights).toHaveLength(8);
    for (const preflight of preflights) {
      expect(preflight.responseTemplate).toContain(
        `#if($origin == "${USER_ORIGIN}" || $origin == "${distributionOrigin(cfn)}")`,
      );
    }
    const [distributionId] = only(cfn, 'AWS::CloudFront::Distribution');
    const [, method] = Object.entries(template.findResources('AWS::ApiGateway::Method')).find(
      ([, candidate]) => candidate.Properties.HttpMethod === 'OPTIONS',
    ) ?? [undefined, undefined];
    expect(JSON.stringify(method?.Properties.Integration.IntegrationResponses)).toContain(
      `{"Fn::GetAtt":["${distributionId}","DomainName"]}`,
    );
  });

  it('is where the Cognito client may send people back (/console/callback) and after sign-out (/console/)', () => {
    const [, client] = only(cfn, 'AWS::Cognito::UserPoolClient');
    const origin = distributionOrigin(cfn);
    expect(resolved(cfn, client.CallbackURLs)).toEqual([
      'http://localhost:5173/callback',
      `${origin}/console/callback`,
    ]);
    expect(resolved(cfn, client.LogoutURLs)).toEqual(['http://localhost:5173/', `${origin}/console/`]);
  });

  it('is output as the console URL', () => {
    template.hasOutput('ConsoleUrl', {
      Value: {
        'Fn::Join': [
          '',
          [
            'https://',
            { 'Fn::GetAtt': [only(cfn, 'AWS::CloudFront::Distribution')[0], 'DomainName'] },
            '/console/',
          ],
        ],
      },
    });
  });
});

describe('bulkhead:console=false', () => {
  it('leaves out the bucket, the distribution, the deployment and its handler, and the console origin everywhere', () => {
    const plain = testTemplate({ 'bulkhead:console': 'false' });
    const plainCfn = asCfnTemplate(plain.toJSON());
    for (const type of [
      'AWS::CloudFront::Distribution',
      'AWS::CloudFront::ResponseHeadersPolicy',
      'AWS::CloudFront::Function',
      'Custom::CDKBucketDeployment',
    ])
      plain.resourceCountIs(type, 0);
    expect(Object.keys(plain.findResources('AWS::Lambda::Function'))).toHaveLength(
      functionSpecs(plainCfn).length,
    );
    expect(JSON.stringify(plainCfn)).not.toContain('cloudfront');
    for (const fn of functionSpecs(plainCfn)) expect(fn.environment.CORS_ORIGINS).toBeUndefined();
    const [, client] = only(plainCfn, 'AWS::Cognito::UserPoolClient');
    expect(client.CallbackURLs).toEqual(['http://localhost:5173/callback']);
    expect(plain.findOutputs('ConsoleUrl')).toEqual({});
  });
});

describe('with an external IdP and a custom domain', () => {
  let custom: CfnTemplate;
  beforeAll(() => {
    custom = asCfnTemplate(
      testTemplate({
        'bulkhead:oidcIssuer': 'https://login.example.com/tenants/x',
        'bulkhead:oidcAudience': 'bulkhead-console',
        'bulkhead:consoleDomain': 'console.example.com',
        'bulkhead:consoleCertificateArn':
          'arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012',
      }).toJSON(),
    );
  });

  it('serves the domain with its certificate and TLS 1.2, and names it (a plain string) as the CORS origin', () => {
    const [, distribution] = only(custom, 'AWS::CloudFront::Distribution');
    expect(distribution.DistributionConfig).toMatchObject({
      Aliases: ['console.example.com'],
      ViewerCertificate: {
        AcmCertificateArn:
          'arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012',
        MinimumProtocolVersion: 'TLSv1.2_2021',
        SslSupportMethod: 'sni-only',
      },
    });
    for (const fn of functionSpecs(custom).filter((spec) => API_ENTRIES.includes(spec.entry)))
      expect(fn.environment.CORS_ORIGINS).toBe('https://console.example.com');
    for (const preflight of mockRoutes(custom))
      expect(preflight.responseTemplate).toContain('#if($origin == "https://console.example.com")');
  });

  it("signs in at the issuer's origin, as the audience the authorizer accepts", () => {
    const [headers] = only(custom, 'AWS::CloudFront::ResponseHeadersPolicy', 'ConsoleHeaders');
    expect(cspOf(custom, headers)).toContain("form-action 'self' https://login.example.com;");
    expect(cspOf(custom, headers)).toMatch(
      /connect-src 'self' https:\/\/\S+ https:\/\/\S+ https:\/\/login\.example\.com;/,
    );
    const [, deployment] = only(custom, 'Custom::CDKBucketDeployment');
    // No Cognito: the issuer and the client id are literals of the settings, written at synth.
    expect(JSON.stringify(deployment.SourceMarkers)).not.toContain('UserPool');
  });
});

describe('the console settings', () => {
  it.each([
    [
      { 'bulkhead:consoleDomain': 'console.example.com' },
      /consoleDomain and consoleCertificateArn go together/,
    ],
    [
      {
        'bulkhead:consoleDomain': 'Console.Example.com',
        'bulkhead:consoleCertificateArn':
          'arn:aws:acm:eu-west-1:123456789012:certificate/12345678-1234-1234-1234-123456789012',
      },
      /consoleDomain "Console.Example.com" is not a lowercase DNS name[\s\S]*not an ACM certificate ARN in us-east-1/,
    ],
    [
      {
        'bulkhead:console': false,
        'bulkhead:consoleDomain': 'console.example.com',
        'bulkhead:consoleCertificateArn':
          'arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012',
      },
      /which console=false leaves out/,
    ],
    [{ 'bulkhead:console': 'no' }, /context bulkhead:console must be true or false/],
  ])('refuses %j', (context, problem) => {
    expect(() => testApp(context)).toThrow(problem);
  });
});

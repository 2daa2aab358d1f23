/**
 * The web console in AWS (docs/console.md#in-aws): its Vite build in a private S3 bucket, served
 * under `/console/` by a CloudFront distribution that reaches the bucket with origin access
 * control, sends the console's security headers (lib/console-headers.ts) and routes
 * the app's deep links to `index.html`. The build runs at synth (local bundling, no Docker) and
 * is copied by a `BucketDeployment` together with the runtime settings (`config.json`).
 *
 * Built in two steps because the distribution's origin must exist before the APIs (it is one of
 * their CORS origins) and the Cognito app client (a callback URL), while the policy and the
 * settings name the APIs and the sign-in: construct first, then `serve` once they exist.
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import {
  AssetHashType,
  Aws,
  DockerImage,
  Duration,
  Lazy,
  RemovalPolicy,
  Stack,
  Validations,
} from 'aws-cdk-lib';
import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import {
  CONSOLE_BASE_PATH,
  CONSOLE_HSTS_SECONDS,
  consoleContentSecurityPolicy,
  ENTRY_CACHE,
  HASHED_ASSETS_CACHE,
  HASHED_ASSETS_DIRECTORY,
} from './console-headers.js';
import { repoPath } from './repo-root.js';
import { nagJoinNotation } from './tenant-access-role.js';

/** The console's sources (an npm workspace); its build imports packages/client too. */
const CONSOLE_SOURCES = 'packages/console';
/** The bucket's key prefix: the distribution serves the bucket's keys as paths, the app lives under `/console/`. */
const CONSOLE_KEY_PREFIX = CONSOLE_BASE_PATH.slice(1);

/**
 * CloudFront Function (viewer request) for the single-page app: a path under `/console/` whose
 * last segment has no extension is one of the app's routes and gets `index.html`; a missing file
 * with an extension stays a miss (S3 answers 403), as on the local host. `/` and `/console` go to
 * `/console/`. Plain ES5.1 syntax runs on either CloudFront Functions runtime.
 */
const CONSOLE_ROUTES_FUNCTION_CODE = `function handler(event) {
  var request = event.request;
  var uri = request.uri;
  if (uri === '/' || uri === '/console') {
    return { statusCode: 301, statusDescription: 'Moved Permanently', headers: { location: { value: '/console/' } } };
  }
  if (uri.indexOf('/console/') === 0 && uri.slice(uri.lastIndexOf('/') + 1).indexOf('.') === -1) {
    request.uri = '/console/index.html';
  }
  return request;
}`;

/** A custom domain for the console (its certificate in us-east-1, as CloudFront requires). */
export interface ConsoleDomain {
  readonly name: string;
  readonly certificateArn: string;
}

export interface ConsoleHostingProps {
  /** Where the console bucket's server access logs go (prefix `console/`). */
  readonly accessLogsBucket: s3.IBucket;
  /**
   * What happens to the bucket when the stack is removed.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * The console's own domain.
   * @default - the distribution's `*.cloudfront.net` domain
   */
  readonly domain?: ConsoleDomain;
}

/** What `config.json` tells the console (packages/console/src/config.ts), resolved at deploy. */
export interface ConsoleRuntimeConfig {
  /** The pool API's base URL. */
  readonly apiUrl: string;
  /** The silo tier's API base URL (a silo tenant's calls go there). */
  readonly siloApiUrl: string;
  /** The OpenID Connect issuer people sign in with (discovery at `<issuer>/.well-known/openid-configuration`). */
  readonly issuer: string;
  /** The public client the console signs in as: the audience the authorizer accepts. */
  readonly clientId: string;
}

export interface ConsoleServing {
  /** The APIs the console calls (their origins go into the policy). */
  readonly apis: readonly apigateway.IRestApi[];
  /** The sign-in's origins: discovery and token endpoint (fetched), authorize (navigated to). */
  readonly signInOrigins: readonly string[];
  readonly config: ConsoleRuntimeConfig;
}

/** The origin of a REST API's default endpoint, from its id only (`api.url` would close a dependency cycle through the stage). */
function restApiOrigin(api: apigateway.IRestApi): string {
  return `https://${api.restApiId}.execute-api.${Aws.REGION}.${Aws.URL_SUFFIX}`;
}

/** Runs the console's Vite build into `outputDir`, in this process's Node; throws if it fails. */
function buildConsoleInto(outputDir: string): boolean {
  const vite = join(dirname(createRequire(import.meta.url).resolve('vite/package.json')), 'bin', 'vite.js');
  const result = spawnSync(
    process.execPath,
    [vite, 'build', '--outDir', outputDir, '--emptyOutDir', '--logLevel', 'warn'],
    { cwd: repoPath(CONSOLE_SOURCES), stdio: ['ignore', process.stderr, process.stderr] },
  );
  if (result.status !== 0)
    throw new Error(
      `the web console's build (vite build in ${CONSOLE_SOURCES}) failed: ${result.error ?? `exit ${result.status}`}`,
    );
  return true;
}

/** The console's bucket, distribution and deployment. */
export class ConsoleHosting extends Construct {
  readonly bucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;
  /** `https://<domain>`: a CORS origin of the APIs (a token unless a custom domain is set). */
  readonly origin: string;
  /** Where people open the console. */
  readonly url: string;
  private serving?: ConsoleServing;
  private readonly removalPolicy: RemovalPolicy;

  constructor(scope: Construct, id: string, props: ConsoleHostingProps) {
    super(scope, id);
    this.removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.bucket = new s3.Bucket(this, 'Bucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: s3.BucketEncryption.S3_MANAGED,
      // Origin access control needs the bucket owner to own every object.
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: props.accessLogsBucket,
      serverAccessLogsPrefix: CONSOLE_KEY_PREFIX,
      removalPolicy: this.removalPolicy,
    });

    // Every response gets the security headers; the browser's caching is set here too, by path.
    const headersPolicy = (id: string, cacheControl: string, what: string) =>
      new cloudfront.ResponseHeadersPolicy(this, id, {
        comment: `bulkhead web console, ${what}: security headers and Cache-Control ${cacheControl}`,
        securityHeadersBehavior: {
          contentSecurityPolicy: {
            // Filled by `serve`, once the APIs and the sign-in exist.
            contentSecurityPolicy: Lazy.string({ produce: () => this.contentSecurityPolicy() }),
            override: true,
          },
          strictTransportSecurity: {
            accessControlMaxAge: Duration.seconds(CONSOLE_HSTS_SECONDS),
            includeSubdomains: false,
            override: true,
          },
          contentTypeOptions: { override: true },
          frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
          referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER, override: true },
        },
        customHeadersBehavior: {
          customHeaders: [{ header: 'Cache-Control', value: cacheControl, override: true }],
        },
      });
    const routes = new cloudfront.Function(this, 'Routes', {
      comment: "bulkhead web console: the app's routes get index.html",
      code: cloudfront.FunctionCode.fromInline(CONSOLE_ROUTES_FUNCTION_CODE),
      runtime: cloudfront.FunctionRuntime.JS_2_0,
    });
    const domain = props.domain;
    const behavior = {
      origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket),
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
      // CloudFront keeps every file until the next deployment invalidates it.
      cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
    };
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'bulkhead web console',
      // index.html, config.json and the app's routes: browsers ask again each time.
      defaultBehavior: {
        ...behavior,
        responseHeadersPolicy: headersPolicy('Headers', ENTRY_CACHE, 'pages and settings'),
        functionAssociations: [{ function: routes, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }],
      },
      additionalBehaviors: {
        [`${CONSOLE_BASE_PATH}${HASHED_ASSETS_DIRECTORY}*`]: {
          ...behavior,
          responseHeadersPolicy: headersPolicy('AssetHeaders', HASHED_ASSETS_CACHE, 'hashed assets'),
        },
      },
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      ...(domain === undefined
        ? {}
        : {
            domainNames: [domain.name],
            certificate: acm.Certificate.fromCertificateArn(this, 'Certificate', domain.certificateArn),
            minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
          }),
    });
    this.origin = `https://${domain?.name ?? this.distribution.distributionDomainName}`;
    this.url = `${this.origin}${CONSOLE_BASE_PATH}`;

    Validations.of(this.distribution).acknowledge(
      {
        id: 'AwsSolutions-CFR1',
        reason:
          'The console is a static app for a worldwide audience; every call it makes is authenticated by the API.',
      },
      {
        id: 'AwsSolutions-CFR2',
        reason:
          'WAF is a per-deployment choice (cost, rules); the distribution serves only static files, the API guards the data.',
      },
      {
        id: 'AwsSolutions-CFR3',
        reason:
          "Standard logging needs ACLs on the log bucket, which the house's access-log bucket disables (BUCKET_OWNER_ENFORCED); the bucket's own server access logs record every object read.",
      },
      ...(domain === undefined
        ? [
            {
              id: 'AwsSolutions-CFR4',
              reason:
                'With the default *.cloudfront.net certificate CloudFront sets the TLS policy itself; bulkhead:consoleDomain with a certificate sets TLSv1.2_2021.',
            },
          ]
        : []),
    );
  }

  /** Names the APIs and the sign-in in the policy, and deploys the build with its `config.json`. */
  serve(serving: ConsoleServing): void {
    if (this.serving !== undefined) throw new Error('the console is served once');
    this.serving = serving;
    // BucketDeployment's handler would get a role with an AWS managed policy and CDK's wildcard
    // grants: this one may write its own log group, read the two source zips, list the console
    // bucket and write and delete under console/, and invalidate this distribution — nothing else.
    const logGroup = new logs.LogGroup(this, 'DeploymentLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const role = new iam.Role(this, 'DeploymentRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: "Copies the web console's build into its bucket and invalidates the distribution",
    });
    logGroup.grantWrite(role);
    // What BucketDeployment and the sources would grant lands nowhere: the grants are the ones below.
    const fixedRole = role.withoutPolicyUpdates();

    const build = s3deploy.Source.asset(repoPath(CONSOLE_SOURCES), {
      exclude: ['dist', 'node_modules'],
      // The build also compiles packages/client: hash what was built, not this directory.
      assetHashType: AssetHashType.OUTPUT,
      bundling: {
        // Required by the type, never pulled: the local build always succeeds or throws.
        image: DockerImage.fromRegistry('public.ecr.aws/docker/library/node:22'),
        local: { tryBundle: (outputDir) => buildConsoleInto(outputDir) },
      },
    });
    const settings = s3deploy.Source.jsonData('config.json', serving.config);
    // Bound here to learn the zips' object keys; BucketDeployment takes them as they are.
    const sources = [build, settings].map((source) => source.bind(this, { handlerRole: fixedRole }));
    const objects = this.bucket.arnForObjects(`${CONSOLE_KEY_PREFIX}*`);
    for (const statement of [
      {
        sid: 'ReadTheBuildAndSettings',
        actions: ['s3:GetObject'],
        resources: sources.map((source) => source.bucket.arnForObjects(source.zipObjectKey)),
      },
      { sid: 'ListTheConsoleBucket', actions: ['s3:ListBucket'], resources: [this.bucket.bucketArn] },
      { sid: 'WriteTheConsole', actions: ['s3:PutObject', 's3:DeleteObject'], resources: [objects] },
      {
        sid: 'InvalidateTheDistribution',
        actions: ['cloudfront:CreateInvalidation', 'cloudfront:GetInvalidation'],
        resources: [this.distribution.distributionArn],
      },
    ])
      role.addToPrincipalPolicy(new iam.PolicyStatement(statement));

    new s3deploy.BucketDeployment(this, 'Deployment', {
      sources: sources.map((config) => ({ bind: () => config })),
      destinationBucket: this.bucket,
      destinationKeyPrefix: CONSOLE_KEY_PREFIX,
      role: fixedRole,
      logGroup,
      // A destroyable stack empties the console's prefix first, so the bucket can go with it.
      retainOnDelete: this.removalPolicy !== RemovalPolicy.DESTROY,
      // Browsers' caching is the distribution's (response headers by path), not the objects'.
      distribution: this.distribution,
      distributionPaths: [`${CONSOLE_BASE_PATH}*`],
    });
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${nagJoinNotation(Stack.of(this).resolve(objects))}]`,
      reason:
        "The deployment replaces the console's files, whose names change with every build, under console/ only.",
    });
    // BucketDeployment's handler is a singleton of the stack, not a child of this construct.
    for (const handler of Stack.of(this).node.children.filter((child) =>
      child.node.id.startsWith('Custom::CDKBucketDeployment'),
    ))
      Validations.of(handler).acknowledge({
        id: 'AwsSolutions-L1',
        reason:
          "BucketDeployment's handler (Python, AWS CLI layer) runs the runtime aws-cdk-lib chooses, upgraded with it.",
      });
  }

  private contentSecurityPolicy(): string {
    const serving = this.serving;
    if (serving === undefined) throw new Error('ConsoleHosting.serve was never called');
    const apiOrigins = serving.apis.map(restApiOrigin);
    return consoleContentSecurityPolicy({
      connect: [...apiOrigins, ...serving.signInOrigins],
      formAction: serving.signInOrigins,
    });
  }
}

/**
 * The bulkhead stack: tenant data plane(s), control plane, identity, the
 * tenant-tag key, the three platform functions, the tenant access role and
 * the REST API. The function roles get no permission on tenant data; they can
 * only assume the tenant access role with session tags.
 */
import {
  ArnFormat,
  Aws,
  CfnOutput,
  Duration,
  RemovalPolicy,
  Stack,
  type StackProps,
  Validations,
} from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { modelsInUse } from '../lambdas/models/model-catalog.js';
import { DEFAULT_SILO_TIERS } from '../lambdas/placement/tier-placement.js';
import { AUDIT_DIGEST_ENTRY, AuditDigests } from './audit-digests.js';
import { AuditWriterRole } from './audit-writer-role.js';
import {
  assertValidSettings,
  type BulkheadSettings,
  claimNamesOf,
  DEFAULT_AUDIT_RETENTION_DAYS,
} from './bulkhead-settings.js';
import { CONSOLE_BASE_PATH, CONSOLE_CALLBACK_PATH } from './console-headers.js';
import { ConsoleHosting } from './console-hosting.js';
import { ControlPlane } from './control-plane.js';
import type { CorsOrigins } from './cors-preflight.js';
import { allCorsOrigins } from './cors-preflight.js';
import { EraserRoles } from './eraser-roles.js';
import { HouseFunction } from './house-function.js';
import { DEFAULT_HOSTED_LOGIN, Identity } from './identity.js';
import { MODEL_CATALOG_VARIABLE, resolveModelCatalog } from './model-catalog-file.js';
import { runEvery } from './schedule.js';
import { allowSiloStackRemoval, PLACEMENT_ENTRY, SiloPlacement, siloPlaneArns } from './silo-placement.js';
import { TenantAccessRole } from './tenant-access-role.js';
import { DEFAULT_API_THROTTLING, DEFAULT_AUTHORIZER_CACHE_SECONDS, TenantApi } from './tenant-api.js';
import { TenantDataPlane } from './tenant-data-plane.js';
import { TENANT_ERASURE_ENTRY, TenantErasureJob } from './tenant-erasure-job.js';
import { modelGrants, type TenantDataResources } from './tenant-policy.js';

/** Handler sources (repo-relative), each exporting `handler`. */
export const HANDLER_ENTRIES = {
  authorizer: 'lambdas/handlers/authorizer.ts',
  control: 'lambdas/handlers/control.ts',
  api: 'lambdas/handlers/api.ts',
  chatStream: 'lambdas/handlers/chat-stream.ts',
  auditDigest: AUDIT_DIGEST_ENTRY,
  tenantErasure: TENANT_ERASURE_ENTRY,
  retention: 'lambdas/handlers/retention.ts',
  placement: PLACEMENT_ENTRY,
} as const;

export interface BulkheadStackProps extends StackProps, BulkheadSettings {}

/** Everything bulkhead deploys. */
export class BulkheadStack extends Stack {
  /** The shared (pool) tenant data resources. */
  readonly pool: TenantDataPlane;
  /** Provisions silos at runtime and moves tenants between pool and silo. */
  readonly placement: SiloPlacement;
  readonly controlPlane: ControlPlane;
  readonly identity: Identity;
  readonly tenantTagKey: secretsmanager.Secret;
  readonly vaultKey: kms.Key;
  readonly authorizerFunction: HouseFunction;
  readonly controlFunction: HouseFunction;
  readonly apiFunction: HouseFunction;
  readonly chatStreamFunction: HouseFunction;
  /** The tenant API function in Lambda tenant isolation mode (the silo API's `/v1/{proxy+}`). */
  readonly isolatedApiFunction: HouseFunction;
  /** The streaming chat in Lambda tenant isolation mode (the silo API's `POST /v1/chat/stream`). */
  readonly isolatedChatStreamFunction: HouseFunction;
  /** The daily retention job (expires documents past each tenant's retention). */
  readonly retentionFunction: HouseFunction;
  readonly tenantAccess: TenantAccessRole;
  readonly auditWriter: AuditWriterRole;
  readonly auditDigests: AuditDigests;
  readonly erasers: EraserRoles;
  readonly tenantErasure: TenantErasureJob;
  readonly api: TenantApi;
  /** The silo tier's API: the same routes, tenant routes on the tenant-isolated functions. */
  readonly siloApi: TenantApi;
  /** The web console's bucket, distribution and deployment, unless `console` is false. */
  readonly consoleHosting?: ConsoleHosting;

  constructor(scope: Construct, id: string, props: BulkheadStackProps = {}) {
    super(scope, id, props);
    assertValidSettings(props);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    // assertValidSettings reported any problem with the catalogue (docs/models.md).
    const models = resolveModelCatalog(props);
    if (models.catalog === undefined) throw new Error(models.problems.join('; '));
    const modelEnvironment = { [MODEL_CATALOG_VARIABLE]: models.environment };

    this.pool = new TenantDataPlane(this, 'TenantData', { removalPolicy });
    this.controlPlane = new ControlPlane(this, 'Control', { removalPolicy });
    // The console's origin first: the app client's redirect URLs and the APIs' CORS origins name it.
    const consoleDomain =
      props.consoleDomain !== undefined && props.consoleCertificateArn !== undefined
        ? { name: props.consoleDomain, certificateArn: props.consoleCertificateArn }
        : undefined;
    this.consoleHosting =
      props.console === false
        ? undefined
        : new ConsoleHosting(this, 'Console', {
            accessLogsBucket: this.pool.accessLogsBucket,
            removalPolicy,
            ...(consoleDomain === undefined ? {} : { domain: consoleDomain }),
          });
    const consoleOrigin = this.consoleHosting?.origin;
    const consoleRedirects = (path: string): string[] =>
      consoleOrigin === undefined ? [] : [`${consoleOrigin}${path}`];
    this.identity = new Identity(this, 'Identity', {
      // assertValidSettings guarantees an audience whenever an issuer is set.
      oidc:
        props.oidcIssuer !== undefined && props.oidcAudience !== undefined
          ? { issuer: props.oidcIssuer, audience: props.oidcAudience, jwksUrl: props.oidcJwksUrl }
          : undefined,
      claims: claimNamesOf(props),
      hostedLogin: {
        ...(props.authDomainPrefix === undefined ? {} : { domainPrefix: props.authDomainPrefix }),
        callbackUrls: [
          ...(props.callbackUrls ?? DEFAULT_HOSTED_LOGIN.callbackUrls),
          ...consoleRedirects(CONSOLE_CALLBACK_PATH),
        ],
        logoutUrls: [
          ...(props.logoutUrls ?? DEFAULT_HOSTED_LOGIN.logoutUrls),
          ...consoleRedirects(CONSOLE_BASE_PATH),
        ],
      },
      removalPolicy,
    });

    this.tenantTagKey = new secretsmanager.Secret(this, 'TenantTagKey', {
      description: 'HMAC key that turns tenant ids into opaque telemetry tags',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy,
    });
    Validations.of(this.tenantTagKey).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Rotating the tenant-tag HMAC key changes every tenant tag and breaks correlation of historic telemetry; it is rotated by a planned procedure, not on a schedule.',
    });

    // The token vault's key: users' OAuth tokens are sealed under it with a {TenantId, UserId,
    // ConnectorId} context; the tenant role may use it only for its own tenant and user.
    this.vaultKey = new kms.Key(this, 'VaultKey', {
      description: "Seals users' delegated OAuth tokens (encryption context: TenantId, UserId, ConnectorId)",
      enableKeyRotation: true,
      removalPolicy,
    });

    const platformEnvironment = { ...this.identity.verifierEnvironment, ...modelEnvironment };
    this.authorizerFunction = new HouseFunction(this, 'Authorizer', {
      entry: HANDLER_ENTRIES.authorizer,
      description: 'TOKEN authorizer: verifies the bearer JWT and returns the tenant context',
      environment: this.identity.verifierEnvironment,
      memorySize: 512,
      timeout: Duration.seconds(10),
    });
    this.controlFunction = new HouseFunction(this, 'ControlFunction', {
      entry: HANDLER_ENTRIES.control,
      description: 'Platform operator API (/v1/admin): tenant lifecycle',
      environment: platformEnvironment,
    });
    this.apiFunction = new HouseFunction(this, 'ApiFunction', {
      entry: HANDLER_ENTRIES.api,
      description: 'Tenant API (/v1): agents, documents, memory',
      environment: platformEnvironment,
    });
    this.chatStreamFunction = new HouseFunction(this, 'ChatStreamFunction', {
      entry: HANDLER_ENTRIES.chatStream,
      description: 'Tenant chat with Lambda response streaming (server-sent events)',
      environment: platformEnvironment,
      // A streamed response is not bound by the 29 s buffered-integration limit.
      timeout: Duration.minutes(5),
    });
    // Pool and silo locations are names, not grants: tenant data is reached only through the tenant
    // role. A silo's names follow from the stack's name, account and Region (silo-names.ts).
    const dataPlaneNames = {
      TENANT_TABLE_NAME: this.pool.table.tableName,
      TENANT_BUCKET_NAME: this.pool.bucket.bucketName,
      VECTOR_BUCKET_NAME: this.pool.vectorBucketName,
      PLATFORM_STACK_NAME: this.stackName,
      PLATFORM_ACCOUNT_ID: this.account,
      SILO_TIERS: (props.siloTiers ?? DEFAULT_SILO_TIERS).join(','),
    };
    this.auditDigests = new AuditDigests(this, 'AuditDigests', {
      retention: Duration.days(props.auditRetentionDays ?? DEFAULT_AUDIT_RETENTION_DAYS),
      removalPolicy,
      accessLogsBucket: this.pool.accessLogsBucket,
      environment: dataPlaneNames,
    });
    const digester = this.auditDigests.digester;
    this.tenantErasure = new TenantErasureJob(this, 'TenantErasure', {
      // The final cost statement names the price version of months without usage.
      environment: { ...dataPlaneNames, ...modelEnvironment },
      signingKeyArn: this.auditDigests.signingKey.keyArn,
    });
    const eraser = this.tenantErasure.function;
    this.retentionFunction = new HouseFunction(this, 'RetentionFunction', {
      entry: HANDLER_ENTRIES.retention,
      description: "Daily: expires each tenant's documents past its retention, through tenant sessions",
      environment: platformEnvironment,
      timeout: Duration.minutes(15),
    });
    runEvery(this, 'RetentionSchedule', Duration.days(1), this.retentionFunction, 'Runs the retention job');
    // Dedicated compute for the silo tier: twins that get every binding of the originals below.
    this.isolatedApiFunction = this.apiFunction.tenantIsolatedTwin('IsolatedApiFunction');
    this.isolatedChatStreamFunction = this.chatStreamFunction.tenantIsolatedTwin(
      'IsolatedChatStreamFunction',
    );
    const platformFunctions = [
      this.controlFunction,
      this.apiFunction,
      this.chatStreamFunction,
      this.isolatedApiFunction,
      this.isolatedChatStreamFunction,
      this.retentionFunction,
    ];
    const tenantApiFunctions = [
      this.apiFunction,
      this.chatStreamFunction,
      this.isolatedApiFunction,
      this.isolatedChatStreamFunction,
    ];

    // Tenants' own secrets (connector API keys) live under `<stack>/tenants/<tenantId>/...`.
    const tenantSecretPrefix = `${this.stackName}/tenants`;
    const resources: TenantDataResources = {
      ...this.pool.dataResources(),
      silos: siloPlaneArns(this),
      ...modelGrants(modelsInUse(models.catalog), {
        partition: Aws.PARTITION,
        region: this.region,
        account: this.account,
      }),
      tenantSecretsArnRoot: this.formatArn({
        service: 'secretsmanager',
        resource: 'secret',
        resourceName: tenantSecretPrefix,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      }),
      vaultKeyArns: [this.vaultKey.keyArn],
      auditDigests: this.auditDigests.resources(),
    };
    this.placement = new SiloPlacement(this, 'Placement', {
      resources,
      environment: dataPlaneNames,
      accessLogsBucket: this.pool.accessLogsBucket,
    });
    const placer = this.placement.function;
    this.tenantAccess = new TenantAccessRole(this, 'TenantAccess', {
      resources,
      // The authorizer vends sessions of this role (docs/sessions.md); no other role is vended.
      trustedRoles: [...platformFunctions, this.authorizerFunction].map((fn) => fn.role),
    });
    this.auditWriter = new AuditWriterRole(this, 'AuditWriter', {
      resources,
      trustedRoles: [...platformFunctions, digester].map((fn) => fn.role),
    });

    for (const fn of platformFunctions) {
      for (const [variable, value] of Object.entries(dataPlaneNames))
        fn.function.addEnvironment(variable, value);
      // Names only: the audit writer role reads its tenant's digests; only the digester may sign.
      fn.function.addEnvironment('AUDIT_DIGEST_BUCKET_NAME', this.auditDigests.bucket.bucketName);
      fn.function.addEnvironment('AUDIT_DIGEST_KEY_ARN', this.auditDigests.signingKey.keyArn);
      fn.function.addEnvironment('TENANT_SECRET_PREFIX', tenantSecretPrefix);
      // An ARN, not a grant: only the tenant role may use the key, under its own context.
      fn.function.addEnvironment('VAULT_KEY_ARN', this.vaultKey.keyArn);
      fn.bindAssumableRole('TENANT_ROLE_ARN', this.tenantAccess.role);
      fn.bindAssumableRole('AUDIT_ROLE_ARN', this.auditWriter.role);
      fn.bindSecret('TENANT_TAG_SECRET_ARN', this.tenantTagKey);
    }
    // Only the control function erases users; only the erasure job erases tenants.
    this.erasers = new EraserRoles(this, 'Erasers', {
      resources,
      userErasers: [this.controlFunction.role],
      tenantErasers: [eraser.role],
    });
    this.controlFunction.bindAssumableRole('ERASER_ROLE_ARN', this.erasers.userEraser);
    eraser.bindAssumableRole('TENANT_ERASER_ROLE_ARN', this.erasers.tenantEraser);
    eraser.bindSecret('TENANT_TAG_SECRET_ARN', this.tenantTagKey);
    allowSiloStackRemoval(eraser);
    eraser.bindTable('CONTROL_TABLE_NAME', this.controlPlane.table, 'readWrite');
    digester.bindAssumableRole('AUDIT_ROLE_ARN', this.auditWriter.role);
    // The placement job keeps the registry's placement; its sessions name tenants by their tag.
    placer.bindSecret('TENANT_TAG_SECRET_ARN', this.tenantTagKey);
    placer.bindTable('CONTROL_TABLE_NAME', this.controlPlane.table, 'readWrite');
    digester.bindSecret('TENANT_TAG_SECRET_ARN', this.tenantTagKey);
    digester.bindTable('CONTROL_TABLE_NAME', this.controlPlane.table, 'read');
    this.controlFunction.bindTable('CONTROL_TABLE_NAME', this.controlPlane.table, 'readWrite');
    this.identity.bindTenantAdmins(this.controlFunction);
    for (const fn of [...tenantApiFunctions, this.retentionFunction])
      fn.bindTable('CONTROL_TABLE_NAME', this.controlPlane.table, 'read');

    const authorizerCacheSeconds = props.authorizerCacheSeconds ?? DEFAULT_AUTHORIZER_CACHE_SECONDS;
    // The authorizer vends tenant sessions (docs/sessions.md): it reads the registry and the tag key.
    const vendor = this.authorizerFunction;
    for (const [variable, value] of Object.entries(dataPlaneNames))
      vendor.function.addEnvironment(variable, value);
    vendor.function.addEnvironment('AUTHORIZER_CACHE_SECONDS', String(authorizerCacheSeconds));
    vendor.bindAssumableRole('TENANT_ROLE_ARN', this.tenantAccess.role);
    vendor.bindSecret('TENANT_TAG_SECRET_ARN', this.tenantTagKey);
    vendor.bindTable('CONTROL_TABLE_NAME', this.controlPlane.table, 'read');

    // CORS: the gateway answers preflights and its own errors; the functions their responses.
    const corsOrigins: CorsOrigins = {
      configured: props.corsOrigins ?? [],
      ...(consoleOrigin === undefined ? {} : { console: consoleOrigin }),
    };
    const allowedOrigins = allCorsOrigins(corsOrigins);
    if (allowedOrigins.length > 0) {
      for (const fn of [this.controlFunction, ...tenantApiFunctions])
        fn.function.addEnvironment('CORS_ORIGINS', allowedOrigins.join(','));
    }
    const throttling = {
      rateLimit: props.apiRateLimit ?? DEFAULT_API_THROTTLING.rateLimit,
      burstLimit: props.apiBurstLimit ?? DEFAULT_API_THROTTLING.burstLimit,
    };
    this.api = new TenantApi(this, 'Api', {
      throttling,
      corsOrigins,
      authorizerCacheSeconds,
      authorizer: this.authorizerFunction,
      apiFunction: this.apiFunction,
      controlFunction: this.controlFunction,
      chatStreamFunction: this.chatStreamFunction,
    });

    new CfnOutput(this, 'ApiUrl', { value: this.api.restApi.url });
    // Same authorizer, control routes and gateway responses; tenant routes on the twins, which
    // API Gateway invokes with the verified tenant id as `X-Amz-Tenant-Id`.
    this.siloApi = new TenantApi(this, 'SiloApi', {
      throttling,
      corsOrigins,
      authorizerCacheSeconds,
      authorizer: this.authorizerFunction,
      apiFunction: this.isolatedApiFunction,
      controlFunction: this.controlFunction,
      chatStreamFunction: this.isolatedChatStreamFunction,
      description: 'bulkhead tenant API, silo tier (tenant-isolated execution environments)',
      accountLoggingOwner: this.api,
    });
    new CfnOutput(this, 'SiloApiUrl', { value: this.siloApi.restApi.url });
    if (this.identity.userPool && this.identity.userPoolClient) {
      new CfnOutput(this, 'UserPoolId', { value: this.identity.userPool.userPoolId });
      new CfnOutput(this, 'UserPoolClientId', { value: this.identity.userPoolClient.userPoolClientId });
    }
    if (this.identity.userPoolDomain)
      new CfnOutput(this, 'HostedLoginUrl', { value: this.identity.userPoolDomain.baseUrl() });
    if (this.consoleHosting) {
      // The console signs in as the client whose id is the audience the authorizer accepts (its
      // bearer is the ID token), at the issuer the functions verify.
      this.consoleHosting.serve({
        apis: [this.api.restApi, this.siloApi.restApi],
        signInOrigins: this.identity.signInOrigins,
        config: {
          apiUrl: this.api.restApi.url,
          siloApiUrl: this.siloApi.restApi.url,
          issuer: this.identity.verifierEnvironment.JWT_ISSUER,
          clientId: this.identity.verifierEnvironment.JWT_AUDIENCE,
        },
      });
      new CfnOutput(this, 'ConsoleUrl', { value: this.consoleHosting.url });
    }
  }
}

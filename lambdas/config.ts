/**
 * Function configuration: read once at start-up, validated, frozen.
 *
 * A missing variable fails the cold start with a message naming it, so a
 * misconfigured deployment never reaches a request.
 */
import * as z from 'zod';
import { type ClaimNames, ClaimNamesSchema, DEFAULT_CLAIM_NAMES } from './auth/claim-names.js';
import { type ModelCatalog, parseJson, parseModelCatalog } from './models/model-catalog.js';
import { SiloTiersSchema } from './placement/tier-placement.js';
import type { Placement } from './tenancy/key-layout.js';
import type { Tier } from './tenancy/request-context.js';
import { type SiloNaming, siloResourceNames } from './tenancy/silo-names.js';

export class ConfigurationError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ConfigurationError';
  }
}

const required = (name: string) =>
  z
    .string({ error: `${name} is not set` })
    .trim()
    .min(1, { error: `${name} is not set` });

/** AssumeRole into the tenant role is role chaining: STS allows 900–3600 s. */
const SessionSecondsSchema = z.coerce
  .number({ error: 'TENANT_SESSION_SECONDS must be a number' })
  .int('TENANT_SESSION_SECONDS must be an integer')
  .min(900, 'TENANT_SESSION_SECONDS must be between 900 and 3600')
  .max(3600, 'TENANT_SESSION_SECONDS must be between 900 and 3600')
  .default(3600);

/** The model catalogue the stack was synthesized with (compact JSON, docs/models.md), checked like the file. */
const ModelCatalogEnvSchema = required('MODEL_CATALOG').transform((text, context) => {
  const json = parseJson(text, 'MODEL_CATALOG');
  const parsed =
    'value' in json ? parseModelCatalog(json.value, 'MODEL_CATALOG') : { problems: [json.problem] };
  if (parsed.catalog !== undefined) return parsed.catalog;
  for (const message of parsed.problems) context.addIssue({ code: 'custom', message });
  return z.NEVER;
});

/** Where one data plane's tenant data lives: names only (access is granted by the tenant role). */
export interface DataPlaneNames {
  readonly tableName: string;
  readonly bucketName: string;
  readonly vectorBucketName: string;
}

/** `JWT_CLAIMS`: the claim names as JSON (lib/identity.ts sets it); Cognito's when absent. */
const ClaimsEnvSchema = z
  .string()
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'JWT_CLAIMS must be JSON' });
      return z.NEVER;
    }
  })
  .pipe(ClaimNamesSchema)
  .default(DEFAULT_CLAIM_NAMES);

const ServiceEnvSchema = z.object({
  TENANT_TABLE_NAME: required('TENANT_TABLE_NAME'),
  CONTROL_TABLE_NAME: required('CONTROL_TABLE_NAME'),
  TENANT_BUCKET_NAME: required('TENANT_BUCKET_NAME'),
  VECTOR_BUCKET_NAME: required('VECTOR_BUCKET_NAME'),
  TENANT_ROLE_ARN: required('TENANT_ROLE_ARN'),
  AUDIT_ROLE_ARN: required('AUDIT_ROLE_ARN'),
  TENANT_TAG_SECRET_ARN: required('TENANT_TAG_SECRET_ARN'),
  TENANT_SECRET_PREFIX: required('TENANT_SECRET_PREFIX'),
  VAULT_KEY_ARN: required('VAULT_KEY_ARN'),
  AUDIT_DIGEST_BUCKET_NAME: required('AUDIT_DIGEST_BUCKET_NAME'),
  /** Only the control function erases users: the other functions have no eraser role. */
  ERASER_ROLE_ARN: z.string().trim().min(1).optional(),
  AUDIT_DIGEST_KEY_ARN: required('AUDIT_DIGEST_KEY_ARN'),
  /**
   * Added to every offboarding's grace period before erasure may begin: the registry cache's
   * lifetime (every function refuses the tenant by then) plus the longest request (a streamed
   * chat, 5 minutes), so no request admitted before offboarding still writes when erasure starts.
   */
  REGISTRY_SETTLE_SECONDS: z.coerce.number().int().min(0).max(3600).default(330),
  /** Only the local cloud sets it: connectors on 127.0.0.1 over plain http. */
  CONNECTOR_ALLOW_LOOPBACK: z.enum(['true', 'false']).default('false'),
  MODEL_CATALOG: ModelCatalogEnvSchema,
  TENANT_SESSION_SECONDS: SessionSecondsSchema,
  /** A silo's names follow from the platform stack's name, account and Region (tenancy/silo-names.ts). */
  PLATFORM_STACK_NAME: required('PLATFORM_STACK_NAME'),
  PLATFORM_ACCOUNT_ID: required('PLATFORM_ACCOUNT_ID'),
  AWS_REGION: required('AWS_REGION'),
  SILO_TIERS: SiloTiersSchema,
  /** Browser origins allowed by CORS, comma-separated (`bulkhead:corsOrigins`); none by default. */
  CORS_ORIGINS: z.string().trim().optional(),
  /** The claim names tokens carry identity in (told to operators creating users in an external IdP). */
  JWT_CLAIMS: ClaimsEnvSchema,
  /** Only the control function, only with the Cognito pool: where it creates tenants' first admins. */
  USER_POOL_ID: z.string().trim().min(1).optional(),
});

/** Configuration of the HTTP functions (api, control). */
export interface ServiceConfig {
  readonly tenantTableName: string;
  readonly controlTableName: string;
  readonly tenantBucketName: string;
  readonly vectorBucketName: string;
  readonly tenantRoleArn: string;
  /** The audit writer role: the only principal that may write a tenant's audit trail. */
  readonly auditRoleArn: string;
  readonly tenantTagSecretArn: string;
  /** Where tenants' secrets are named: `<prefix>/<tenantId>/...` (the tenant policy grants the same). */
  readonly tenantSecretPrefix: string;
  /** The token vault's KMS key (users' OAuth tokens are sealed under it). */
  readonly vaultKeyArn: string;
  /** Connectors may be reached on loopback over http (the local cloud only); never in the cloud. */
  readonly connectorAllowLoopback: boolean;
  /** Seconds added to an offboarding's grace period before erasure may begin (see REGISTRY_SETTLE_SECONDS). */
  readonly registrySettleSeconds: number;
  /** The user eraser role (control function only): every version of a user's private objects. */
  readonly eraserRoleArn?: string;
  /** The Object Lock bucket of the signed audit digests (`digests/<tenantId>/…`). */
  readonly auditDigestBucketName: string;
  /** The asymmetric KMS key the digests are signed with (only the digester may sign). */
  readonly auditDigestKeyArn: string;
  /**
   * The models in use and their prices (`MODEL_CATALOG`): the chat models tenants may use (the first
   * is the default), the embedding model (Titan v2 body shape), each tier's fallback, the price table.
   */
  readonly models: ModelCatalog;
  readonly tenantSessionSeconds: number;
  /** How silo resources are named: a silo tenant's data lives in the planes named for it. */
  readonly siloNaming: SiloNaming;
  /** The tiers whose tenants live in silos. */
  readonly siloTiers: readonly Tier[];
  /** Browser origins whose requests get CORS headers (exact `Origin` values). */
  readonly corsOrigins: readonly string[];
  /** Which token claims carry the user, the tenant and the groups. */
  readonly claims: ClaimNames;
  /** The Cognito user pool the control function creates first admins in; none with an external IdP. */
  readonly userPoolId?: string;
}

/** Where each plane's data lives: the pool's names, and how a silo's are derived. */
export type DataPlaneConfig = Pick<
  ServiceConfig,
  'siloNaming' | 'tenantTableName' | 'tenantBucketName' | 'vectorBucketName'
>;

/** What every function that reaches tenant data through sessions reads (SESSION_ENV_KEYS). */
export type SessionConfig = DataPlaneConfig &
  Pick<ServiceConfig, 'controlTableName' | 'tenantTagSecretArn' | 'tenantSessionSeconds' | 'siloTiers'>;

/** What issuing tenant access sessions needs: the role, their length, and where each plane's data lives. */
export type TenantAccessConfig = DataPlaneConfig &
  Pick<ServiceConfig, 'tenantRoleArn' | 'tenantSessionSeconds'>;

/** Configuration of the token authorizer: how it verifies tokens and vends tenant sessions. */
export interface AuthorizerConfig {
  readonly issuer: string;
  readonly audience: string;
  readonly jwksUrl: string;
  /** Which claims carry the user, the tenant and the groups (`JWT_CLAIMS`, JSON). */
  readonly claims: ClaimNames;
  /** Where sessions are vended from, and where the registry and the tag key are. */
  readonly vending: TenantAccessConfig & Pick<ServiceConfig, 'controlTableName' | 'tenantTagSecretArn'>;
  /**
   * How long API Gateway caches an answer per token: a vended session must stay usable that long
   * (plus the functions' refresh window) after it is handed out.
   */
  readonly cacheSeconds: number;
}

type Environment = Readonly<Record<string, string | undefined>>;

function parseEnvironment<T>(schema: z.ZodType<T>, env: Environment): T {
  const result = schema.safeParse(env);
  if (!result.success) {
    // Report every problem at once, so one deploy fixes them all.
    throw new ConfigurationError(result.error.issues.map((issue) => issue.message).join('; '));
  }
  return result.data;
}

/** What every function that reaches tenant data through sessions reads: where data lives, the tag key, session length. */
const SESSION_ENV_KEYS = {
  TENANT_TABLE_NAME: true,
  CONTROL_TABLE_NAME: true,
  TENANT_BUCKET_NAME: true,
  VECTOR_BUCKET_NAME: true,
  TENANT_TAG_SECRET_ARN: true,
  TENANT_SESSION_SECONDS: true,
  PLATFORM_STACK_NAME: true,
  PLATFORM_ACCOUNT_ID: true,
  AWS_REGION: true,
  SILO_TIERS: true,
} as const;

type SessionEnv = Pick<z.infer<typeof ServiceEnvSchema>, keyof typeof SESSION_ENV_KEYS>;

function sessionFields(parsed: SessionEnv): SessionConfig {
  return {
    tenantTableName: parsed.TENANT_TABLE_NAME,
    controlTableName: parsed.CONTROL_TABLE_NAME,
    tenantBucketName: parsed.TENANT_BUCKET_NAME,
    vectorBucketName: parsed.VECTOR_BUCKET_NAME,
    tenantTagSecretArn: parsed.TENANT_TAG_SECRET_ARN,
    tenantSessionSeconds: parsed.TENANT_SESSION_SECONDS,
    siloNaming: {
      stackName: parsed.PLATFORM_STACK_NAME,
      account: parsed.PLATFORM_ACCOUNT_ID,
      region: parsed.AWS_REGION,
    },
    siloTiers: parsed.SILO_TIERS,
  };
}

/**
 * A vended session (docs/sessions.md) must outlive API Gateway's cache entry, then the functions'
 * refresh window (5 minutes: they adopt none closer to expiry) and the longest request (a 5-minute
 * streamed chat), so no request runs on expired credentials.
 */
export const VENDED_SESSION_MARGIN_SECONDS = 300 + 300;
/** The longest authorizer cache a one-hour session (role chaining's maximum) allows. */
export const MAX_AUTHORIZER_CACHE_SECONDS = 3_600 - VENDED_SESSION_MARGIN_SECONDS;

const AuthorizerEnvSchema = ServiceEnvSchema.pick({ ...SESSION_ENV_KEYS, TENANT_ROLE_ARN: true })
  .extend({
    JWT_ISSUER: required('JWT_ISSUER'),
    JWT_AUDIENCE: required('JWT_AUDIENCE'),
    JWKS_URL: required('JWKS_URL').pipe(z.url({ error: 'JWKS_URL must be a URL' })),
    JWT_CLAIMS: ClaimsEnvSchema,
    AUTHORIZER_CACHE_SECONDS: z.coerce.number().int().min(0).default(0),
  })
  .refine(
    (env) => env.AUTHORIZER_CACHE_SECONDS + VENDED_SESSION_MARGIN_SECONDS <= env.TENANT_SESSION_SECONDS,
    {
      error: `AUTHORIZER_CACHE_SECONDS must leave ${VENDED_SESSION_MARGIN_SECONDS} s of TENANT_SESSION_SECONDS (a vended session must outlive the cache)`,
    },
  );

/** Reads and validates the HTTP functions' environment; throws ConfigurationError naming what is wrong. */
export function readServiceConfig(env: Environment = process.env): ServiceConfig {
  const parsed = parseEnvironment(ServiceEnvSchema, env);
  return Object.freeze({
    ...sessionFields(parsed),
    tenantRoleArn: parsed.TENANT_ROLE_ARN,
    auditRoleArn: parsed.AUDIT_ROLE_ARN,
    tenantSecretPrefix: parsed.TENANT_SECRET_PREFIX,
    vaultKeyArn: parsed.VAULT_KEY_ARN,
    connectorAllowLoopback: parsed.CONNECTOR_ALLOW_LOOPBACK === 'true',
    auditDigestBucketName: parsed.AUDIT_DIGEST_BUCKET_NAME,
    auditDigestKeyArn: parsed.AUDIT_DIGEST_KEY_ARN,
    registrySettleSeconds: parsed.REGISTRY_SETTLE_SECONDS,
    ...(parsed.ERASER_ROLE_ARN === undefined ? {} : { eraserRoleArn: parsed.ERASER_ROLE_ARN }),
    models: parsed.MODEL_CATALOG,
    corsOrigins: (parsed.CORS_ORIGINS ?? '')
      .split(',')
      .map((origin) => origin.trim())
      .filter(Boolean),
    claims: parsed.JWT_CLAIMS,
    ...(parsed.USER_POOL_ID === undefined ? {} : { userPoolId: parsed.USER_POOL_ID }),
  });
}

const DigesterEnvSchema = ServiceEnvSchema.pick({
  ...SESSION_ENV_KEYS,
  AUDIT_ROLE_ARN: true,
  AUDIT_DIGEST_BUCKET_NAME: true,
  AUDIT_DIGEST_KEY_ARN: true,
});

/** Configuration of the audit digester: where trails live, the writer role, the digest bucket and key. */
export type DigesterConfig = SessionConfig &
  Pick<ServiceConfig, 'auditRoleArn' | 'auditDigestBucketName' | 'auditDigestKeyArn'>;

/** Reads and validates the audit digester's environment; throws ConfigurationError naming what is wrong. */
export function readDigesterConfig(env: Environment = process.env): DigesterConfig {
  const parsed = parseEnvironment(DigesterEnvSchema, env);
  return Object.freeze({
    ...sessionFields(parsed),
    auditRoleArn: parsed.AUDIT_ROLE_ARN,
    auditDigestBucketName: parsed.AUDIT_DIGEST_BUCKET_NAME,
    auditDigestKeyArn: parsed.AUDIT_DIGEST_KEY_ARN,
  });
}

const ErasureEnvSchema = ServiceEnvSchema.pick({
  ...SESSION_ENV_KEYS,
  AUDIT_DIGEST_KEY_ARN: true,
  MODEL_CATALOG: true,
}).extend({
  TENANT_ERASER_ROLE_ARN: required('TENANT_ERASER_ROLE_ARN'),
});

/** Configuration of the tenant erasure job: where tenants' data lives, its eraser role, the signing key. */
export type ErasureConfig = SessionConfig &
  Pick<ServiceConfig, 'auditDigestKeyArn' | 'models'> & { readonly tenantEraserRoleArn: string };

/** Reads and validates the tenant erasure job's environment; throws ConfigurationError naming what is wrong. */
export function readErasureConfig(env: Environment = process.env): ErasureConfig {
  const parsed = parseEnvironment(ErasureEnvSchema, env);
  return Object.freeze({
    ...sessionFields(parsed),
    auditDigestKeyArn: parsed.AUDIT_DIGEST_KEY_ARN,
    models: parsed.MODEL_CATALOG,
    tenantEraserRoleArn: parsed.TENANT_ERASER_ROLE_ARN,
  });
}

const PlacementEnvSchema = ServiceEnvSchema.pick({
  ...SESSION_ENV_KEYS,
  REGISTRY_SETTLE_SECONDS: true,
}).extend({
  TENANT_MOVER_ROLE_ARN: required('TENANT_MOVER_ROLE_ARN'),
  SILO_TEMPLATE_URL: required('SILO_TEMPLATE_URL'),
  SILO_DEPLOYER_ROLE_ARN: required('SILO_DEPLOYER_ROLE_ARN'),
  ACCESS_LOGS_BUCKET_NAME: required('ACCESS_LOGS_BUCKET_NAME'),
});

/** Configuration of the placement job: where tenants' data lives, the mover role, the silo template and its deployer. */
export type PlacementConfig = SessionConfig &
  Pick<ServiceConfig, 'registrySettleSeconds'> & {
    readonly tenantMoverRoleArn: string;
    readonly siloTemplateUrl: string;
    readonly siloDeployerRoleArn: string;
    readonly accessLogsBucketName: string;
  };

/** Reads and validates the placement job's environment; throws ConfigurationError naming what is wrong. */
export function readPlacementConfig(env: Environment = process.env): PlacementConfig {
  const parsed = parseEnvironment(PlacementEnvSchema, env);
  return Object.freeze({
    ...sessionFields(parsed),
    registrySettleSeconds: parsed.REGISTRY_SETTLE_SECONDS,
    tenantMoverRoleArn: parsed.TENANT_MOVER_ROLE_ARN,
    siloTemplateUrl: parsed.SILO_TEMPLATE_URL,
    siloDeployerRoleArn: parsed.SILO_DEPLOYER_ROLE_ARN,
    accessLogsBucketName: parsed.ACCESS_LOGS_BUCKET_NAME,
  });
}

/** Where a tenant's data lives: the pool's planes, or the silo named for it. */
export function dataPlaneFor(
  config: DataPlaneConfig,
  tenantId: string,
  placement: Placement,
): DataPlaneNames {
  if (placement === 'silo') return siloResourceNames(config.siloNaming, tenantId);
  return {
    tableName: config.tenantTableName,
    bucketName: config.tenantBucketName,
    vectorBucketName: config.vectorBucketName,
  };
}

/** The plane a session reaches: the one its tenant was placed in when the session was issued. */
export function dataPlaneOf(
  config: DataPlaneConfig,
  session: { readonly owner: { readonly tenantId: string }; readonly placement: Placement },
): DataPlaneNames {
  return dataPlaneFor(config, session.owner.tenantId, session.placement);
}

/** Reads and validates the authorizer's environment; throws ConfigurationError naming what is wrong. */
export function readAuthorizerConfig(env: Environment = process.env): AuthorizerConfig {
  const parsed = parseEnvironment(AuthorizerEnvSchema, env);
  return Object.freeze({
    issuer: parsed.JWT_ISSUER,
    audience: parsed.JWT_AUDIENCE,
    jwksUrl: parsed.JWKS_URL,
    claims: parsed.JWT_CLAIMS,
    vending: { ...sessionFields(parsed), tenantRoleArn: parsed.TENANT_ROLE_ARN },
    cacheSeconds: parsed.AUTHORIZER_CACHE_SECONDS,
  });
}

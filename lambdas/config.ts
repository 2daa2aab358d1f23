/**
 * Function configuration: read once at start-up, validated, frozen.
 *
 * A missing variable fails the cold start with a message naming it, so a
 * misconfigured deployment never reaches a request.
 */
import { z } from 'zod';

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

/** Titan Text Embeddings v2: 1024 dimensions, the size every tenant vector index is created with. */
export const DEFAULT_EMBEDDING_MODEL_ID = 'amazon.titan-embed-text-v2:0';

const ServiceEnvSchema = z.object({
  TENANT_TABLE_NAME: required('TENANT_TABLE_NAME'),
  CONTROL_TABLE_NAME: required('CONTROL_TABLE_NAME'),
  TENANT_BUCKET_NAME: required('TENANT_BUCKET_NAME'),
  VECTOR_BUCKET_NAME: required('VECTOR_BUCKET_NAME'),
  TENANT_ROLE_ARN: required('TENANT_ROLE_ARN'),
  TENANT_TAG_SECRET_ARN: required('TENANT_TAG_SECRET_ARN'),
  MODEL_ID: required('MODEL_ID'),
  EMBEDDING_MODEL_ID: z.string().trim().min(1).default(DEFAULT_EMBEDDING_MODEL_ID),
  TENANT_SESSION_SECONDS: SessionSecondsSchema,
});

const AuthorizerEnvSchema = z.object({
  JWT_ISSUER: required('JWT_ISSUER'),
  JWT_AUDIENCE: required('JWT_AUDIENCE'),
  JWKS_URL: required('JWKS_URL').pipe(z.url({ error: 'JWKS_URL must be a URL' })),
});

/** Configuration of the HTTP functions (api, control). */
export interface ServiceConfig {
  readonly tenantTableName: string;
  readonly controlTableName: string;
  readonly tenantBucketName: string;
  readonly vectorBucketName: string;
  readonly tenantRoleArn: string;
  readonly tenantTagSecretArn: string;
  readonly modelId: string;
  /** The embedding model (Titan v2 body shape); `EMBEDDING_MODEL_ID`, default DEFAULT_EMBEDDING_MODEL_ID. */
  readonly embeddingModelId: string;
  readonly tenantSessionSeconds: number;
}

/** Configuration of the token authorizer. */
export interface AuthorizerConfig {
  readonly issuer: string;
  readonly audience: string;
  readonly jwksUrl: string;
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

/** Reads and validates the HTTP functions' environment; throws ConfigurationError naming what is wrong. */
export function readServiceConfig(env: Environment = process.env): ServiceConfig {
  const parsed = parseEnvironment(ServiceEnvSchema, env);
  return Object.freeze({
    tenantTableName: parsed.TENANT_TABLE_NAME,
    controlTableName: parsed.CONTROL_TABLE_NAME,
    tenantBucketName: parsed.TENANT_BUCKET_NAME,
    vectorBucketName: parsed.VECTOR_BUCKET_NAME,
    tenantRoleArn: parsed.TENANT_ROLE_ARN,
    tenantTagSecretArn: parsed.TENANT_TAG_SECRET_ARN,
    modelId: parsed.MODEL_ID,
    embeddingModelId: parsed.EMBEDDING_MODEL_ID,
    tenantSessionSeconds: parsed.TENANT_SESSION_SECONDS,
  });
}

/** Reads and validates the authorizer's environment; throws ConfigurationError naming what is wrong. */
export function readAuthorizerConfig(env: Environment = process.env): AuthorizerConfig {
  const parsed = parseEnvironment(AuthorizerEnvSchema, env);
  return Object.freeze({
    issuer: parsed.JWT_ISSUER,
    audience: parsed.JWT_AUDIENCE,
    jwksUrl: parsed.JWKS_URL,
  });
}

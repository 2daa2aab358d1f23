/**
 * The names of a silo tenant's dedicated resources, derived from the platform's stack name, the
 * account, the Region and the tenant id — nothing else. One function names them for everyone:
 *
 * - the SiloStack template names its resources with it (tenant id = the `TenantId` parameter);
 * - the tenant policy grants with it, with the tenant id `${aws:PrincipalTag/TenantId}`, so one
 *   statement reaches every silo and each session only its own tenant's (no per-silo IAM, no cap);
 * - the functions route a silo tenant's data with it.
 */

/** Where silo names come from: the platform stack's name and where it runs. */
export interface SiloNaming {
  readonly stackName: string;
  readonly account: string;
  readonly region: string;
}

export interface SiloResourceNames {
  /** The CloudFormation stack that holds the silo. */
  readonly stackName: string;
  readonly tableName: string;
  /** Bucket names are global: account and Region keep them unique. */
  readonly bucketName: string;
  readonly vectorBucketName: string;
  /** The alias of the silo's KMS key (the key itself has only a generated id). */
  readonly keyAlias: string;
}

/** The silo template's parameters (lib/silo-stack.ts), as the placement job passes them. */
export const SILO_TEMPLATE_PARAMETERS = {
  tenantId: 'TenantId',
  accessLogsBucket: 'AccessLogsBucketName',
} as const;

/** S3 and S3 Vectors bucket names: at most 63 characters. */
export const MAX_BUCKET_NAME_LENGTH = 63;

/** The names of `tenantId`'s silo (any of the parts may be an IAM variable or a CDK token). */
export function siloResourceNames(naming: SiloNaming, tenantId: string): SiloResourceNames {
  const base = `${naming.stackName}-silo-${tenantId}`;
  const lower = `${naming.stackName.toLowerCase()}-silo-${tenantId}`;
  return {
    stackName: base,
    tableName: base,
    bucketName: `${lower}-${naming.account}-${naming.region}`,
    vectorBucketName: lower,
    keyAlias: `alias/${naming.stackName}/silo/${tenantId}`,
  };
}

/**
 * Why `tenantId` cannot have a silo under `naming` (its bucket name would be too long), or
 * undefined when it can. Checked before a tenant is placed in a silo.
 */
export function siloNameProblem(naming: SiloNaming, tenantId: string): string | undefined {
  const { bucketName } = siloResourceNames(naming, tenantId);
  if (bucketName.length <= MAX_BUCKET_NAME_LENGTH) return undefined;
  const room = MAX_BUCKET_NAME_LENGTH - (bucketName.length - tenantId.length);
  return `a silo tenant's id may have at most ${room} characters here (its bucket name would be longer than ${MAX_BUCKET_NAME_LENGTH})`;
}

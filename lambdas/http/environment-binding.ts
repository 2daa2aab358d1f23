/**
 * Lambda tenant isolation mode (`TenancyConfig: PER_TENANT`) dedicates each execution
 * environment to one tenant: API Gateway maps the verified tenant id to `X-Amz-Tenant-Id` and
 * Lambda hands it to the handler as `context.tenantId`. This is the handler's own check on
 * top (defence in depth for every in-memory cache: sessions, registry records, idempotency):
 * the environment is bound to the tenant Lambda names — or, if Lambda names none, to the first
 * verified tenant it serves — and a request whose verified tenant differs is refused before any
 * handler work, changing nothing.
 */
import { DependencyError } from '../error-families.js';

/** The environment variable the tenant-isolated functions carry (CDK sets it with `tenancyConfig`). */
export const TENANT_ISOLATION_VARIABLE = 'TENANT_ISOLATION';
/** Its one value: Lambda's `TenantIsolationMode`. */
export const PER_TENANT = 'PER_TENANT';

/**
 * The request reached an environment bound to another tenant: a routing fault of the platform
 * (gateway mapping or invocation), never the caller's. 503 with `Retry-After`: a retry through
 * the gateway is routed by the tenant id again.
 */
export class EnvironmentMismatchError extends DependencyError {
  readonly status = 503;
  readonly code = 'environment_mismatch';
  readonly retryAfterSeconds = 1;
  constructor() {
    // No tenant ids in the message: it is logged and returned.
    super('this request reached an execution environment of another tenant; retry after Retry-After seconds');
    this.name = 'EnvironmentMismatchError';
  }
}

/** One execution environment's tenant binding. */
export class EnvironmentBinding {
  private boundTenantId: string | undefined;

  /** The tenant this environment serves, once known. */
  get tenantId(): string | undefined {
    return this.boundTenantId;
  }

  /**
   * Admits a request of `verifiedTenantId` (the authorizer's) that Lambda delivered for
   * `lambdaTenantId` (`context.tenantId`, absent outside tenant isolation mode); throws
   * EnvironmentMismatchError when either differs from the environment's tenant.
   */
  admit(verifiedTenantId: string, lambdaTenantId: string | undefined): void {
    // Lambda's word binds the environment even when this request is refused; a verified
    // tenant binds it only by being served.
    if (this.boundTenantId === undefined && lambdaTenantId !== undefined) this.boundTenantId = lambdaTenantId;
    const bound = this.boundTenantId ?? verifiedTenantId;
    if (verifiedTenantId !== bound || (lambdaTenantId !== undefined && lambdaTenantId !== bound))
      throw new EnvironmentMismatchError();
    this.boundTenantId = bound;
  }
}

/**
 * The binding of a function whose environment says it runs in tenant isolation mode, else
 * undefined (pooled environments serve every tenant). Throws on a value it does not know.
 */
export function environmentBindingFrom(
  environment: Readonly<Record<string, string | undefined>>,
): EnvironmentBinding | undefined {
  const mode = environment[TENANT_ISOLATION_VARIABLE];
  if (mode === undefined) return undefined;
  if (mode !== PER_TENANT) throw new Error(`${TENANT_ISOLATION_VARIABLE} must be ${PER_TENANT} when set`);
  return new EnvironmentBinding();
}

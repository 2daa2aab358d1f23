/**
 * Builds the RequestContext from what API Gateway hands the function: the
 * token authorizer's context (identity), the tenant's registry record (tier,
 * status) and the request id. Identity comes from nowhere else (DESIGN
 * invariant 1). A missing or malformed authorizer context is an error, never
 * a default, and so is a token past its expiry (API Gateway caches the authorizer's answer per
 * token, possibly beyond it); an unknown or suspended tenant is refused on every route, and a moving
 * tenant's requests are held (503 with Retry-After) while its data is copied, and a tenant
 * API serves only the tenants of its placement (421 on the other API).
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import * as z from 'zod';
import { TenantMovingError, WrongApiError } from '../registry/errors.js';
import type { TenantDirectory } from '../registry/tenant-directory.js';
import { isHeld, placementOf } from '../registry/tenant-record.js';
import { type Placement, TenantIdSchema, UserIdSchema } from '../tenancy/key-layout.js';
import { type RequestContext, RoleSchema, requestContext } from '../tenancy/request-context.js';
import { ForbiddenError, UnauthenticatedError } from './errors.js';

/** What the token authorizer puts in `requestContext.authorizer` (API Gateway passes strings). */
const AuthorizerContextSchema = z.object({
  tenantId: TenantIdSchema,
  userId: UserIdSchema,
  roles: z
    .string()
    .transform((joined) => joined.split(',').filter((role) => role.length > 0))
    .pipe(z.array(RoleSchema)),
  /** The token's `exp`: API Gateway's authorizer cache may serve the answer after it. */
  tokenExpiresAt: z.coerce.number().int().positive(),
});

export interface RequestContextSources {
  readonly directory: Pick<TenantDirectory, 'tenant' | 'userRoles'>;
  /** The opaque tag for a tenant id. */
  tenantTag(tenantId: string): Promise<string>;
  /**
   * The placement whose tenants this function serves (a tenant API: the pool's shared functions
   * or the silo API's tenant-isolated ones); undefined serves every tenant (the control API).
   */
  readonly serves?: Placement;
  /** @default Date.now */
  readonly now?: () => number;
}

/** The authorizer's identity claims from an API Gateway event; throws UnauthenticatedError when absent or malformed. */
export function authorizerIdentity(event: APIGatewayProxyEvent): z.infer<typeof AuthorizerContextSchema> {
  const result = AuthorizerContextSchema.safeParse(event.requestContext?.authorizer);
  if (!result.success) throw new UnauthenticatedError('request has no valid authorizer context');
  return result.data;
}

/** Resolves the request's context; throws UnauthenticatedError or ForbiddenError. */
export async function resolveRequestContext(
  event: APIGatewayProxyEvent,
  sources: RequestContextSources,
): Promise<RequestContext> {
  const identity = authorizerIdentity(event);
  if (identity.tokenExpiresAt * 1000 <= (sources.now ?? Date.now)()) {
    throw new UnauthenticatedError('token has expired');
  }
  const [tenant, assignedRoles] = await Promise.all([
    sources.directory.tenant(identity.tenantId),
    sources.directory.userRoles(identity.tenantId, identity.userId),
  ]);
  if (tenant === undefined || tenant.status !== 'active') {
    // One message for both, so callers cannot probe which tenants exist.
    throw new ForbiddenError('tenant is not active');
  }
  if (isHeld(tenant)) throw new TenantMovingError();
  const placement = placementOf(tenant);
  if (sources.serves !== undefined && sources.serves !== placement) throw new WrongApiError(placement);
  const tenantTag = await sources.tenantTag(identity.tenantId);
  try {
    return requestContext({
      tenantId: identity.tenantId,
      userId: identity.userId,
      roles: assignedRoles ?? identity.roles,
      tier: tenant.tier,
      requestId: event.requestContext.requestId,
      tenantTag,
    });
  } catch (err) {
    throw new UnauthenticatedError('request context is malformed', { cause: err });
  }
}

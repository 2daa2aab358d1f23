/**
 * Builds the RequestContext from what API Gateway hands the function: the
 * token authorizer's context (identity), the tenant's registry record (tier,
 * status) and the request id. Identity comes from nowhere else (DESIGN
 * invariant 1). A missing or malformed authorizer context is an error, never
 * a default; an unknown or suspended tenant is refused on every route.
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { z } from 'zod';
import type { TenantDirectory } from '../registry/tenant-directory.js';
import { TenantIdSchema, UserIdSchema } from '../tenancy/key-layout.js';
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
});

export interface RequestContextSources {
  readonly directory: Pick<TenantDirectory, 'tenant' | 'userRoles'>;
  /** The opaque tag for a tenant id. */
  tenantTag(tenantId: string): Promise<string>;
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
  const [tenant, assignedRoles] = await Promise.all([
    sources.directory.tenant(identity.tenantId),
    sources.directory.userRoles(identity.tenantId, identity.userId),
  ]);
  if (tenant === undefined || tenant.status !== 'active') {
    // One message for both, so callers cannot probe which tenants exist.
    throw new ForbiddenError('tenant is not active');
  }
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

/**
 * RequestContext: the only source of identity inside the platform.
 *
 * It is built once per request from verified token claims (plus the tenant's
 * registry record for the tier), validated, frozen, and passed to every
 * domain entry point. Nothing else — body, query, headers, tool arguments,
 * model output — may name a tenant or a user.
 */
import { createHmac } from 'node:crypto';
import * as z from 'zod';
import { TenantIdSchema, UserIdSchema } from './key-layout.js';

/**
 * The reserved tenant of the platform operators. It is built in (no registry
 * record, tier enterprise, always active), cannot be onboarded, and is the
 * only tenant in which the `operator` role means anything.
 */
export const PLATFORM_TENANT_ID = 'platform';

/** Roles, least to most privileged. `operator` is the platform operator (tenant lifecycle). */
export const ROLES = ['reader', 'analyst', 'admin', 'operator'] as const;
export const RoleSchema = z.enum(ROLES);
export type Role = z.infer<typeof RoleSchema>;

/** Tiers; each maps to limits, models and a deployment model (pool or silo). */
export const TIERS = ['basic', 'premium', 'enterprise'] as const;
export const TierSchema = z.enum(TIERS);
export type Tier = z.infer<typeof TierSchema>;

/** Opaque tenant tag for logs, metrics and traces: `t_` + 32 hex chars of HMAC-SHA256. */
export const TenantTagSchema = z.string().regex(/^t_[0-9a-f]{32}$/, 'invalid tenant tag');

export const RequestContextSchema = z
  .object({
    tenantId: TenantIdSchema,
    userId: UserIdSchema,
    roles: z.array(RoleSchema).readonly(),
    tier: TierSchema,
    requestId: z.string().min(1).max(128),
    tenantTag: TenantTagSchema,
  })
  .strict()
  .readonly();

export type RequestContext = z.infer<typeof RequestContextSchema>;

/** The roles that take effect in a tenant: `operator` only counts in the platform tenant. */
export function effectiveRoles(tenantId: string, roles: readonly Role[]): Role[] {
  const honoured = tenantId === PLATFORM_TENANT_ID ? roles : roles.filter((role) => role !== 'operator');
  return [...new Set(honoured)];
}

/**
 * Validates and freezes a request context; throws a ZodError when anything is
 * missing or malformed. Roles are reduced to the effective ones here, so no
 * context anywhere can carry `operator` outside the platform tenant.
 */
export function requestContext(input: unknown): RequestContext {
  const parsed = RequestContextSchema.parse(input);
  const roles = effectiveRoles(parsed.tenantId, parsed.roles);
  return Object.freeze({ ...parsed, roles: Object.freeze(roles) });
}

/** The opaque tag for a tenant: a keyed HMAC, so telemetry never carries the raw id. */
export function tenantTagFor(tenantId: string, key: string | Uint8Array): string {
  const id = TenantIdSchema.parse(tenantId);
  return `t_${createHmac('sha256', key).update(id).digest('hex').slice(0, 32)}`;
}

/**
 * The opaque id of a user in their tenant's audit trail: `a_` + HMAC of tenant and user under the
 * tenant-tag key (a label of its own). Stable, so one user's records stay linked; not reversible,
 * so erasing a user needs no rewrite of the trail.
 */
export function actorTagFor(tenantId: string, userId: string, key: string | Uint8Array): string {
  const id = TenantIdSchema.parse(tenantId);
  return `a_${createHmac('sha256', key).update(`actor#${id}#${userId}`).digest('hex').slice(0, 32)}`;
}

/** True when the context holds at least one of `allowed`. */
export function hasAnyRole(context: Pick<RequestContext, 'roles'>, allowed: readonly Role[]): boolean {
  return context.roles.some((role) => allowed.includes(role));
}

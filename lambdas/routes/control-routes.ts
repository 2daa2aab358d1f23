/**
 * The platform-operator API (`/v1/admin/...`): tenant lifecycle and role
 * assignment. Every route requires the `operator` role (which only counts in
 * the platform tenant), except role assignment, which a tenant `admin` may
 * also use for their own tenant and the tenant roles.
 */
import { parsePathParameter } from '../http/body.js';
import { ForbiddenError } from '../http/errors.js';
import { jsonResponse } from '../http/response.js';
import { Router } from '../http/router.js';
import { TenantNotFoundError } from '../registry/errors.js';
import { onboardTenant } from '../registry/onboarding.js';
import type { ServiceRuntime } from '../service-runtime.js';
import { TenantIdSchema, UserIdSchema } from '../tenancy/key-layout.js';
import { hasAnyRole, type RequestContext, type Role } from '../tenancy/request-context.js';
import * as control from './control-endpoints.js';

/** The roles a tenant admin may hand out inside their own tenant. */
const TENANT_ASSIGNABLE_ROLES: readonly Role[] = ['reader', 'analyst', 'admin'];

/** Function-wide gate: only operators and tenant admins may use this function at all. */
export function requireControlAccess(context: RequestContext): void {
  if (!hasAnyRole(context, ['operator', 'admin']))
    throw new ForbiddenError('the operator or admin role is required');
}

/** Tenant lifecycle routes: platform operators only. */
export function requireOperator(context: RequestContext): void {
  if (!hasAnyRole(context, ['operator'])) throw new ForbiddenError('the operator role is required');
}

/** Operators assign any role anywhere; a tenant admin only tenant roles, only in their own tenant. */
function requireRoleAssigner(context: RequestContext, tenantId: string, roles: readonly Role[]): void {
  if (hasAnyRole(context, ['operator'])) return;
  if (!hasAnyRole(context, ['admin']) || context.tenantId !== tenantId)
    throw new ForbiddenError('only an operator or this tenant’s admin may assign its roles');
  if (roles.some((role) => !TENANT_ASSIGNABLE_ROLES.includes(role)))
    throw new ForbiddenError(`a tenant admin may assign only ${TENANT_ASSIGNABLE_ROLES.join(', ')}`);
}

/** The control API's routes over a runtime. */
export function controlRouter(
  runtime: Pick<ServiceRuntime, 'registry' | 'vectorIndex' | 'tenantTag'>,
): Router<RequestContext> {
  const tenantIdOf = (params: Readonly<Record<string, string>>) =>
    parsePathParameter('tenantId', params.tenantId, TenantIdSchema);
  return new Router<RequestContext>()
    .implement(control.onboardTenant, async ({ body: tenant, context }) => {
      requireOperator(context);
      const record = await onboardTenant(
        {
          registry: runtime.registry,
          createVectorIndex: async (tenantId, userId) => {
            const subject = { tenantId, userId, tenantTag: await runtime.tenantTag(tenantId) };
            await (await runtime.vectorIndex(subject)).createIndex();
          },
        },
        tenant,
        context.userId,
      );
      return jsonResponse(201, record);
    })
    .implement(control.getTenant, async ({ context, params }) => {
      requireOperator(context);
      const tenantId = tenantIdOf(params);
      const record = await runtime.registry.getTenant(tenantId);
      if (record === undefined) throw new TenantNotFoundError(tenantId);
      return jsonResponse(200, record);
    })
    .implement(control.suspendTenant, async ({ context, params }) => {
      requireOperator(context);
      return jsonResponse(200, await runtime.registry.setStatus(tenantIdOf(params), 'suspended'));
    })
    .implement(control.resumeTenant, async ({ context, params }) => {
      requireOperator(context);
      return jsonResponse(200, await runtime.registry.setStatus(tenantIdOf(params), 'active'));
    })
    .implement(control.assignRoles, async ({ body: { roles }, context, params }) => {
      const tenantId = tenantIdOf(params);
      const userId = parsePathParameter('userId', params.userId, UserIdSchema);
      requireRoleAssigner(context, tenantId, roles);
      const assignment = { tenantId, userId, roles: [...new Set(roles)] };
      await runtime.registry.setUserRoles(assignment);
      return jsonResponse(200, assignment);
    });
}

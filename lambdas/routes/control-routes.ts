/**
 * The platform-operator API (`/v1/admin/...`): tenant lifecycle and settings,
 * role assignment and the platform cost report. Each route's action in the
 * one authorization table decides who may call it: the `operator` role (which
 * only counts in the platform tenant), except role assignment, which a tenant
 * `admin` may also use — checked here — for their own tenant and tenant roles.
 */
import { RequestAudit } from '../audit/request-audit.js';
import { parsePathParameter } from '../http/body.js';
import { ForbiddenError } from '../http/errors.js';
import { createHttpHandler, deniedEvent, type HttpHandler } from '../http/http-handler.js';
import { jsonResponse } from '../http/response.js';
import { Router } from '../http/router.js';
import { readPlatformCosts } from '../metering/platform-costs.js';
import { readTenantCosts } from '../metering/tenant-costs.js';
import { monthOf } from '../metering/usage-keys.js';
import type { Logger } from '../observability/logger.js';
import { TenantNotFoundError } from '../registry/errors.js';
import { onboardTenant } from '../registry/onboarding.js';
import type { ServiceRuntime } from '../service-runtime.js';
import { TenantIdSchema, UserIdSchema } from '../tenancy/key-layout.js';
import { hasAnyRole, type RequestContext, type Role } from '../tenancy/request-context.js';
import * as control from './control-endpoints.js';

/** The roles a tenant admin may hand out inside their own tenant. */
const TENANT_ASSIGNABLE_ROLES: readonly Role[] = ['reader', 'analyst', 'admin'];

/** Operators assign any role anywhere; a tenant admin only tenant roles, only in their own tenant. */
function requireRoleAssigner(context: RequestContext, tenantId: string, roles: readonly Role[]): void {
  if (hasAnyRole(context, ['operator'])) return;
  if (!hasAnyRole(context, ['admin']) || context.tenantId !== tenantId)
    throw new ForbiddenError('only an operator or this tenant’s admin may assign its roles');
  if (roles.some((role) => !TENANT_ASSIGNABLE_ROLES.includes(role)))
    throw new ForbiddenError(`a tenant admin may assign only ${TENANT_ASSIGNABLE_ROLES.join(', ')}`);
}

export type ControlRuntime = Pick<
  ServiceRuntime,
  'registry' | 'table' | 'vectorIndex' | 'tenantTag' | 'auditTrail'
>;

/**
 * The audit of an admin action, in the TARGET tenant's trail (reached through
 * a session for that tenant), with the acting operator or admin as actor.
 * Admin actions fail closed: the record is written before the action.
 */
async function adminAudit(
  runtime: ControlRuntime,
  { context, logger }: { context: RequestContext; logger: Logger },
  tenantId: string,
): Promise<RequestAudit> {
  const tenantTag = await runtime.tenantTag(tenantId);
  const trail = await runtime.auditTrail({ tenantId, userId: context.userId, tenantTag });
  return new RequestAudit(trail, { ...context, tenantTag }, logger);
}

function adminAction(action: string, resource: string) {
  return { kind: 'admin_action', action: `admin.${action}`, resource } as const;
}

/** The control API's routes over a runtime. */
export function controlRouter(runtime: ControlRuntime): Router<RequestContext> {
  const tenantIdOf = (params: Readonly<Record<string, string>>) =>
    parsePathParameter('tenantId', params.tenantId, TenantIdSchema);
  return new Router<RequestContext>()
    .implement(control.onboardTenant, async (request) => {
      const { body: tenant, context } = request;
      const audit = await adminAudit(runtime, request, tenant.tenantId);
      const record = await audit.write(adminAction('onboard', `tenant/${tenant.tenantId}`), () =>
        onboardTenant(
          {
            registry: runtime.registry,
            createVectorIndex: async (tenantId, userId) => {
              const subject = { tenantId, userId, tenantTag: await runtime.tenantTag(tenantId) };
              await (await runtime.vectorIndex(subject)).createIndex();
            },
          },
          tenant,
          context.userId,
        ),
      );
      return jsonResponse(201, record);
    })
    .implement(control.getTenant, async ({ params }) => {
      const tenantId = tenantIdOf(params);
      const record = await runtime.registry.getTenant(tenantId);
      if (record === undefined) throw new TenantNotFoundError(tenantId);
      return jsonResponse(200, record);
    })
    .implement(control.updateTenant, async (request) => {
      const tenantId = tenantIdOf(request.params);
      const audit = await adminAudit(runtime, request, tenantId);
      return jsonResponse(
        200,
        await audit.write(adminAction('update_settings', `tenant/${tenantId}`), () =>
          runtime.registry.updateSettings(tenantId, request.body),
        ),
      );
    })
    .implement(control.suspendTenant, async (request) => {
      const tenantId = tenantIdOf(request.params);
      const audit = await adminAudit(runtime, request, tenantId);
      return jsonResponse(
        200,
        await audit.write(adminAction('suspend', `tenant/${tenantId}`), () =>
          runtime.registry.setStatus(tenantId, 'suspended'),
        ),
      );
    })
    .implement(control.resumeTenant, async (request) => {
      const tenantId = tenantIdOf(request.params);
      const audit = await adminAudit(runtime, request, tenantId);
      return jsonResponse(
        200,
        await audit.write(adminAction('resume', `tenant/${tenantId}`), () =>
          runtime.registry.setStatus(tenantId, 'active'),
        ),
      );
    })
    .implement(control.assignRoles, async (request) => {
      const { body, context, params } = request;
      const tenantId = tenantIdOf(params);
      const userId = parsePathParameter('userId', params.userId, UserIdSchema);
      requireRoleAssigner(context, tenantId, body.roles);
      const assignment = { tenantId, userId, roles: [...new Set(body.roles)] };
      const audit = await adminAudit(runtime, request, tenantId);
      await audit.write(adminAction('set_roles', `user/${userId}`), () =>
        runtime.registry.setUserRoles(assignment),
      );
      return jsonResponse(200, assignment);
    })
    .implement(control.getPlatformCosts, async ({ context, query }) => {
      const month = query.month ?? monthOf(new Date());
      const tenants = await runtime.registry.listTenants();
      // Each tenant's aggregates through a session for THAT tenant, with the operator as the session's user.
      const costs = await readPlatformCosts(month, tenants, async (tenantId, forMonth) => {
        const subject = { tenantId, userId: context.userId, tenantTag: await runtime.tenantTag(tenantId) };
        return readTenantCosts(await runtime.table(subject), forMonth);
      });
      return jsonResponse(200, costs);
    });
}

/** The control function: its routes, access gate, telemetry and denial audit (no rate limits). */
export function createControlHandler(
  runtime: ControlRuntime & Pick<ServiceRuntime, 'resolveContext' | 'telemetry' | 'idempotencyStore'>,
  options: { logger?: Logger } = {},
): HttpHandler {
  return createHttpHandler({
    router: controlRouter(runtime),
    resolveContext: (event) => runtime.resolveContext(event),
    idempotencyStore: (context) => runtime.idempotencyStore(context),
    telemetry: runtime.telemetry,
    auditDenial: async ({ context, logger }, event) =>
      new RequestAudit(await runtime.auditTrail(context), context, logger).note(deniedEvent(event)),
    ...options,
  });
}

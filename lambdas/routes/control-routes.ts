/**
 * The platform-operator API (`/v1/admin/...`): tenant lifecycle and settings, role assignment,
 * user erasure and export, and the platform cost report — and, without a token, the whole API's
 * OpenAPI document (`/v1/openapi.json`), which both the pool and the silo API route here. Each route's action in the one
 * authorization table decides who may call it: the `operator` role (which only counts in the
 * platform tenant), except role assignment and user erasure and export, which a tenant `admin`
 * may also use for their own tenant only (the pipeline authorizes on the path's tenant) — and
 * role assignment for tenant roles only (checked here).
 */
import { ModelNotAllowedError } from '../agent/errors.js';
import { RequestAudit } from '../audit/request-audit.js';
import { parsePathParameter } from '../http/body.js';
import { ForbiddenError } from '../http/errors.js';
import {
  createHttpHandler,
  deniedEvent,
  type HttpHandler,
  type HttpHandlerOptions,
} from '../http/http-handler.js';
import { requestedApiUrl } from '../http/requested-api-url.js';
import { jsonResponse } from '../http/response.js';
import { Router } from '../http/router.js';
import { FirstAdminNotSupportedError } from '../identity/errors.js';
import type { TenantAdmins } from '../identity/tenant-admins.js';
import { readPlatformCosts } from '../metering/platform-costs.js';
import { readTenantCosts } from '../metering/tenant-costs.js';
import { monthOf } from '../metering/usage-keys.js';
import type { Logger } from '../observability/logger.js';
import { moveForTier } from '../placement/moves.js';
import { ErasureReceiptBodySchema, SignedErasureReceiptSchema } from '../privacy/tenant-erasure.js';
import { membersOf } from '../privacy/tenant-members.js';
import { eraseUser, monthsBetween } from '../privacy/user-erasure.js';
import { exportUserData } from '../privacy/user-export.js';
import { ErasureReceiptNotFoundError, TenantMovingError, TenantNotFoundError } from '../registry/errors.js';
import { onboardTenant } from '../registry/onboarding.js';
import { isHeld, placementOf, type TenantRecord } from '../registry/tenant-record.js';
import { tenantUsers } from '../registry/tenant-users.js';
import type { ServiceRuntime } from '../service-runtime.js';
import { TenantIdSchema, UserIdSchema } from '../tenancy/key-layout.js';
import {
  hasAnyRole,
  PLATFORM_TENANT_ID,
  type RequestContext,
  type Role,
  requestContext,
} from '../tenancy/request-context.js';
import { apiDocument, getOpenApi } from './api-document.js';
import * as control from './control-endpoints.js';
import { pageAfterKey, pageOf } from './paging.js';
import { type RequestScope, userDataSourcesFor, type WorkspaceRuntime } from './workspace.js';

/** Tenants, or a tenant's users, per page when the caller names no limit. */
const DEFAULT_TENANT_PAGE = 50;
const DEFAULT_USER_PAGE = 50;

/** The roles a tenant admin may hand out inside their own tenant. */
const TENANT_ASSIGNABLE_ROLES: readonly Role[] = ['reader', 'analyst', 'admin'];

/** A tenant admin hands out tenant roles only (an operator any role). */
function requireAssignable(context: RequestContext, roles: readonly Role[]): void {
  if (hasAnyRole(context, ['operator'])) return;
  if (roles.some((role) => !TENANT_ASSIGNABLE_ROLES.includes(role)))
    throw new ForbiddenError(`a tenant admin may assign only ${TENANT_ASSIGNABLE_ROLES.join(', ')}`);
}

export type ControlRuntime = WorkspaceRuntime &
  Pick<
    ServiceRuntime,
    | 'config'
    | 'registry'
    | 'offboarding'
    | 'table'
    | 'vectorIndex'
    | 'tenantTag'
    | 'auditTrail'
    | 'objectVersions'
  >;

/**
 * A request scope AS another user of a tenant (the erased or exported one): their data is
 * reached through a tenant session tagged with them, as their own requests reach it.
 */
async function scopeOfUser(
  runtime: ControlRuntime,
  request: RequestScope,
  tenant: TenantRecord,
  userId: string,
): Promise<RequestScope> {
  const context = requestContext({
    tenantId: tenant.tenantId,
    userId,
    roles: ['reader'],
    tier: tenant.tier,
    requestId: request.context.requestId,
    tenantTag: await runtime.tenantTag(tenant.tenantId),
  });
  return { context, logger: request.logger, event: request.event };
}

/**
 * The audit of an admin action, in the TARGET tenant's trail (reached through a session for that
 * tenant), with the acting operator or admin as actor — or, for a tenant that does not exist or
 * whose erasure has begun, the platform tenant's trail, so nothing is written into a tenant that
 * is gone. Admin actions fail closed: the record is written before the action.
 */
async function adminAudit(
  runtime: ControlRuntime,
  { context, logger }: { context: RequestContext; logger: Logger },
  tenantId: string,
  options: { onboarding?: boolean } = {},
): Promise<RequestAudit> {
  // A tenant that does not exist (or is being erased) gets no trail written: the operator's own does.
  const target = options.onboarding ? undefined : await runtime.registry.getTenant(tenantId);
  // A tenant whose data is being copied takes no writes, admin actions included: they wait.
  if (target !== undefined && isHeld(target)) throw new TenantMovingError();
  const trailOf =
    options.onboarding || (target !== undefined && target.erasureStartedAt === undefined)
      ? tenantId
      : PLATFORM_TENANT_ID;
  const tenantTag = await runtime.tenantTag(trailOf);
  return new RequestAudit(
    () => runtime.auditTrail({ tenantId: trailOf, userId: context.userId, tenantTag }),
    { ...context, tenantTag },
    logger,
  );
}

function adminAction(action: string, resource: string) {
  return { kind: 'admin_action', action: `admin.${action}`, resource } as const;
}

export interface ControlRouterOptions {
  /** Where tenants' first admins are created (the Cognito pool); none with an external IdP. */
  readonly tenantAdmins?: TenantAdmins;
}

/** The control API's routes over a runtime. */
export function controlRouter(
  runtime: ControlRuntime,
  options: ControlRouterOptions = {},
): Router<RequestContext> {
  const tenantIdOf = (params: Readonly<Record<string, string>>) =>
    parsePathParameter('tenantId', params.tenantId, TenantIdSchema);
  /** The tenant and user a user route names (the pipeline has authorized the caller on that tenant). */
  const userTarget = async (request: RequestScope & { params: Readonly<Record<string, string>> }) => {
    const tenantId = tenantIdOf(request.params);
    const userId = parsePathParameter('userId', request.params.userId, UserIdSchema);
    const tenant = await runtime.registry.getTenant(tenantId);
    if (tenant === undefined) throw new TenantNotFoundError(tenantId);
    return { tenant, userId, scope: await scopeOfUser(runtime, request, tenant, userId) };
  };
  /** A tenant's model must be a chat model the deployment grants (and so prices): refused before any write. */
  const assertGrantedModel = (modelId: string | undefined): void => {
    const { chatModels } = runtime.config.models;
    if (modelId !== undefined && !chatModels.includes(modelId)) throw new ModelNotAllowedError(chatModels);
  };
  return new Router<RequestContext>()
    .implement(control.onboardTenant, async (request) => {
      const { body, context } = request;
      assertGrantedModel(body.modelId);
      const { admin, ...fields } = body;
      // Refused (422) before anything is written when the tier lives in silos and the id cannot have one.
      const move = moveForTier(runtime.config, fields.tenantId, 'pool', fields.tier, new Date());
      const tenant = move === undefined ? fields : { ...fields, move };
      // The first admin: refused before anything is written when it cannot be created.
      const { tenantAdmins } = options;
      if (admin !== undefined && tenantAdmins === undefined)
        throw new FirstAdminNotSupportedError(runtime.config.claims, tenant.tenantId);
      if (admin !== undefined) await tenantAdmins?.assertAvailable(tenant.tenantId, admin.email);
      const indexOf = async (tenantId: string, userId: string) =>
        runtime.vectorIndex({ tenantId, userId, tenantTag: await runtime.tenantTag(tenantId) });
      const audit = await adminAudit(runtime, request, tenant.tenantId, { onboarding: true });
      const record = await audit.write(adminAction('onboard', `tenant/${tenant.tenantId}`), () =>
        onboardTenant(
          {
            registry: runtime.registry,
            logger: request.logger,
            createVectorIndex: async (tenantId, userId) => {
              await (await indexOf(tenantId, userId)).createIndex();
            },
            deleteVectorIndex: async (tenantId, userId) => {
              await (await indexOf(tenantId, userId)).deleteIndex();
            },
            ...(admin === undefined || tenantAdmins === undefined
              ? {}
              : { createFirstAdmin: (tenantId: string) => tenantAdmins.createAdmin(tenantId, admin.email) }),
          },
          tenant,
          context.userId,
        ),
      );
      return jsonResponse(201, record);
    })
    .implement(control.listTenants, async (request) => {
      const { tier, status } = request.query;
      const page = await pageOf(runtime, request, control.listTenants, `${tier ?? ''}|${status ?? ''}`);
      const matching = (await runtime.registry.listTenants())
        .filter(
          (tenant) =>
            (tier === undefined || tenant.tier === tier) &&
            (status === undefined || tenant.status === status),
        )
        .sort((a, b) => (a.tenantId < b.tenantId ? -1 : 1));
      const { items: tenants, ...next } = pageAfterKey(matching, (tenant) => tenant.tenantId, {
        after: page.query.cursor,
        limit: page.query.limit ?? DEFAULT_TENANT_PAGE,
      });
      return jsonResponse(200, page.sealed({ tenants, ...next }));
    })
    .implement(control.getTenant, async ({ params }) => {
      const tenantId = tenantIdOf(params);
      const record = await runtime.registry.getTenant(tenantId);
      if (record === undefined) throw new TenantNotFoundError(tenantId);
      return jsonResponse(200, record);
    })
    .implement(control.updateTenant, async (request) => {
      const tenantId = tenantIdOf(request.params);
      const { tier, ...settings } = request.body;
      assertGrantedModel(settings.modelId);
      const audit = await adminAudit(runtime, request, tenantId);
      const action = tier === undefined ? 'update_settings' : 'change_tier';
      return jsonResponse(
        200,
        await audit.write(adminAction(action, `tenant/${tenantId}`), async () => {
          if (tier === undefined) return runtime.registry.updateSettings(tenantId, settings);
          const tenant = await runtime.registry.getTenant(tenantId);
          if (tenant === undefined) throw new TenantNotFoundError(tenantId);
          const move = moveForTier(runtime.config, tenantId, placementOf(tenant), tier, new Date());
          // One write: the tier, its move and the settings land together or not at all.
          return runtime.registry.changeTier(tenantId, tier, move, settings);
        }),
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
      requireAssignable(context, body.roles);
      const assignment = { tenantId, userId, roles: [...new Set(body.roles)] };
      const audit = await adminAudit(runtime, request, tenantId);
      await audit.write(adminAction('set_roles', `user/${userId}`), () =>
        runtime.registry.setUserRoles(assignment),
      );
      return jsonResponse(200, assignment);
    })
    .implement(control.listTenantUsers, async (request) => {
      const tenantId = tenantIdOf(request.params);
      if ((await runtime.registry.getTenant(tenantId)) === undefined) throw new TenantNotFoundError(tenantId);
      const page = await pageOf(runtime, request, control.listTenantUsers, tenantId);
      // The member directory through a session for THAT tenant, with the caller as the session's user.
      const subject = {
        tenantId,
        userId: request.context.userId,
        tenantTag: await runtime.tenantTag(tenantId),
      };
      const [members, assignments] = await Promise.all([
        runtime.table(subject).then(membersOf),
        runtime.registry.listUserRoles(tenantId),
      ]);
      const { items: users, ...next } = pageAfterKey(
        tenantUsers(members.userIds, assignments),
        (user) => user.userId,
        { after: page.query.cursor, limit: page.query.limit ?? DEFAULT_USER_PAGE },
      );
      return jsonResponse(200, page.sealed({ users, ...next }));
    })
    .implement(control.eraseUser, async (request) => {
      const { tenant, userId, scope } = await userTarget(request);
      const { tenantId } = tenant;
      const pseudonym = await runtime.actorTag(scope.context);
      const [table, vectors, objects, audit] = await Promise.all([
        runtime.table(scope.context),
        runtime.vectorIndex(scope.context),
        runtime.objectVersions(scope.context),
        adminAudit(runtime, request, tenantId),
      ]);
      const months = monthsBetween(new Date(tenant.createdAt), new Date());
      // The trail names the erased user by their pseudonym only.
      const receipt = await audit.write(adminAction('erase_user', `user/${pseudonym}`), () =>
        eraseUser(
          { tenantId, userId, pseudonym, months },
          {
            table,
            vectors,
            objects,
            removeRoles: () => runtime.registry.removeUserRoles(tenantId, userId),
          },
        ),
      );
      return jsonResponse(200, receipt);
    })
    .implement(control.exportUser, async (request) => {
      const { scope } = await userTarget(request);
      return jsonResponse(200, await exportUserData(scope.context, await userDataSourcesFor(runtime, scope)));
    })
    .implement(control.offboardTenant, async (request) => {
      const tenantId = tenantIdOf(request.params);
      const now = new Date();
      const graceDays = request.body.graceDays ?? control.DEFAULT_OFFBOARDING_GRACE_DAYS;
      const settleMs = runtime.config.registrySettleSeconds * 1000;
      const eraseAfter = new Date(now.getTime() + graceDays * 86_400_000 + settleMs);
      const audit = await adminAudit(runtime, request, tenantId);
      return jsonResponse(
        200,
        await audit.write(adminAction('offboard', `tenant/${tenantId}`), () =>
          runtime.offboarding.start(tenantId, now, eraseAfter),
        ),
      );
    })
    .implement(control.cancelOffboarding, async (request) => {
      const tenantId = tenantIdOf(request.params);
      const audit = await adminAudit(runtime, request, tenantId);
      return jsonResponse(
        200,
        await audit.write(adminAction('cancel_offboard', `tenant/${tenantId}`), () =>
          runtime.offboarding.cancel(tenantId, new Date()),
        ),
      );
    })
    .implement(control.getErasureReceipt, async ({ params }) => {
      const tenantId = tenantIdOf(params);
      const signed = await runtime.offboarding.receipt(tenantId, SignedErasureReceiptSchema);
      if (signed === undefined) throw new ErasureReceiptNotFoundError(tenantId);
      return jsonResponse(200, { receipt: ErasureReceiptBodySchema.parse(JSON.parse(signed.body)), signed });
    })
    .implement(control.getPlatformCosts, async ({ context, query }) => {
      const month = query.month ?? monthOf(new Date());
      const tenants = await runtime.registry.listTenants();
      // Each tenant's aggregates through a session for THAT tenant, with the operator as the session's user.
      const costs = await readPlatformCosts(month, tenants, async (tenantId, forMonth) => {
        const subject = { tenantId, userId: context.userId, tenantTag: await runtime.tenantTag(tenantId) };
        return readTenantCosts(await runtime.table(subject), forMonth, runtime.config.models.prices.version);
      });
      return jsonResponse(200, costs);
    })
    .implementPublic(getOpenApi, async ({ event }) => jsonResponse(200, apiDocument(requestedApiUrl(event))));
}

/** The control function: its routes, access gate, telemetry and denial audit (no rate limits). */
export function createControlHandler(
  runtime: ControlRuntime & Pick<ServiceRuntime, 'resolveContext' | 'telemetry' | 'idempotencyStore'>,
  options: Pick<HttpHandlerOptions, 'logger' | 'corsOrigins'> & ControlRouterOptions = {},
): HttpHandler {
  const { tenantAdmins, ...pipelineOptions } = options;
  return createHttpHandler({
    router: controlRouter(runtime, tenantAdmins === undefined ? {} : { tenantAdmins }),
    resolveContext: (event) => runtime.resolveContext(event),
    idempotencyStore: (context) => runtime.idempotencyStore(context),
    telemetry: runtime.telemetry,
    auditDenial: async ({ context, logger }, event) =>
      new RequestAudit(() => runtime.auditTrail(context), context, logger).note(deniedEvent(event)),
    ...pipelineOptions,
  });
}

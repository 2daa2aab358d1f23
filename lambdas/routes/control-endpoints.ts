/** The control API's endpoint declarations (`/v1/admin/...`), served by the control function. */
import * as z from 'zod';
import { endpoint, NO_BODY, NO_QUERY, PageQuerySchema } from '../http/endpoint.js';
import { PlatformCostsSchema } from '../metering/platform-costs.js';
import { MonthSchema } from '../metering/tenant-costs.js';
import { RetentionOverridesSchema } from '../privacy/retention.js';
import { ErasureReceiptBodySchema, SignedErasureReceiptSchema } from '../privacy/tenant-erasure.js';
import { UserErasureReceiptSchema } from '../privacy/user-erasure.js';
import { UserExportSchema } from '../privacy/user-export.js';
import {
  RateLimitOverridesSchema,
  RoleAssignmentSchema,
  TenantNameSchema,
  TenantRecordSchema,
  TenantSettingsSchema,
  TenantStatusSchema,
} from '../registry/tenant-record.js';
import { TenantUserSchema } from '../registry/tenant-users.js';
import { TenantIdSchema, UserIdSchema } from '../tenancy/key-layout.js';
import { ROLES, RoleSchema, TierSchema } from '../tenancy/request-context.js';

/** Settings as a request sets them: unknown fields are refused rather than ignored. */
const TenantSettingsBodySchema = TenantSettingsSchema.extend({
  rateLimits: RateLimitOverridesSchema.strict().optional(),
  retention: RetentionOverridesSchema.strict().optional(),
}).strict();

const OPERATOR_ONLY = { 403: 'forbidden: the operator role is required' } as const;

export const onboardTenant = endpoint({
  operationId: 'onboardTenant',
  method: 'POST',
  path: '/v1/admin/tenants',
  action: 'tenants.manage',
  tag: 'Tenants',
  summary: 'Onboard a tenant',
  description:
    'Onboard a tenant, optionally with its own budgets, rate limits, model and retention, and its first admin (operator)',
  body: z
    .object({
      tenantId: TenantIdSchema,
      name: TenantNameSchema,
      tier: TierSchema,
      ...TenantSettingsBodySchema.shape,
      /**
       * The tenant's first admin, created in the Cognito user pool (invited by e-mail, in the
       * admin group). Refused when users live in an external IdP. Not stored in the record. The
       * address is the Cognito username: at most 128 characters (Cognito's limit), lowercased
       * (an overwrite, so the OpenAPI document still describes it) so one mailbox is one user.
       */
      admin: z
        .object({ email: z.email().max(128).toLowerCase() })
        .strict()
        .optional(),
    })
    .strict(),
  query: NO_QUERY,
  errors: {
    400: 'bad_request: a field is missing, unknown or out of range',
    ...OPERATOR_ONLY,
    409: 'tenant_exists: a tenant with this id exists; tenant_id_retired: the id belonged to an erased tenant and is never reused; user_exists: the admin e-mail belongs to another tenant',
    422: 'silo_not_possible: the tier lives in silos and the tenant id is too long for a silo; model_not_allowed: the model is not one of the chat models the deployment grants; first_admin_not_supported: users live in an external IdP (create the admin there)',
  },
  responses: {
    201: {
      description:
        'The tenant record. A tenant of a silo tier starts in the pool with `move` under way to its silo.',
      schema: TenantRecordSchema,
    },
  },
});

export const updateTenant = endpoint({
  operationId: 'updateTenant',
  method: 'PATCH',
  path: '/v1/admin/tenants/{tenantId}',
  action: 'tenants.manage',
  tag: 'Tenants',
  summary: 'Change a tenant’s settings',
  description:
    'Set a tenant’s tier, budgets, rate limits, model or retention (operator); each given field replaces the stored one. Functions see the change within the registry cache’s 15 s. A tier that lives elsewhere (pool or silo) starts a move.',
  pathParameters: { tenantId: TenantIdSchema },
  body: TenantSettingsBodySchema.extend({ tier: TierSchema.optional() })
    .strict()
    .refine(
      (settings) => Object.values(settings).some((value) => value !== undefined),
      'set at least one of tier, monthlyBudgetUsd, monthlyTokenBudget, rateLimits, modelId, retention',
    ),
  query: NO_QUERY,
  errors: {
    400: 'bad_request: no setting given, or a setting out of range',
    ...OPERATOR_ONLY,
    404: 'tenant_not_found: no such tenant',
    409: 'move_in_progress: the tenant is moving between pool and silo; change its tier when the move ends',
    422: 'silo_not_possible | model_not_allowed: the new tier lives in silos and the tenant id is too long for a silo, or the model is not one of the chat models the deployment grants',
  },
  responses: { 200: { description: 'The updated tenant record', schema: TenantRecordSchema } },
});

export const getPlatformCosts = endpoint({
  operationId: 'getPlatformCosts',
  method: 'GET',
  path: '/v1/admin/costs',
  action: 'platform.costs.read',
  tag: 'Platform costs',
  summary: 'Read every tenant’s costs',
  description: 'Every tenant’s model costs for a month, read through each tenant’s own session (operator)',
  body: NO_BODY,
  query: z
    .object({ month: MonthSchema.optional().describe('YYYY-MM (UTC); default: the current month') })
    .strict(),
  errors: { 400: 'bad_request: month is not YYYY-MM', ...OPERATOR_ONLY },
  responses: { 200: { description: 'Tenants, most expensive first', schema: PlatformCostsSchema } },
});

export const listTenants = endpoint({
  operationId: 'listTenants',
  method: 'GET',
  path: '/v1/admin/tenants',
  action: 'tenants.manage',
  tag: 'Tenants',
  summary: 'List tenants',
  description:
    'List tenants by id, optionally of one tier or status, with placement and any move under way (operator)',
  body: NO_BODY,
  query: PageQuerySchema.extend({
    tier: TierSchema.optional(),
    status: TenantStatusSchema.optional(),
  }).strict(),
  errors: { 400: 'bad_request: an unknown filter or a bad cursor', ...OPERATOR_ONLY },
  responses: {
    200: {
      description: 'One page',
      schema: z.object({
        tenants: z.array(TenantRecordSchema),
        cursor: z.string().optional().describe('Pass back to get the next page; absent on the last page'),
      }),
    },
  },
});

export const getTenant = endpoint({
  operationId: 'getTenant',
  method: 'GET',
  path: '/v1/admin/tenants/{tenantId}',
  action: 'tenants.manage',
  tag: 'Tenants',
  summary: 'Read a tenant',
  description: 'Read a tenant record (operator)',
  pathParameters: { tenantId: TenantIdSchema },
  body: NO_BODY,
  query: NO_QUERY,
  errors: { 404: 'tenant_not_found: no such tenant' },
  responses: { 200: { description: 'The tenant record', schema: TenantRecordSchema } },
});

export const suspendTenant = endpoint({
  operationId: 'suspendTenant',
  method: 'POST',
  path: '/v1/admin/tenants/{tenantId}/suspend',
  action: 'tenants.manage',
  tag: 'Tenants',
  summary: 'Suspend a tenant',
  description: 'Suspend a tenant (operator)',
  pathParameters: { tenantId: TenantIdSchema },
  body: NO_BODY,
  query: NO_QUERY,
  errors: {
    409: 'tenant_offboarding: cancel-offboard restores an offboarding tenant',
    404: 'tenant_not_found: no such tenant',
  },
  responses: { 200: { description: 'The tenant record', schema: TenantRecordSchema } },
});

export const resumeTenant = endpoint({
  operationId: 'resumeTenant',
  method: 'POST',
  path: '/v1/admin/tenants/{tenantId}/resume',
  action: 'tenants.manage',
  tag: 'Tenants',
  summary: 'Resume a tenant',
  description: 'Resume a suspended tenant (operator)',
  pathParameters: { tenantId: TenantIdSchema },
  body: NO_BODY,
  query: NO_QUERY,
  errors: {
    409: 'tenant_offboarding: cancel-offboard restores an offboarding tenant',
    404: 'tenant_not_found: no such tenant',
  },
  responses: { 200: { description: 'The tenant record', schema: TenantRecordSchema } },
});

export const assignRoles = endpoint({
  operationId: 'assignRoles',
  method: 'PUT',
  path: '/v1/admin/tenants/{tenantId}/users/{userId}/roles',
  action: 'roles.assign',
  tag: 'Users',
  summary: 'Assign a user’s roles',
  description: 'Assign a user’s roles (operator; or the tenant’s admin, tenant roles only)',
  pathParameters: { tenantId: TenantIdSchema, userId: UserIdSchema },
  body: z.object({ roles: z.array(RoleSchema).max(ROLES.length) }).strict(),
  query: NO_QUERY,
  responses: { 200: { description: 'The assignment', schema: RoleAssignmentSchema } },
});

export const listTenantUsers = endpoint({
  operationId: 'listTenantUsers',
  method: 'GET',
  path: '/v1/admin/tenants/{tenantId}/users',
  action: 'users.list',
  tag: 'Users',
  summary: 'List a tenant’s users and roles',
  description:
    'A tenant’s users by id: everyone who has used the tenant (its member directory) and everyone with a role assignment, with the assigned roles (operator; or the tenant’s admin)',
  pathParameters: { tenantId: TenantIdSchema },
  body: NO_BODY,
  query: PageQuerySchema,
  errors: {
    400: 'invalid_cursor: the cursor was not issued for this tenant and caller (or bad_request for another malformed parameter)',
    403: 'forbidden: an operator, or this tenant’s admin, is required',
    404: 'tenant_not_found: no such tenant',
  },
  responses: {
    200: {
      description: 'One page',
      schema: z.object({
        users: z.array(TenantUserSchema),
        cursor: z.string().optional().describe('Pass back to get the next page; absent on the last page'),
      }),
    },
  },
});

/** The grace period before an offboarded tenant is erased, unless an operator names another. */
export const DEFAULT_OFFBOARDING_GRACE_DAYS = 30;

export const offboardTenant = endpoint({
  operationId: 'offboardTenant',
  method: 'POST',
  path: '/v1/admin/tenants/{tenantId}/offboard',
  action: 'tenants.manage',
  tag: 'Tenants',
  summary: 'Offboard a tenant',
  description:
    'Offboard a tenant: refused at once on every route, erased (every item, object version, index, secret, its registry record) once the grace period ends, with a signed erasure receipt (operator). Offboarding twice changes nothing',
  pathParameters: { tenantId: TenantIdSchema },
  body: z
    .object({
      graceDays: z
        .number()
        .int()
        .min(0)
        .max(365)
        .optional()
        .describe(`Days before erasure; default ${DEFAULT_OFFBOARDING_GRACE_DAYS}`),
    })
    .strict(),
  query: NO_QUERY,
  errors: { 404: 'tenant_not_found', ...OPERATOR_ONLY },
  responses: { 200: { description: 'The tenant record, status `offboarding`', schema: TenantRecordSchema } },
});

export const cancelOffboarding = endpoint({
  operationId: 'cancelOffboarding',
  method: 'POST',
  path: '/v1/admin/tenants/{tenantId}/cancel-offboard',
  action: 'tenants.manage',
  tag: 'Tenants',
  summary: 'Cancel an offboarding',
  description: 'Restore an offboarding tenant within its grace period, before its erasure begins (operator)',
  pathParameters: { tenantId: TenantIdSchema },
  body: NO_BODY,
  query: NO_QUERY,
  errors: { 404: 'tenant_not_found', 409: 'offboarding_not_cancellable', ...OPERATOR_ONLY },
  responses: { 200: { description: 'The tenant record, status `active`', schema: TenantRecordSchema } },
});

export const getErasureReceipt = endpoint({
  operationId: 'getErasureReceipt',
  method: 'GET',
  path: '/v1/admin/tenants/{tenantId}/erasure-receipt',
  action: 'tenants.manage',
  tag: 'Tenants',
  summary: 'Read an erasure receipt',
  description:
    'The signed receipt of an erased tenant: counts per kind, start and end, the final cost statement; signed with the audit digest key (operator)',
  pathParameters: { tenantId: TenantIdSchema },
  body: NO_BODY,
  query: NO_QUERY,
  errors: { 404: 'erasure_receipt_not_found', ...OPERATOR_ONLY },
  responses: {
    200: {
      description: 'The receipt, and the signed text it was read from',
      schema: z.object({ receipt: ErasureReceiptBodySchema, signed: SignedErasureReceiptSchema }),
    },
  },
});

const USER_ADMIN_ONLY = { 403: 'forbidden: an operator, or this tenant’s admin, is required' } as const;

export const eraseUser = endpoint({
  operationId: 'eraseUser',
  method: 'DELETE',
  path: '/v1/admin/tenants/{tenantId}/users/{userId}',
  action: 'users.erase',
  tag: 'Users',
  summary: 'Erase a user',
  description:
    'Erase a user (GDPR article 17): private items, chat history, memory, documents with every object version, vectors, connections, approvals and role assignment; usage keeps its cost under a pseudonym (operator; or the tenant’s admin). Idempotent: a rerun finds nothing and counts 0',
  pathParameters: { tenantId: TenantIdSchema, userId: UserIdSchema },
  body: NO_BODY,
  query: NO_QUERY,
  errors: { ...USER_ADMIN_ONLY, 404: 'tenant_not_found: no such tenant' },
  responses: { 200: { description: 'The erasure receipt', schema: UserErasureReceiptSchema } },
});

export const exportUser = endpoint({
  operationId: 'exportUser',
  method: 'GET',
  path: '/v1/admin/tenants/{tenantId}/users/{userId}/export',
  action: 'users.export',
  tag: 'Users',
  summary: 'Export a user’s data',
  description:
    'Everything the platform keeps of a user, as one JSON document (GDPR article 20) (operator; or the tenant’s admin)',
  pathParameters: { tenantId: TenantIdSchema, userId: UserIdSchema },
  body: NO_BODY,
  query: NO_QUERY,
  errors: { ...USER_ADMIN_ONLY, 404: 'tenant_not_found: no such tenant' },
  responses: { 200: { description: 'The export', schema: UserExportSchema } },
});

/** The endpoints the control function serves (the router registers exactly these). */
export const CONTROL_ENDPOINTS = [
  onboardTenant,
  listTenants,
  getTenant,
  updateTenant,
  suspendTenant,
  resumeTenant,
  assignRoles,
  listTenantUsers,
  eraseUser,
  exportUser,
  offboardTenant,
  cancelOffboarding,
  getErasureReceipt,
  getPlatformCosts,
];

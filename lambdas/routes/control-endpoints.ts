/** The control API's endpoint declarations (`/v1/admin/...`), served by the control function. */
import { z } from 'zod';
import { endpoint, NO_BODY, NO_QUERY } from '../http/endpoint.js';
import { RoleAssignmentSchema, TenantNameSchema, TenantRecordSchema } from '../registry/tenant-record.js';
import { TenantIdSchema } from '../tenancy/key-layout.js';
import { ROLES, RoleSchema, TierSchema } from '../tenancy/request-context.js';

export const onboardTenant = endpoint({
  method: 'POST',
  path: '/v1/admin/tenants',
  summary: 'Onboard a tenant (operator)',
  body: z.object({ tenantId: TenantIdSchema, name: TenantNameSchema, tier: TierSchema }).strict(),
  query: NO_QUERY,
  responses: { 201: { description: 'The tenant record', schema: TenantRecordSchema } },
});

export const getTenant = endpoint({
  method: 'GET',
  path: '/v1/admin/tenants/{tenantId}',
  summary: 'Read a tenant record (operator)',
  body: NO_BODY,
  query: NO_QUERY,
  responses: { 200: { description: 'The tenant record', schema: TenantRecordSchema } },
});

export const suspendTenant = endpoint({
  method: 'POST',
  path: '/v1/admin/tenants/{tenantId}/suspend',
  summary: 'Suspend a tenant (operator)',
  body: NO_BODY,
  query: NO_QUERY,
  responses: { 200: { description: 'The tenant record', schema: TenantRecordSchema } },
});

export const resumeTenant = endpoint({
  method: 'POST',
  path: '/v1/admin/tenants/{tenantId}/resume',
  summary: 'Resume a suspended tenant (operator)',
  body: NO_BODY,
  query: NO_QUERY,
  responses: { 200: { description: 'The tenant record', schema: TenantRecordSchema } },
});

export const assignRoles = endpoint({
  method: 'PUT',
  path: '/v1/admin/tenants/{tenantId}/users/{userId}/roles',
  summary: 'Assign a user’s roles (operator; or the tenant’s admin, tenant roles only)',
  body: z.object({ roles: z.array(RoleSchema).max(ROLES.length) }).strict(),
  query: NO_QUERY,
  responses: { 200: { description: 'The assignment', schema: RoleAssignmentSchema } },
});

/** The endpoints the control function serves (the router registers exactly these). */
export const CONTROL_ENDPOINTS = [onboardTenant, getTenant, suspendTenant, resumeTenant, assignRoles];

/** The roles a tenant admin gives out: to users, and to the tools of connectors and the agent. */
import type { Schemas } from '@bulkhead/client';
import { allKeys } from './all-keys.js';

export type TenantRole = Schemas['NewConnector']['tools'][number]['roles'][number];

/** In the order forms list them. */
export const TENANT_ROLES = allKeys<TenantRole>({ reader: 0, analyst: 0, admin: 0 });

/** The tenant roles among `roles` (a view may carry `operator`, which no tenant form may send). */
export const tenantRolesOf = (roles: readonly string[]): TenantRole[] =>
  TENANT_ROLES.filter((role) => roles.includes(role));

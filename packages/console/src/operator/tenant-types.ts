/** The tenant record as the API answers it, and the values its tier and status take. */
import type { Schemas } from '@bulkhead/client';

export type TenantRecord = Schemas['TenantRecord'];
export type Tier = TenantRecord['tier'];
export type TenantStatus = TenantRecord['status'];

export const TIERS: readonly Tier[] = ['basic', 'premium', 'enterprise'];
export const STATUSES: readonly TenantStatus[] = ['active', 'suspended', 'offboarding'];

/** A select's value as a tier, or undefined (the "all" option). */
export const tierOf = (value: string): Tier | undefined => TIERS.find((tier) => tier === value);
/** A select's value as a status, or undefined (the "all" option). */
export const statusOf = (value: string): TenantStatus | undefined =>
  STATUSES.find((status) => status === value);

/** A tenant's page in the console. */
export const tenantHref = (tenantId: string): string =>
  `${import.meta.env.BASE_URL}tenants/${encodeURIComponent(tenantId)}`;

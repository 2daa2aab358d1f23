/**
 * The platform's metered model cost per tenant, read from the control API as the cost report
 * reads it: the one place the reconciliation asks for it.
 */
import { fetchPlatformCosts } from './costs-client.js';

export interface ApiConnection {
  readonly baseUrl: URL;
  readonly token: string;
}

/** Tenant id → the month's metered cost in USD (`GET /v1/admin/costs?month=`). */
export type MeteredCostsFetcher = (connection: ApiConnection, month: string) => Promise<Map<string, number>>;

/** Reads the month's metered cost per tenant with an operator's token. */
export const fetchMeteredCosts: MeteredCostsFetcher = async (connection, month) => {
  const report = await fetchPlatformCosts({ ...connection, month });
  return new Map(report.tenants.map((tenant) => [tenant.tenantId, tenant.totals.costUsd]));
};

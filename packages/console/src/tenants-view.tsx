/** "Tenants" (operators): GET /v1/admin/tenants as a table, filtered by tier. */
import type { BulkheadClient, Schemas } from '@bulkhead/client';
import { useEffect, useState } from 'preact/hooks';
import { ApiError, type ApiRefusal, refusalOf } from './api-error.js';

type Tier = Schemas['TenantRecord']['tier'];
const TIERS: readonly Tier[] = ['basic', 'premium', 'enterprise'];

export function TenantsView({ api }: { readonly api: BulkheadClient }) {
  const [tier, setTier] = useState<Tier | ''>('');
  const [tenants, setTenants] = useState<readonly Schemas['TenantRecord'][]>();
  const [refusal, setRefusal] = useState<ApiRefusal>();
  useEffect(() => {
    const query = tier === '' ? {} : { tier };
    api.GET('/v1/admin/tenants', { params: { query } }).then(({ data, error, response }) => {
      setRefusal(data ? undefined : refusalOf(response, error));
      setTenants(data?.tenants);
    });
  }, [api, tier]);
  return (
    <section aria-labelledby="tenants-heading">
      <h1 id="tenants-heading">Tenants</h1>
      <label for="tier-filter">Tier</label>{' '}
      <select
        id="tier-filter"
        value={tier}
        onChange={(event) => setTier(event.currentTarget.value as Tier | '')}
      >
        <option value="">all</option>
        {TIERS.map((name) => (
          <option key={name} value={name}>
            {name}
          </option>
        ))}
      </select>
      {refusal && <ApiError refusal={refusal} />}
      {tenants && (
        <table>
          <caption>Tenants</caption>
          <thead>
            <tr>
              <th scope="col">Tenant</th>
              <th scope="col">Name</th>
              <th scope="col">Tier</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {tenants.map((tenant) => (
              <tr key={tenant.tenantId}>
                <td>{tenant.tenantId}</td>
                <td>{tenant.name}</td>
                <td>{tenant.tier}</td>
                <td>{tenant.status}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** "Tenants" (operators): GET /v1/admin/tenants as a table, filtered by tier. */
import type { Schemas } from '@bulkhead/client';
import { useState } from 'preact/hooks';
import { ApiError } from './api-error.js';
import { useApiData } from './use-api.js';

type Tier = Schemas['TenantRecord']['tier'];
const TIERS: readonly Tier[] = ['basic', 'premium', 'enterprise'];

export function TenantsView() {
  const [tier, setTier] = useState<Tier | ''>('');
  const { data, refusal } = useApiData(
    (api) => api.GET('/v1/admin/tenants', { params: { query: tier === '' ? {} : { tier } } }),
    [tier],
  );
  const tenants = data?.tenants;
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

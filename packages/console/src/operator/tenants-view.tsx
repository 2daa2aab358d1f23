/**
 * "Tenants" (operators): GET /v1/admin/tenants as a table, filtered by tier and status, a page
 * at a time ("More" follows the API's cursor, use-paged-list.ts); each tenant links to its own page.
 */
import { useState } from 'preact/hooks';
import { ApiError } from '../api-error.js';
import { Choice } from '../choice.js';
import { TextField } from '../text-field.js';
import { usePagedList } from '../use-paged-list.js';
import { placementSummary } from './placement.js';
import {
  STATUSES,
  statusOf,
  type TenantStatus,
  TIERS,
  type Tier,
  tenantHref,
  tierOf,
} from './tenant-types.js';

/** Tenants per page unless the operator asks for another number (the API allows 1–100). */
const DEFAULT_PAGE_SIZE = 50;

export function TenantsView() {
  const [tier, setTier] = useState<Tier | ''>('');
  const [status, setStatus] = useState<TenantStatus | ''>('');
  const [pageSize, setPageSize] = useState(DEFAULT_PAGE_SIZE);
  const list = usePagedList(
    (api, cursor) =>
      api.GET('/v1/admin/tenants', {
        params: {
          query: {
            ...(tier === '' ? {} : { tier }),
            ...(status === '' ? {} : { status }),
            limit: pageSize,
            ...(cursor === undefined ? {} : { cursor }),
          },
        },
      }),
    (page) => page.tenants,
    [tier, status, pageSize],
  );
  return (
    <section class="operator" aria-labelledby="tenants-heading">
      <h1 id="tenants-heading">Tenants</h1>
      <fieldset class="filters">
        <legend>Filter</legend>
        <Choice
          label="Tier"
          value={tier}
          options={TIERS}
          empty="all"
          onChange={(v) => setTier(tierOf(v) ?? '')}
        />
        <Choice
          label="Status"
          value={status}
          options={STATUSES}
          empty="all"
          onChange={(v) => setStatus(statusOf(v) ?? '')}
        />
        <TextField
          label="Per page"
          type="number"
          min={1}
          max={100}
          value={String(pageSize)}
          onInput={(value) => {
            const size = Number(value);
            if (Number.isInteger(size) && size >= 1 && size <= 100) setPageSize(size);
          }}
        />
      </fieldset>
      {list.refusal && <ApiError refusal={list.refusal} />}
      {list.items && (
        <table>
          <caption>Tenants</caption>
          <thead>
            <tr>
              <th scope="col">Tenant</th>
              <th scope="col">Name</th>
              <th scope="col">Tier</th>
              <th scope="col">Status</th>
              <th scope="col">Placement</th>
            </tr>
          </thead>
          <tbody>
            {list.items.map((tenant) => (
              <tr key={tenant.tenantId}>
                <td>
                  <a href={tenantHref(tenant.tenantId)}>{tenant.tenantId}</a>
                </td>
                <td>{tenant.name}</td>
                <td>{tenant.tier}</td>
                <td>{tenant.status}</td>
                <td>{placementSummary(tenant)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {list.items?.length === 0 && <p>No tenant matches.</p>}
      {list.more && (
        <button type="button" disabled={list.busy} onClick={list.loadMore}>
          More
        </button>
      )}
    </section>
  );
}

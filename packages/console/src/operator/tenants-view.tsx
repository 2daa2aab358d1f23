/**
 * "Tenants" (operators): GET /v1/admin/tenants as a table, filtered by tier and status, a page
 * at a time ("More" follows the API's cursor); each tenant links to its own page.
 */
import { useState } from 'preact/hooks';
import { ApiError } from '../api-error.js';
import { useApiAction, useApiData } from '../use-api.js';
import { placementSummary } from './placement.js';
import {
  STATUSES,
  statusOf,
  type TenantRecord,
  type TenantStatus,
  TIERS,
  type Tier,
  tenantHref,
  tierOf,
} from './tenant-types.js';

/** Tenants per page unless the operator asks for another number (the API allows 1–100). */
const DEFAULT_PAGE_SIZE = 50;

interface LaterPages {
  /** The first page these follow. */
  readonly after: unknown;
  readonly tenants: readonly TenantRecord[];
  readonly cursor: string | undefined;
}

export function TenantsView() {
  const [tier, setTier] = useState<Tier | ''>('');
  const [status, setStatus] = useState<TenantStatus | ''>('');
  const [pageSize, setPageSize] = useState(DEFAULT_PAGE_SIZE);
  const filters = {
    ...(tier === '' ? {} : { tier }),
    ...(status === '' ? {} : { status }),
    limit: pageSize,
  };
  const first = useApiData(
    (api) => api.GET('/v1/admin/tenants', { params: { query: filters } }),
    [tier, status, pageSize],
  );
  // Later pages, appended by "More" after the first page they follow (the API's cursor is bound
  // to the same filters): a new first page starts over.
  const [later, setLater] = useState<LaterPages>();
  const more = later?.after === first.data ? later : undefined;
  const next = useApiAction();
  const tenants = [...(first.data?.tenants ?? []), ...(more?.tenants ?? [])];
  const cursor = more === undefined ? first.data?.cursor : more.cursor;
  const loadMore = async (cursorOfPage: string) => {
    const after = first.data;
    const done = await next.run((api) =>
      api.GET('/v1/admin/tenants', { params: { query: { ...filters, cursor: cursorOfPage } } }),
    );
    if (done?.data)
      setLater({
        after,
        tenants: [...(more?.tenants ?? []), ...done.data.tenants],
        cursor: done.data.cursor,
      });
  };
  return (
    <section class="operator" aria-labelledby="tenants-heading">
      <h1 id="tenants-heading">Tenants</h1>
      <fieldset class="filters">
        <legend>Filter</legend>
        <span>
          <label for="tier-filter">Tier</label>{' '}
          <select
            id="tier-filter"
            value={tier}
            onChange={(event) => setTier(tierOf(event.currentTarget.value) ?? '')}
          >
            <option value="">all</option>
            {TIERS.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </span>
        <span>
          <label for="status-filter">Status</label>{' '}
          <select
            id="status-filter"
            value={status}
            onChange={(event) => setStatus(statusOf(event.currentTarget.value) ?? '')}
          >
            <option value="">all</option>
            {STATUSES.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </span>
        <span>
          <label for="page-size">Per page</label>{' '}
          <input
            id="page-size"
            type="number"
            min={1}
            max={100}
            value={pageSize}
            onInput={(event) => {
              const size = event.currentTarget.valueAsNumber;
              if (Number.isInteger(size) && size >= 1 && size <= 100) setPageSize(size);
            }}
          />
        </span>
      </fieldset>
      {first.refusal && <ApiError refusal={first.refusal} />}
      {first.data && (
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
            {tenants.map((tenant) => (
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
      {first.data && tenants.length === 0 && <p>No tenant matches.</p>}
      {next.refusal && <ApiError refusal={next.refusal} />}
      {cursor !== undefined && (
        <button type="button" disabled={next.busy} onClick={() => loadMore(cursor)}>
          More
        </button>
      )}
    </section>
  );
}

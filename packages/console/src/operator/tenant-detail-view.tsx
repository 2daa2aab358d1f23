/**
 * One tenant (operators): its record (GET /v1/admin/tenants/{id}), its spend against its budget,
 * and what an operator does to it — change tier and limits, suspend or resume, offboard or
 * cancel. A tenant that is gone shows its erasure receipt, when the API has one.
 */
import { ApiError, type ApiRefusal } from '../api-error.js';
import { useApiData } from '../use-api.js';
import { ErasureReceipt } from './erasure-receipt.js';
import { TenantLifecycle } from './tenant-lifecycle.js';
import { TenantRecordDetails } from './tenant-record-details.js';
import { TenantSettingsForm } from './tenant-settings-form.js';
import { TenantSpend } from './tenant-spend.js';

/** No record: an erased tenant still has its receipt; otherwise the API's refusal stands. */
function Gone({ tenantId, refusal }: { readonly tenantId: string; readonly refusal: ApiRefusal }) {
  const receipt = useApiData(
    (api) => api.GET('/v1/admin/tenants/{tenantId}/erasure-receipt', { params: { path: { tenantId } } }),
    [tenantId],
  );
  if (receipt.data !== undefined) return <ErasureReceipt receipt={receipt.data} />;
  return <ApiError refusal={refusal} />;
}

export function TenantDetailView({ tenantId }: { readonly tenantId: string }) {
  const {
    data: tenant,
    refusal,
    reload,
  } = useApiData(
    (api) => api.GET('/v1/admin/tenants/{tenantId}', { params: { path: { tenantId } } }),
    [tenantId],
  );
  return (
    <section class="operator" aria-labelledby="tenant-heading">
      <h1 id="tenant-heading">Tenant {tenantId}</h1>
      <p>
        <a href={`${import.meta.env.BASE_URL}tenants`}>All tenants</a>
      </p>
      {refusal &&
        (refusal.code === 'tenant_not_found' ? (
          <Gone tenantId={tenantId} refusal={refusal} />
        ) : (
          <ApiError refusal={refusal} />
        ))}
      {tenant && (
        <>
          <TenantRecordDetails tenant={tenant} />
          <TenantLifecycle tenant={tenant} onChanged={reload} />
          <TenantSpend tenant={tenant} />
          <TenantSettingsForm tenant={tenant} onSaved={reload} />
        </>
      )}
    </section>
  );
}

/** "Me": who the API says the signed-in person is (GET /v1/me). */
import type { BulkheadClient } from '@bulkhead/client';
import { useEffect, useState } from 'preact/hooks';
import { ApiError, type ApiRefusal, refusalOf } from './api-error.js';

interface Me {
  readonly tenantId: string;
  readonly userId: string;
  readonly roles: readonly string[];
}

export function MeView({ api }: { readonly api: BulkheadClient }) {
  const [me, setMe] = useState<Me>();
  const [refusal, setRefusal] = useState<ApiRefusal>();
  useEffect(() => {
    api.GET('/v1/me').then(({ data, error, response }) => {
      if (data) setMe(data);
      else setRefusal(refusalOf(response, error));
    });
  }, [api]);
  return (
    <section aria-labelledby="me-heading">
      <h1 id="me-heading">Me</h1>
      {refusal && <ApiError refusal={refusal} />}
      {me && (
        <dl aria-label="Signed in as">
          <dt>Tenant</dt>
          <dd>{me.tenantId}</dd>
          <dt>User</dt>
          <dd>{me.userId}</dd>
          <dt>Roles</dt>
          <dd>{me.roles.join(', ') || 'none'}</dd>
        </dl>
      )}
    </section>
  );
}

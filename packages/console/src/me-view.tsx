/** "Me": who the API says the signed-in person is (GET /v1/me). */
import { ApiError } from './api-error.js';
import { useApiData } from './use-api.js';

export function MeView() {
  const { data: me, refusal } = useApiData((api) => api.GET('/v1/me'), []);
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
          <dt>Tier</dt>
          <dd>{me.tier}</dd>
        </dl>
      )}
    </section>
  );
}

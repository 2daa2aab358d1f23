/** `GET /v1/me`: the tenant, user and roles the API sees in your token. */
import { clientFromEnvironment, fail } from './environment.js';

const client = clientFromEnvironment();
const { data, error, response } = await client.GET('/v1/me');
if (data === undefined) fail(response.status, error);
console.log(
  `tenant ${data.tenantId}, user ${data.userId}, roles ${data.roles.join(', ')}, tier ${data.tier}`,
);

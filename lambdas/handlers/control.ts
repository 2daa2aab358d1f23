/** Lambda entry of the platform-operator API (`/v1/admin/...`). */
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { readServiceConfig } from '../config.js';
import { CognitoTenantAdmins } from '../identity/cognito-tenant-admins.js';
import { traced } from '../observability/aws-client-tracing.js';
import { createControlHandler } from '../routes/control-routes.js';
import { ServiceRuntime } from '../service-runtime.js';

// Admin actions and jobs write into tenants outside any request hold: they read placement consistently.
// Its sessions are an operator's in a tenant not theirs, or the user an admin exports or erases: none
// makes anyone a member of the tenant (callers' own sessions are recorded where their tokens are
// verified and their requests served: the authorizer and the tenant API).
const config = readServiceConfig();
const runtime = new ServiceRuntime(config, undefined, { placement: 'consistent', recordMembers: false });
// With the Cognito pool, onboarding can create a tenant's first admin; with an external IdP it cannot.
const tenantAdmins =
  config.userPoolId === undefined
    ? undefined
    : new CognitoTenantAdmins(traced(new CognitoIdentityProviderClient({})), config.userPoolId);

export const handler = createControlHandler(runtime, {
  corsOrigins: config.corsOrigins,
  ...(tenantAdmins === undefined ? {} : { tenantAdmins }),
});

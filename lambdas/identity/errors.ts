/** Errors of creating a tenant's users in the platform's user directory. */
import { ClientError } from '../error-families.js';

/** Users live in an external IdP: the platform cannot create them. */
export class FirstAdminNotSupportedError extends ClientError {
  readonly status = 422;
  readonly code = 'first_admin_not_supported';
  constructor(
    claims: { readonly user: string; readonly tenant: string; readonly groups: string },
    tenantId: string,
  ) {
    super(
      `this deployment's users live in an external identity provider: create the admin there, with claims ${claims.user} = their user id, ${claims.tenant} = "${tenantId}" and ${claims.groups} containing "admin", then onboard without "admin"`,
    );
    this.name = 'FirstAdminNotSupportedError';
  }
}

/** The e-mail address already signs in as a user of another tenant. */
export class UserOfAnotherTenantError extends ClientError {
  readonly status = 409;
  readonly code = 'user_exists';
  constructor() {
    super('a user with this e-mail address already belongs to another tenant');
    this.name = 'UserOfAnotherTenantError';
  }
}

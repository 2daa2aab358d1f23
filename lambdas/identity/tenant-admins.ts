/**
 * A tenant's first admin, created in the platform's user directory at onboarding (the Cognito
 * user pool: cognito-tenant-admins.ts). Creating one is idempotent: an address that is already
 * this tenant's user is made an admin again (a no-op); one of another tenant is refused.
 */
export interface TenantAdmins {
  /** Refuses (UserOfAnotherTenantError) an address that belongs to another tenant; writes nothing. */
  assertAvailable(tenantId: string, email: string): Promise<void>;
  /**
   * Creates the user, puts them in the admin group, then has the directory send the invitation;
   * when a step after the creation fails, a user this call created is removed again.
   */
  createAdmin(tenantId: string, email: string): Promise<void>;
}

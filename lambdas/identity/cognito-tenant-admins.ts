/**
 * Tenant admins in the Cognito user pool: `AdminCreateUser` with the verified e-mail and the
 * immutable `custom:tenantId` (Cognito e-mails the invitation and a temporary password; the
 * hosted login then asks for a new password and sets up TOTP), `AdminAddUserToGroup` into the
 * `admin` group, and `AdminGetUser` to tell a retry (same tenant) from a conflict (another one).
 */
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminGetUserCommand,
  type CognitoIdentityProviderClient,
  UserNotFoundException,
  UsernameExistsException,
} from '@aws-sdk/client-cognito-identity-provider';
import { UserOfAnotherTenantError } from './errors.js';
import type { TenantAdmins } from './tenant-admins.js';

/** The user attribute that carries the tenant id (lib/identity.ts declares it immutable). */
export const TENANT_ID_USER_ATTRIBUTE = 'custom:tenantId';
/** The group whose members have the admin role (one group per role in the pool). */
export const ADMIN_GROUP = 'admin';

export class CognitoTenantAdmins implements TenantAdmins {
  constructor(
    private readonly cognito: CognitoIdentityProviderClient,
    private readonly userPoolId: string,
  ) {}

  /**
   * Lets through an address of this same tenant id: writing nothing, it adopts no one. Whether
   * such a user may be adopted is settled later, in createAdmin, which runs only once the registry
   * has stored the new record (see the reasoning there).
   */
  async assertAvailable(tenantId: string, email: string): Promise<void> {
    const owner = await this.tenantOf(email);
    if (owner !== undefined && owner !== tenantId) throw new UserOfAnotherTenantError();
  }

  async createAdmin(tenantId: string, email: string): Promise<void> {
    try {
      await this.cognito.send(
        new AdminCreateUserCommand({
          UserPoolId: this.userPoolId,
          Username: email,
          UserAttributes: [
            { Name: 'email', Value: email },
            { Name: 'email_verified', Value: 'true' },
            { Name: TENANT_ID_USER_ATTRIBUTE, Value: tenantId },
          ],
          DesiredDeliveryMediums: ['EMAIL'],
        }),
      );
    } catch (err) {
      // The only adoption path. createAdmin runs after the registry stored the record, which it
      // refuses for a tenant that exists (tenant_exists) and for an id an erased tenant held
      // (tenant_id_retired: ids are never reused). So no tenant with this id ever had users, and
      // a user of this tenant id can only be this onboarding's own, left by an earlier attempt
      // of it that failed before it could remove the user: adopting it finishes that attempt.
      if (!(err instanceof UsernameExistsException)) throw err;
      if ((await this.tenantOf(email)) !== tenantId) throw new UserOfAnotherTenantError();
    }
    await this.cognito.send(
      new AdminAddUserToGroupCommand({
        UserPoolId: this.userPoolId,
        Username: email,
        GroupName: ADMIN_GROUP,
      }),
    );
  }

  /** The tenant of the user signing in with `email`; undefined when there is none. */
  private async tenantOf(email: string): Promise<string | undefined> {
    try {
      const user = await this.cognito.send(
        new AdminGetUserCommand({ UserPoolId: this.userPoolId, Username: email }),
      );
      return user.UserAttributes?.find((attribute) => attribute.Name === TENANT_ID_USER_ATTRIBUTE)?.Value;
    } catch (err) {
      if (err instanceof UserNotFoundException) return undefined;
      throw err;
    }
  }
}

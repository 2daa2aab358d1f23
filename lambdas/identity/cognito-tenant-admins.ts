/**
 * Tenant admins in the Cognito user pool, in an order that never leaves an invited user behind a
 * failed onboarding: `AdminCreateUser` with the verified e-mail and the immutable
 * `custom:tenantId`, its invitation suppressed (`MessageAction: 'SUPPRESS'`);
 * `AdminAddUserToGroup` into the `admin` group; then the invitation, last (`AdminCreateUser` with
 * `MessageAction: 'RESEND'`: Cognito e-mails a new temporary password; the hosted login then asks
 * for a new password and sets up TOTP). When a step after the creation fails, a user THIS request
 * created is deleted again (`AdminDeleteUser`). `AdminGetUser` tells a retry (same tenant) from a
 * conflict (another one).
 */
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminGetUserCommand,
  type CognitoIdentityProviderClient,
  UserNotFoundException,
  UsernameExistsException,
  UserStatusType,
} from '@aws-sdk/client-cognito-identity-provider';
import { jsonLogger, type Logger } from '../observability/logger.js';
import { UserOfAnotherTenantError } from './errors.js';
import type { TenantAdmins } from './tenant-admins.js';

/** The user attribute that carries the tenant id (lib/identity.ts declares it immutable). */
export const TENANT_ID_USER_ATTRIBUTE = 'custom:tenantId';
/** The group whose members have the admin role (one group per role in the pool). */
export const ADMIN_GROUP = 'admin';

/** A user that exists in the pool: their tenant and whether they still have to set a password. */
interface ExistingUser {
  readonly tenantId: string | undefined;
  readonly status: string | undefined;
}

export class CognitoTenantAdmins implements TenantAdmins {
  constructor(
    private readonly cognito: CognitoIdentityProviderClient,
    private readonly userPoolId: string,
    /** Where a failed deletion of a user this request created is reported. @default jsonLogger */
    private readonly logger: Logger = jsonLogger,
  ) {}

  /**
   * Lets through an address of this same tenant id: writing nothing, it adopts no one. Whether
   * such a user may be adopted is settled later, in createAdmin, which runs only once the registry
   * has stored the new record (see the reasoning there).
   */
  async assertAvailable(tenantId: string, email: string): Promise<void> {
    const owner = (await this.existingUser(email))?.tenantId;
    if (owner !== undefined && owner !== tenantId) throw new UserOfAnotherTenantError();
  }

  async createAdmin(tenantId: string, email: string): Promise<void> {
    const { created, invite } = await this.createOrAdopt(tenantId, email);
    try {
      await this.cognito.send(
        new AdminAddUserToGroupCommand({
          UserPoolId: this.userPoolId,
          Username: email,
          GroupName: ADMIN_GROUP,
        }),
      );
      // The invitation goes last, so no one is invited into a tenant whose onboarding then fails.
      if (invite)
        await this.cognito.send(
          new AdminCreateUserCommand({
            UserPoolId: this.userPoolId,
            Username: email,
            MessageAction: 'RESEND',
            DesiredDeliveryMediums: ['EMAIL'],
          }),
        );
    } catch (err) {
      if (created) await this.deleteCreatedUser(email);
      throw err;
    }
  }

  /**
   * Creates the user without an invitation; or adopts this onboarding's own user from an earlier
   * attempt. `created`: this request created it; `invite`: it has not set a password yet.
   */
  private async createOrAdopt(
    tenantId: string,
    email: string,
  ): Promise<{ readonly created: boolean; readonly invite: boolean }> {
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
          MessageAction: 'SUPPRESS',
        }),
      );
      return { created: true, invite: true };
    } catch (err) {
      // The only adoption path. createAdmin runs after the registry stored the record, which it
      // refuses for a tenant that exists (tenant_exists) and for an id an erased tenant held
      // (tenant_id_retired: ids are never reused). So no tenant with this id exists or ever
      // existed, and a user of this tenant id can only be this onboarding's own, left by an
      // earlier attempt of it that failed before it could remove the user: adopting it finishes
      // that attempt (and re-sends its invitation while the user has not signed in yet).
      if (!(err instanceof UsernameExistsException)) throw err;
      const existing = await this.existingUser(email);
      if (existing?.tenantId !== tenantId) throw new UserOfAnotherTenantError();
      return { created: false, invite: existing.status === UserStatusType.FORCE_CHANGE_PASSWORD };
    }
  }

  /** Undoes this request's creation; a failure is logged (the caller rethrows the original error). */
  private async deleteCreatedUser(email: string): Promise<void> {
    try {
      await this.cognito.send(new AdminDeleteUserCommand({ UserPoolId: this.userPoolId, Username: email }));
    } catch (err) {
      // No address in the log: the name says what failed, a retry of the onboarding adopts the user.
      this.logger.error('first admin: deleting the user this onboarding created failed', {
        errorName: err instanceof Error ? err.name : typeof err,
      });
    }
  }

  /** The user signing in with `email`: their tenant and status; undefined when there is none. */
  private async existingUser(email: string): Promise<ExistingUser | undefined> {
    try {
      const user = await this.cognito.send(
        new AdminGetUserCommand({ UserPoolId: this.userPoolId, Username: email }),
      );
      return {
        tenantId: user.UserAttributes?.find((attribute) => attribute.Name === TENANT_ID_USER_ATTRIBUTE)
          ?.Value,
        status: user.UserStatus,
      };
    } catch (err) {
      if (err instanceof UserNotFoundException) return undefined;
      throw err;
    }
  }
}

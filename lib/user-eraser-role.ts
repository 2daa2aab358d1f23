/**
 * The user eraser role: the dedicated grant erasing one user needs (GDPR article 17) — list and
 * delete every version and delete marker of that user's private objects — kept off the tenant
 * role, which may neither. Assumed per erasure by the control function with the tenant's and the
 * erased user's tags (same trust as the tenant role); its policy is `userEraserPolicy` in the one
 * policy module.
 */
import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import {
  S3_TENANT_ROOT,
  S3_USERS_SEGMENT,
  TENANT_TAG_KEY,
  USER_TAG_KEY,
} from '../lambdas/tenancy/key-layout.js';
import { acknowledgeTagScopedKeys, taggedSessionsOf } from './tenant-access-role.js';
import { type TenantDataResources, userEraserPolicy } from './tenant-policy.js';

export interface UserEraserRoleProps {
  readonly resources: TenantDataResources;
  /** Function execution roles allowed to assume this role (with session tags): the control function's. */
  readonly trustedRoles: readonly iam.IRole[];
}

export class UserEraserRole extends Construct {
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: UserEraserRoleProps) {
    super(scope, id);
    this.role = new iam.Role(this, 'Role', {
      description:
        "Erases one user's private objects (every version); assumed with TenantId/UserId session tags",
      assumedBy: taggedSessionsOf(props.trustedRoles),
      maxSessionDuration: Duration.hours(1),
      inlinePolicies: { EraseUser: iam.PolicyDocument.fromJson(userEraserPolicy(props.resources)) },
    });
    acknowledgeTagScopedKeys(
      this.role,
      [...props.resources.bucketArns, ...props.resources.silos.flatMap((silo) => silo.bucketArns)],
      [
        `${S3_TENANT_ROOT}/\${aws:PrincipalTag/${TENANT_TAG_KEY}}/${S3_USERS_SEGMENT}/\${aws:PrincipalTag/${USER_TAG_KEY}}/*`,
      ],
      "The trailing * covers only the session's own user's private objects (tenants/<TenantId>/users/<UserId>/).",
    );
  }
}

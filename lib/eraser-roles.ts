/**
 * The erasure grants, kept off the tenant role (which may neither list object versions nor delete
 * one): the **user eraser** (erasing one user: every version of their private objects), assumed
 * by the control function; and the **tenant eraser** (erasing an offboarded tenant: every item,
 * object version, its index and secrets), assumed by the tenant erasure job. Both trust only
 * their function's role with exactly the TenantId and UserId session tags; both policies come
 * from the one policy module.
 */
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import {
  S3_TENANT_ROOT,
  S3_USERS_SEGMENT,
  TENANT_TAG_KEY,
  USER_TAG_KEY,
} from '../lambdas/tenancy/key-layout.js';
import { acknowledgeTagScopedKeys, nagJoinNotation, taggedSessionsOf } from './tenant-access-role.js';
import {
  type TenantDataResources,
  tenantBucketArns,
  tenantEraserPolicy,
  userEraserPolicy,
} from './tenant-policy.js';

const TENANT = `\${aws:PrincipalTag/${TENANT_TAG_KEY}}`;
const USER = `\${aws:PrincipalTag/${USER_TAG_KEY}}`;

export interface EraserRolesProps {
  readonly resources: TenantDataResources;
  /** The control function's role (user erasure). */
  readonly userErasers: readonly iam.IRole[];
  /** The tenant erasure job's role. */
  readonly tenantErasers: readonly iam.IRole[];
}

export class EraserRoles extends Construct {
  readonly userEraser: iam.Role;
  readonly tenantEraser: iam.Role;

  constructor(scope: Construct, id: string, props: EraserRolesProps) {
    super(scope, id);
    const buckets = tenantBucketArns(props.resources);
    this.userEraser = new iam.Role(this, 'UserEraser', {
      description:
        "Erases one user's private objects (every version); assumed with TenantId/UserId session tags",
      assumedBy: taggedSessionsOf(props.userErasers),
      maxSessionDuration: Duration.hours(1),
      inlinePolicies: { EraseUser: iam.PolicyDocument.fromJson(userEraserPolicy(props.resources)) },
    });
    acknowledgeTagScopedKeys(
      this.userEraser,
      buckets,
      [`${S3_TENANT_ROOT}/${TENANT}/${S3_USERS_SEGMENT}/${USER}/*`],
      "The trailing * covers only the session's own user's private objects (tenants/<TenantId>/users/<UserId>/).",
    );
    this.tenantEraser = new iam.Role(this, 'TenantEraser', {
      description:
        "Erases an offboarded tenant's items, object versions, index and secrets; assumed with its TenantId tag",
      assumedBy: taggedSessionsOf(props.tenantErasers),
      maxSessionDuration: Duration.hours(1),
      inlinePolicies: { EraseTenant: iam.PolicyDocument.fromJson(tenantEraserPolicy(props.resources)) },
    });
    acknowledgeTagScopedKeys(
      this.tenantEraser,
      buckets,
      [`${S3_TENANT_ROOT}/${TENANT}/*`],
      "The trailing * covers only the session's own tenant's objects (tenants/<TenantId>/).",
    );
    const secretsRoot = props.resources.tenantSecretsArnRoot;
    if (secretsRoot !== undefined)
      Validations.of(this.tenantEraser).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${nagJoinNotation(Stack.of(this).resolve(secretsRoot))}/<aws:PrincipalTag/${TENANT_TAG_KEY}>/*]`,
        reason: "The trailing * covers only the session's own tenant's secrets (<prefix>/<TenantId>/...).",
      });
  }
}

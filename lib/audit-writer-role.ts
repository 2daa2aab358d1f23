/**
 * The audit writer role: the only principal that can write a tenant's audit trail. Assumed per
 * request like the tenant role (same trust: the platform's function roles, with exactly the
 * TenantId and UserId tags), its policy (lib/tenant-policy.ts, `auditWriterPolicy`) reaches only
 * the session's tenant's audit partitions, to read and append. The tenant role denies them.
 */
import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { DIGEST_ROOT } from '../lambdas/audit/audit-digest.js';
import { TENANT_TAG_KEY } from '../lambdas/tenancy/key-layout.js';
import { acknowledgeTagScopedKeys, taggedSessionsOf } from './tenant-access-role.js';
import { auditWriterPolicy, type TenantDataResources } from './tenant-policy.js';

export interface AuditWriterRoleProps {
  readonly resources: TenantDataResources;
  /** Function execution roles allowed to assume this role (with session tags). */
  readonly trustedRoles: readonly iam.IRole[];
}

export class AuditWriterRole extends Construct {
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: AuditWriterRoleProps) {
    super(scope, id);
    this.role = new iam.Role(this, 'Role', {
      description: "Appends to a tenant's audit trail; assumed per request with TenantId/UserId session tags",
      assumedBy: taggedSessionsOf(props.trustedRoles),
      maxSessionDuration: Duration.hours(1),
      inlinePolicies: { AuditAppend: iam.PolicyDocument.fromJson(auditWriterPolicy(props.resources)) },
    });
    const digests = props.resources.auditDigests;
    if (digests !== undefined)
      acknowledgeTagScopedKeys(
        this.role,
        [digests.bucketArn],
        [`${DIGEST_ROOT}/\${aws:PrincipalTag/${TENANT_TAG_KEY}}/*`],
        "The trailing * covers only the session's own tenant's digests (digests/<TenantId>/<n>.json).",
      );
  }
}

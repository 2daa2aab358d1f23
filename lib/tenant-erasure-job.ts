/**
 * The tenant erasure job: a function run every few minutes that erases each offboarded tenant
 * whose grace period has ended (lambdas/handlers/tenant-erasure.ts), resuming where a failed run
 * stopped. It may sign erasure receipts with the audit digest key; its data access (the tenant
 * eraser role), the control table and the tenant-tag key are bound by the stack.
 */
import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { HouseFunction } from './house-function.js';
import { runEvery } from './schedule.js';
import { auditDigestSigningPolicy } from './tenant-policy.js';

export const TENANT_ERASURE_ENTRY = 'lambdas/handlers/tenant-erasure.ts';
/** How often due erasures are looked for (and failed ones resumed). */
export const ERASURE_INTERVAL = Duration.minutes(5);

export interface TenantErasureJobProps {
  /** Where tenants' data lives (names only). */
  readonly environment: Readonly<Record<string, string>>;
  /** The audit digest key: receipts are signed with it. */
  readonly signingKeyArn: string;
}

export class TenantErasureJob extends Construct {
  readonly function: HouseFunction;

  constructor(scope: Construct, id: string, props: TenantErasureJobProps) {
    super(scope, id);
    this.function = new HouseFunction(this, 'Eraser', {
      entry: TENANT_ERASURE_ENTRY,
      description: 'Erases offboarded tenants past their grace period, resumably, and signs a receipt',
      environment: { ...props.environment, AUDIT_DIGEST_KEY_ARN: props.signingKeyArn },
      timeout: Duration.minutes(15),
    });
    this.function.role.attachInlinePolicy(
      new iam.Policy(this, 'SigningPolicy', {
        document: iam.PolicyDocument.fromJson(auditDigestSigningPolicy(props.signingKeyArn)),
      }),
    );
    runEvery(this, 'Schedule', ERASURE_INTERVAL, this.function, 'Runs the tenant erasure job');
  }
}

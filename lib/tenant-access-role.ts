/**
 * The tenant access role: the only principal that can touch tenant data.
 * Its permission policy is THE tenant policy document (lib/tenant-policy.ts),
 * keyed on the session tags `TenantId` and `UserId`; only the platform's
 * function roles may assume it, and only with exactly those tags.
 */
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, type IConstruct } from 'constructs';
import { TENANT_TAG_KEY } from '../lambdas/tenancy/key-layout.js';
import { deployedValue, LONGEST_DEPLOYMENT, policyCharacters } from './template/deployed-rendering.js';
import { ROLE_METADATA_KEY, TENANT_ACCESS_ROLE_MARK } from './template/metadata-keys.js';
import {
  OBJECT_KEY_PATTERNS,
  type TenantDataResources,
  tenantAccessPolicy,
  tenantBucketArns,
  tenantCredentialsPolicy,
  tenantRoleTrustConditions,
} from './tenant-policy.js';

export interface TenantAccessRoleProps {
  /** Tenant data locations and model ARNs the policy grants, by tag-derived key prefix. */
  readonly resources: TenantDataResources;
  /** Function execution roles allowed to assume this role (with session tags). */
  readonly trustedRoles: readonly iam.IRole[];
  /**
   * Longest session; Lambda's AssumeRole is role chaining, which AWS caps at 1 hour anyway.
   * @default Duration.hours(1)
   */
  readonly maxSessionDuration?: Duration;
}

/** An IAM role whose inline policy is the tenant policy and whose trust admits only tagged sessions. */
export class TenantAccessRole extends Construct {
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: TenantAccessRoleProps) {
    super(scope, id);
    if (props.trustedRoles.length === 0) {
      throw new Error('TenantAccessRole needs at least one trusted function role');
    }
    this.role = new iam.Role(this, 'Role', {
      description: 'Tenant-scoped data access; assumed per request with TenantId/UserId session tags',
      assumedBy: taggedSessionsOf(props.trustedRoles),
      maxSessionDuration: props.maxSessionDuration ?? Duration.hours(1),
      inlinePolicies: {
        TenantAccess: iam.PolicyDocument.fromJson(tenantAccessPolicy(props.resources)),
      },
    });
    // Checked at synth: IAM refuses an oversized inline policy only at deploy.
    this.role.node.addValidation({ validate: () => inlinePolicySizeProblems(this.role, props.resources) });
    const credentials = tenantCredentialsPolicy(props.resources);
    if (credentials.Statement.length > 0) {
      const policy = new iam.ManagedPolicy(this, 'Credentials', {
        description: "Tenant credentials: the tenant's own secrets and its users' token-vault context",
        document: iam.PolicyDocument.fromJson(credentials),
        roles: [this.role],
      });
      if (props.resources.tenantSecretsArnRoot !== undefined)
        acknowledgeTenantSecrets(policy, props.resources.tenantSecretsArnRoot);
    }
    acknowledgeTagScopedKeys(
      this.role,
      tenantBucketArns(props.resources),
      OBJECT_KEY_PATTERNS,
      'The trailing * covers only keys under the session-tag prefix tenants/<TenantId>/shared/ or tenants/<TenantId>/users/<UserId>/ (DESIGN invariant 4).',
    );
    acknowledgeSiloKeys(this.role, props.resources);
    this.acknowledgeProfiledModels(
      (props.resources.profiledModels ?? []).flatMap((profiled) => profiled.foundationModelArns),
    );
    const cfnRole = this.role.node.defaultChild;
    if (!(cfnRole instanceof iam.CfnRole)) throw new Error('Role has no CfnRole child');
    cfnRole.addMetadata(ROLE_METADATA_KEY, TENANT_ACCESS_ROLE_MARK);
  }

  /** Acknowledges exactly the IAM5 finding for each foundation model reached through an inference profile. */
  private acknowledgeProfiledModels(foundationModelArns: readonly string[]): void {
    // Only the any-Region grants of geographic profiles have a wildcard (a global profile's are exact).
    for (const arn of foundationModelArns.filter((candidate) => candidate.includes(':bedrock:*::'))) {
      // The model name is the ARN's literal tail; the partition before it is a token.
      const model = arn.split('foundation-model/')[1];
      Validations.of(this.role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:bedrock:*::foundation-model/${model}]`,
        reason:
          'A cross-Region inference profile serves its foundation model from any Region of its geography; the grant holds only with bedrock:InferenceProfileArn = the configured profile that serves this model.',
      });
    }
  }
}

/**
 * IAM caps the inline policies of a role at 10,240 characters together, whitespace not counted
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html, "Role policy size";
 * a managed policy has 6,144 of its own). The tenant role's one inline policy must fit, measured
 * as deployed with the longest realistic names (lib/template/deployed-rendering.ts), with a margin.
 */
export const ROLE_INLINE_POLICY_MAX_CHARACTERS = 10_240;
export const ROLE_INLINE_POLICY_MARGIN = 512;

/** The inline policy (`TenantAccess`) of `resources`, in characters as IAM counts them once deployed. */
export function tenantAccessPolicyCharacters(scope: IConstruct, resources: TenantDataResources): number {
  return policyCharacters(deployedValue(scope, tenantAccessPolicy(resources)));
}

/**
 * The problem, if the tenant role's inline policy would not fit: its size, the limit, and how many
 * of the inference profiles in use fit (each adds a statement of its own, ~550 characters).
 */
function inlinePolicySizeProblems(scope: IConstruct, resources: TenantDataResources): string[] {
  const budget = ROLE_INLINE_POLICY_MAX_CHARACTERS - ROLE_INLINE_POLICY_MARGIN;
  const characters = tenantAccessPolicyCharacters(scope, resources);
  if (characters <= budget) return [];
  const profiled = resources.profiledModels ?? [];
  /** The same grants with only the first `count` inference profiles. */
  const withProfiles = (count: number): TenantDataResources => {
    const dropped = new Set(profiled.slice(count).map((profile) => profile.profileArn));
    return {
      ...resources,
      modelArns: resources.modelArns.filter((arn) => !dropped.has(arn)),
      profiledModels: profiled.slice(0, count),
    };
  };
  let fitting = profiled.length;
  while (fitting > 0 && tenantAccessPolicyCharacters(scope, withProfiles(fitting)) > budget) fitting -= 1;
  const fits = tenantAccessPolicyCharacters(scope, withProfiles(fitting)) <= budget;
  return [
    `the tenant role's inline policy would take ${characters} characters once deployed (with a ` +
      `${LONGEST_NAMES_NOTE}), more than the ${budget} allowed (IAM's ${ROLE_INLINE_POLICY_MAX_CHARACTERS} ` +
      `per role less a margin of ${ROLE_INLINE_POLICY_MARGIN}): the catalogue's models use ` +
      `${profiled.length} inference profiles, each a statement of its own; ` +
      (fits
        ? `at most ${fitting} fit beside the other grants: name fewer inference-profile models (us.…, global.…) in chatModels and fallbackModels`
        : 'none fits beside the other grants: name fewer models in chatModels and fallbackModels'),
  ];
}

const LONGEST_NAMES_NOTE =
  `${LONGEST_DEPLOYMENT.account.length}-digit account, the Region ${LONGEST_DEPLOYMENT.region} ` +
  `and a ${LONGEST_DEPLOYMENT.stackName.length}-character stack name`;

/**
 * Acknowledges exactly the IAM5 findings for tag-scoped object-key patterns, one per bucket and
 * pattern, in cdk-nag's notation (`${x}` as `<x>`, a GetAtt as `<Id.Arn>`).
 */
export function acknowledgeTagScopedKeys(
  role: iam.IRole,
  bucketArns: readonly string[],
  patterns: readonly string[],
  reason: string,
): void {
  acknowledgeWildcardResources(
    role,
    bucketArns.flatMap((bucketArn) => patterns.map((pattern) => `${bucketArn}/${pattern}`)),
    reason,
  );
}

/** Acknowledges the silo key grant's `key/*` (a key's id is generated; the alias condition names the tenant's). */
export function acknowledgeSiloKeys(role: iam.IRole, resources: TenantDataResources): void {
  if (resources.silos === undefined) return;
  acknowledgeWildcardResources(
    role,
    resources.silos.keyArns,
    "A key's ARN is generated: the grant holds only for the key whose alias names the session's own tenant (kms:ResourceAliases), and only through S3 (kms:ViaService).",
  );
}

/** Acknowledges exactly the IAM5 finding of each wildcard resource ARN, in cdk-nag's notation. */
export function acknowledgeWildcardResources(
  scope: IConstruct,
  arns: readonly string[],
  reason: string,
): void {
  for (const arn of arns)
    Validations.of(scope).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${nagArnNotation(scope, arn)}]`,
      reason,
    });
}

/** cdk-nag's notation of an ARN: `${x}` as `<x>`, a Ref as `<Id>`, a GetAtt as `<Id.Arn>`. */
function nagArnNotation(scope: IConstruct, arn: string): string {
  return nagJoinNotation(Stack.of(scope).resolve(arn)).replace(/\$\{([^}]+)\}/g, '<$1>');
}

/** Who may assume a per-request role: the function roles, with exactly the TenantId and UserId tags. */
export function taggedSessionsOf(trustedRoles: readonly iam.IRole[]): iam.IPrincipal {
  const trusted = new iam.CompositePrincipal(
    ...trustedRoles.map((role) => new iam.ArnPrincipal(role.roleArn)),
  );
  return new iam.PrincipalWithConditions(new iam.SessionTagsPrincipal(trusted), tenantRoleTrustConditions());
}

/** Acknowledges exactly the IAM5 finding for the tenant secrets pattern (`<root>/<TenantId>/*`). */
function acknowledgeTenantSecrets(policy: iam.ManagedPolicy, root: string): void {
  const resolved: unknown = Stack.of(policy).resolve(root);
  Validations.of(policy).acknowledge({
    id: `AwsSolutions-IAM5[Resource::${nagJoinNotation(resolved)}/<aws:PrincipalTag/${TENANT_TAG_KEY}>/*]`,
    reason:
      "The trailing * covers only secrets named under the session's own tenant (<prefix>/<TenantId>/...), plus the random suffix Secrets Manager appends to every secret ARN.",
  });
}

/** cdk-nag's notation for a resolved string: literal parts as they are, `{ Ref: X }` as `<X>`, a GetAtt as `<X.Arn>`. */
export function nagJoinNotation(resolved: unknown): string {
  if (typeof resolved === 'string') return resolved;
  if (typeof resolved === 'object' && resolved !== null && 'Fn::Join' in resolved) {
    const [separator, parts] = resolved['Fn::Join'] as [string, unknown[]];
    return parts.map(nagJoinNotation).join(separator);
  }
  if (typeof resolved === 'object' && resolved !== null && 'Ref' in resolved)
    return `<${String(resolved.Ref)}>`;
  if (typeof resolved === 'object' && resolved !== null && 'Fn::GetAtt' in resolved)
    return `<${nagGetAttName(resolved)}>`;
  throw new Error(`ARN ${JSON.stringify(resolved)} is neither a literal, a Ref, a GetAtt nor a join of them`);
}

/** `Id.Arn` for a resolved `{ "Fn::GetAtt": ["Id", "Arn"] }`. */
function nagGetAttName(resolved: unknown): string {
  if (typeof resolved === 'object' && resolved !== null && 'Fn::GetAtt' in resolved) {
    const getAtt = resolved['Fn::GetAtt'];
    if (Array.isArray(getAtt)) return getAtt.join('.');
  }
  throw new Error(`bucket ARN ${JSON.stringify(resolved)} is neither a literal nor a GetAtt`);
}

/**
 * IAM evaluation with @cloud-copilot/iam-simulate: the principal's role policies (from the
 * synthesized template), intersected with its session policy, plus the target's resource policy:
 * a role's trust policy for STS calls, a key's key policy for KMS calls (KMS needs its key policy
 * to allow, as in AWS). Anything the simulator cannot evaluate counts as denied.
 */
import { runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import type { IamRequest } from './iam-request.js';
import type { Principal } from './principals.js';

/** A role as the front door knows it. */
export interface RoleDefinition {
  readonly arn: string;
  /** Identity policies attached to the role. */
  readonly policies: readonly unknown[];
  /** Who may assume the role (AssumeRolePolicyDocument). */
  readonly trustPolicy?: unknown;
}

export interface Decision {
  readonly allowed: boolean;
  /** Why it was denied (simulator result or validation message). */
  readonly detail: string;
}

export class PolicyEvaluator {
  private readonly roles: ReadonlyMap<string, RoleDefinition>;

  constructor(
    roles: readonly RoleDefinition[],
    private readonly accountId: string,
    /** Key policies by KMS key ARN. */
    private readonly keyPolicies: ReadonlyMap<string, unknown> = new Map(),
  ) {
    this.roles = new Map(roles.map((role) => [role.arn, role]));
  }

  /** The role definition for an ARN, if the template has it. */
  role(arn: string): RoleDefinition | undefined {
    return this.roles.get(arn);
  }

  async decide(principal: Principal, request: IamRequest): Promise<Decision> {
    const role = this.roles.get(principal.roleArn);
    if (role === undefined) return { allowed: false, detail: `unknown role ${principal.roleArn}` };
    const context: Record<string, string | string[]> = {
      'aws:PrincipalArn': principal.roleArn,
      'aws:PrincipalAccount': this.accountId,
    };
    for (const [key, value] of Object.entries(principal.tags)) context[`aws:PrincipalTag/${key}`] = value;
    for (const [key, value] of Object.entries(request.context)) {
      context[key] = typeof value === 'string' ? value : [...value];
    }
    const simulation: Simulation = {
      request: {
        principal: principal.arn,
        action: request.action,
        resource: { resource: request.resource, accountId: this.accountId },
        contextVariables: context,
      },
      identityPolicies: role.policies.map((policy, n) => ({ name: `policy-${n}`, policy })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(principal.sessionPolicy === undefined ? {} : { sessionPolicy: principal.sessionPolicy }),
      ...(request.action.startsWith('sts:')
        ? { resourcePolicy: this.roles.get(request.resource)?.trustPolicy }
        : {}),
      ...(request.action.startsWith('kms:')
        ? { resourcePolicy: this.keyPolicies.get(request.resource) }
        : {}),
    };
    const result = await runSimulation(simulation, {});
    if (result.resultType === 'error') return { allowed: false, detail: result.errors.message };
    return { allowed: result.overallResult === 'Allowed', detail: result.overallResult };
  }
}

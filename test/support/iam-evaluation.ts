/**
 * Evaluates IAM requests with @cloud-copilot/iam-simulate (the evaluator the
 * local cloud's front door uses), so policy tests judge the synthesized
 * documents the way IAM would.
 */
import {
  type EvaluationResult,
  runSimulation,
  runUnsafeSimulation,
  type Simulation,
} from '@cloud-copilot/iam-simulate';
import { LOCAL_ACCOUNT } from '../../lib/template/local-resolution.js';
import type { PolicyDocumentJson } from '../../lib/tenant-policy.js';

export type ContextValues = Readonly<Record<string, string | readonly string[]>>;

export interface AccessRequest {
  /** ARN of the calling principal (a role or an assumed-role session). */
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  /** Request context: session tags as `aws:PrincipalTag/<Key>`, `dynamodb:LeadingKeys`, `s3:prefix`, ... */
  readonly context?: ContextValues;
}

export interface PolicySet {
  /** Identity policies of the principal. */
  readonly identity: readonly PolicyDocumentJson[];
  /** Resource policy of the target (e.g. a role's trust policy). */
  readonly resource?: PolicyDocumentJson;
}

function simulationOf(policies: PolicySet, request: AccessRequest): Simulation {
  const contextVariables: Record<string, string | string[]> = {};
  for (const [key, value] of Object.entries(request.context ?? {})) {
    contextVariables[key] = typeof value === 'string' ? value : [...value];
  }
  return {
    request: {
      principal: request.principal,
      action: request.action,
      resource: { resource: request.resource, accountId: LOCAL_ACCOUNT.accountId },
      contextVariables,
    },
    identityPolicies: policies.identity.map((policy, index) => ({ name: `policy-${index}`, policy })),
    resourcePolicy: policies.resource,
    serviceControlPolicies: [],
    resourceControlPolicies: [],
  };
}

/** IAM's verdict on `request` under `policies`; throws if the simulator rejects the input. */
export async function evaluateAccess(policies: PolicySet, request: AccessRequest): Promise<EvaluationResult> {
  const result = await runSimulation(simulationOf(policies, request), {});
  if (result.resultType === 'error') throw new Error(`simulation rejected: ${JSON.stringify(result.errors)}`);
  return result.overallResult;
}

/**
 * IAM's verdict on a request for a resource the simulator's IAM data has no pattern for — the
 * Region-less foundation-model ARN (`arn:aws:bedrock:::foundation-model/<model>`) AWS authorizes
 * global inference profiles on: the same evaluation without the simulator's input validation.
 */
export function evaluateUnlistedResource(policies: PolicySet, request: AccessRequest): EvaluationResult {
  return runUnsafeSimulation(simulationOf(policies, request), {});
}

/** Session-tag context for a tenant session; omit a value to leave that tag out. */
export function sessionTags(tags: {
  readonly tenantId?: string;
  readonly userId?: string;
  /** The tenant's placement; a tenant session without one says `pool` (null: no Placement tag). */
  readonly placement?: 'pool' | 'silo' | null;
}): ContextValues {
  const context: Record<string, string> = {};
  if (tags.tenantId !== undefined) context['aws:PrincipalTag/TenantId'] = tags.tenantId;
  if (tags.userId !== undefined) context['aws:PrincipalTag/UserId'] = tags.userId;
  const placement =
    tags.placement === undefined ? (tags.tenantId === undefined ? null : 'pool') : tags.placement;
  if (placement !== null) context['aws:PrincipalTag/Placement'] = placement;
  return context;
}

/** The ARN of a session of `roleArn` (what a tenant session calls AWS as). */
export function assumedRoleSession(roleArn: string, sessionName = 'bulkhead-test'): string {
  const match = /^arn:([^:]+):iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(roleArn);
  if (!match) throw new Error(`not a role ARN: ${roleArn}`);
  const [, partition, account, roleName] = match;
  return `arn:${partition}:sts::${account}:assumed-role/${roleName}/${sessionName}`;
}

/**
 * A small CloudFormation (awsQuery): CreateStack from a known TemplateURL, DescribeStacks and
 * DeleteStack. As in AWS, creating and deleting run after the call has answered (poll
 * DescribeStacks), each resource is created or deleted with the permissions of the stack's service
 * role (RoleARN) — or the caller's without one — and a resource IAM refuses fails the stack: a
 * failed create rolls back what it made (ROLLBACK_COMPLETE), a failed delete leaves the stack
 * DELETE_FAILED with what is left. The front door has already checked the call itself
 * (`cloudformation:*`, `iam:PassRole`).
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import * as z from 'zod';
import { isRecord } from '../../lambdas/is-record.js';
import { asCfnTemplate, type CfnTemplate } from '../../lib/template/cfn-template.js';
import {
  bindStack,
  type LocalAccount,
  ParameterValueError,
  resolveIntrinsics,
} from '../../lib/template/local-resolution.js';
import { trustsService } from '../cloud-model.js';
import {
  CLOUDFORMATION_SERVICE,
  type CloudFormationRequest,
  CloudFormationValidationError,
  cloudFormationRequest,
} from '../front-door/cloudformation-request.js';
import type { IamRequest, ParsedRequest } from '../front-door/iam-request.js';
import type { Decision, PolicyEvaluator } from '../front-door/policy-evaluator.js';
import type { CredentialRegistry, Principal } from '../front-door/principals.js';
import { awsQueryError, QUERY_NAMESPACES } from '../front-door/service-errors.js';
import type { ResourceProvisioner } from '../resource-provisioner.js';
import {
  type ResourceOperation,
  type StackResource,
  stackResources,
  unsupportedTypes,
} from './cloudformation-resources.js';
import { type EmulatorResponse, xmlEscape, xmlResponse } from './emulator-response.js';

const STACK_STATUSES = [
  'CREATE_IN_PROGRESS',
  'CREATE_COMPLETE',
  'ROLLBACK_IN_PROGRESS',
  'ROLLBACK_COMPLETE',
  'ROLLBACK_FAILED',
  'DELETE_IN_PROGRESS',
  'DELETE_COMPLETE',
  'DELETE_FAILED',
] as const;
export type StackStatus = (typeof STACK_STATUSES)[number];

const RESOURCE_STATUSES = [
  'CREATE_IN_PROGRESS',
  'CREATE_COMPLETE',
  'CREATE_FAILED',
  'DELETE_COMPLETE',
  'DELETE_FAILED',
  'DELETE_SKIPPED',
] as const;
export type ResourceStatus = (typeof RESOURCE_STATUSES)[number];

/** A stack as tests and the inspector see it. */
export interface StackView {
  readonly stackId: string;
  readonly stackName: string;
  readonly status: StackStatus;
  readonly statusReason?: string;
  readonly roleArn?: string;
  readonly parameters: Readonly<Record<string, string>>;
  readonly outputs: Readonly<Record<string, string>>;
  readonly tags: Readonly<Record<string, string>>;
  readonly resources: ReadonlyArray<{
    readonly logicalId: string;
    readonly type: string;
    readonly physicalId: string;
    readonly status: ResourceStatus | 'NOT_CREATED';
    readonly statusReason?: string;
  }>;
}

export interface CloudFormationEmulatorOptions {
  readonly account: LocalAccount;
  /** Templates by TemplateURL: the template assets the platform's functions are given. */
  readonly templates: ReadonlyMap<string, CfnTemplate>;
  readonly provisioner: ResourceProvisioner;
  /** May `principal` do this? The front door's IAM evaluation (always yes when IAM is off). */
  readonly authorize: (principal: Principal, request: IamRequest) => Promise<Decision>;
  /**
   * Where `save` writes the stacks and `restore` reads them back (the emulators keep the resources;
   * KMS key material is fresh after a restart). @default none: in memory only
   */
  readonly dataFile?: string;
  /** A session of a stack's service role, as CloudFormation assumes it; undefined when the role does not let it. */
  readonly assumeServiceRole: (roleArn: string) => Principal | undefined;
}

interface Stack {
  readonly template: CfnTemplate;
  readonly stackId: string;
  readonly stackName: string;
  readonly creationTime: Date;
  deletionTime?: Date;
  status: StackStatus;
  reason?: string;
  roleArn?: string;
  readonly parameters: Readonly<Record<string, string>>;
  readonly tags: Readonly<Record<string, string>>;
  readonly outputs: ReadonlyArray<{
    readonly key: string;
    readonly value: string;
    readonly description?: string;
  }>;
  readonly resources: readonly StackResource[];
  readonly resourceStatus: Map<string, { status: ResourceStatus; reason?: string }>;
  /** The operation in progress (creating, deleting), or the last one, settled. */
  operation: Promise<void>;
}

/** The stacks as `save` writes them. */
const SavedStacks = z.array(
  z.object({
    template: z.unknown(),
    stackId: z.string(),
    stackName: z.string(),
    creationTime: z.iso.datetime(),
    deletionTime: z.iso.datetime().optional(),
    status: z.enum(STACK_STATUSES),
    reason: z.string().optional(),
    roleArn: z.string().optional(),
    parameters: z.record(z.string(), z.string()),
    tags: z.record(z.string(), z.string()),
    resourceStatus: z.record(
      z.string(),
      z.object({ status: z.enum(RESOURCE_STATUSES), reason: z.string().optional() }),
    ),
  }),
);

/**
 * Sessions of service roles as CloudFormation gets them: only a role the evaluator knows whose
 * trust policy lets `cloudformation.amazonaws.com` assume it.
 */
export function serviceRoleSessions(
  evaluator: Pick<PolicyEvaluator, 'role'>,
  registry: Pick<CredentialRegistry, 'createSession'>,
): CloudFormationEmulatorOptions['assumeServiceRole'] {
  return (roleArn) =>
    trustsService(evaluator.role(roleArn)?.trustPolicy, CLOUDFORMATION_SERVICE)
      ? registry.createSession({ roleArn, sessionName: 'AWSCloudFormation', durationSeconds: 3600, tags: {} })
      : undefined;
}

/** Answered as a CloudFormation error (ValidationError, AlreadyExistsException). */
class CloudFormationError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'CloudFormationError';
  }
}

const NAMESPACE = QUERY_NAMESPACES.cloudformation;
const STACK_ID_PREFIX = 'arn:aws:cloudformation:';

export class CloudFormationEmulator {
  /** Every stack ever created, deleted ones too (described by id, as in AWS). */
  private readonly stacks: Stack[] = [];

  constructor(private readonly options: CloudFormationEmulatorOptions) {}

  /** Handles one request the front door has authorized, from `caller`. */
  handle(request: ParsedRequest, caller: Principal): EmulatorResponse {
    const requestId = randomUUID();
    try {
      const parsed = cloudFormationRequest(request);
      switch (parsed.action) {
        case 'CreateStack':
          return this.answer(
            'CreateStack',
            `<StackId>${xmlEscape(this.createStack(parsed, caller).stackId)}</StackId>`,
            requestId,
          );
        case 'DescribeStacks':
          return this.answer(
            'DescribeStacks',
            `<Stacks>${this.describe(parsed.stackName).join('')}</Stacks>`,
            requestId,
          );
        case 'DeleteStack':
          this.deleteStack(parsed, caller);
          return this.answer('DeleteStack', undefined, requestId);
      }
    } catch (err) {
      if (err instanceof CloudFormationError)
        return awsQueryError(NAMESPACE, 400, err.code, err.message, requestId);
      if (err instanceof CloudFormationValidationError || err instanceof ParameterValueError)
        return awsQueryError(NAMESPACE, 400, 'ValidationError', err.message, requestId);
      throw err;
    }
  }

  /** Every stack, deleted ones included, oldest first. */
  list(): StackView[] {
    return this.stacks.map((stack) => ({
      stackId: stack.stackId,
      stackName: stack.stackName,
      status: stack.status,
      ...(stack.reason === undefined ? {} : { statusReason: stack.reason }),
      ...(stack.roleArn === undefined ? {} : { roleArn: stack.roleArn }),
      parameters: stack.parameters,
      outputs: Object.fromEntries(stack.outputs.map((output) => [output.key, output.value])),
      tags: stack.tags,
      resources: stack.resources.map((resource) => {
        const state = stack.resourceStatus.get(resource.logicalId);
        return {
          logicalId: resource.logicalId,
          type: resource.type,
          physicalId: resource.physicalId,
          status: state?.status ?? 'NOT_CREATED',
          ...(state?.reason === undefined ? {} : { statusReason: state.reason }),
        };
      }),
    }));
  }

  /** Resolves when no stack operation is in progress. */
  async settled(): Promise<void> {
    await Promise.all(this.stacks.map((stack) => stack.operation));
  }

  /** Writes every stack to the data file, when there is one (call once operations have settled). */
  save(): void {
    const file = this.options.dataFile;
    if (file === undefined) return;
    const saved: z.input<typeof SavedStacks> = this.stacks.map((stack) => ({
      template: stack.template,
      stackId: stack.stackId,
      stackName: stack.stackName,
      creationTime: stack.creationTime.toISOString(),
      ...(stack.deletionTime === undefined ? {} : { deletionTime: stack.deletionTime.toISOString() }),
      status: stack.status,
      ...(stack.reason === undefined ? {} : { reason: stack.reason }),
      ...(stack.roleArn === undefined ? {} : { roleArn: stack.roleArn }),
      parameters: { ...stack.parameters },
      tags: { ...stack.tags },
      resourceStatus: Object.fromEntries(stack.resourceStatus),
    }));
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(saved));
  }

  /**
   * Reads the saved stacks back and brings their resources up again in the emulators: the tables,
   * buckets and vector bucket the emulators kept are adopted; keys and aliases are made again.
   */
  async restore(): Promise<void> {
    const file = this.options.dataFile;
    if (file === undefined) return;
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      return; // first run: nothing saved yet
    }
    const saved = SavedStacks.parse(JSON.parse(text));
    for (const record of saved) {
      const template = asCfnTemplate(record.template);
      const scope = bindStack(template, this.options.account, {
        stackName: record.stackName,
        stackId: record.stackId,
        parameters: record.parameters,
      });
      const { deletionTime, reason, roleArn } = record;
      const stack: Stack = {
        template,
        stackId: record.stackId,
        stackName: record.stackName,
        creationTime: new Date(record.creationTime),
        ...(deletionTime === undefined ? {} : { deletionTime: new Date(deletionTime) }),
        status: record.status,
        ...(reason === undefined ? {} : { reason }),
        ...(roleArn === undefined ? {} : { roleArn }),
        parameters: scope.stack.parameters,
        tags: record.tags,
        ...resolvedStack(template, scope),
        resourceStatus: new Map(Object.entries(record.resourceStatus)),
        operation: Promise.resolve(),
      };
      this.stacks.push(stack);
      for (const resource of stack.resources) {
        const status = stack.resourceStatus.get(resource.logicalId)?.status;
        if (status === 'CREATE_COMPLETE' || status === 'DELETE_FAILED')
          await resource.create.run(this.options.provisioner, 'adopt');
      }
    }
  }

  private createStack(
    request: Extract<CloudFormationRequest, { action: 'CreateStack' }>,
    caller: Principal,
  ): Stack {
    const template = this.options.templates.get(request.templateUrl);
    if (template === undefined)
      throw new CloudFormationError(
        'ValidationError',
        'TemplateURL must reference a valid S3 object to which you have access.',
      );
    const unsupported = unsupportedTypes(template);
    if (unsupported.length > 0)
      throw new CloudFormationError(
        'ValidationError',
        `Template format error: Unrecognized resource types: [${unsupported.join(',')}]`,
      );
    if (this.live(request.stackName) !== undefined)
      throw new CloudFormationError('AlreadyExistsException', `Stack [${request.stackName}] already exists`);
    const { account } = this.options;
    const stackId = `${STACK_ID_PREFIX}${account.region}:${account.accountId}:stack/${request.stackName}/${randomUUID()}`;
    const scope = bindStack(template, account, {
      stackName: request.stackName,
      stackId,
      parameters: request.parameters,
    });
    const stack: Stack = {
      template,
      stackId,
      stackName: request.stackName,
      creationTime: new Date(),
      status: 'CREATE_IN_PROGRESS',
      ...(request.roleArn === undefined ? {} : { roleArn: request.roleArn }),
      parameters: scope.stack.parameters,
      tags: request.tags,
      ...resolvedStack(template, scope),
      resourceStatus: new Map(),
      operation: Promise.resolve(),
    };
    const actor = this.actor(stack.roleArn, caller);
    this.stacks.push(stack);
    stack.operation = this.guarded(stack, () => this.create(stack, actor));
    return stack;
  }

  private deleteStack(
    request: Extract<CloudFormationRequest, { action: 'DeleteStack' }>,
    caller: Principal,
  ): void {
    const stack = this.find(request.stackName);
    // Deleting a stack that is gone (or never was) succeeds, as in AWS.
    if (stack === undefined || stack.status === 'DELETE_COMPLETE') return;
    const actor = this.actor(request.roleArn ?? stack.roleArn, caller);
    if (request.roleArn !== undefined) stack.roleArn = request.roleArn;
    stack.operation = stack.operation.then(() => this.guarded(stack, () => this.delete(stack, actor)));
  }

  /** Who acts on the stack's resources: a session of its service role, or the caller. */
  private actor(roleArn: string | undefined, caller: Principal): Principal {
    if (roleArn === undefined) return caller;
    const session = this.options.assumeServiceRole(roleArn);
    if (session === undefined)
      throw new CloudFormationError('ValidationError', `Role ${roleArn} is invalid or cannot be assumed`);
    return session;
  }

  /** Runs an operation; a fault of the emulator itself fails the stack rather than escaping. */
  private async guarded(stack: Stack, operation: () => Promise<void>): Promise<void> {
    try {
      await operation();
    } catch (err) {
      console.error(`local CloudFormation: ${stack.stackName} failed`, err);
      stack.status = stack.status.startsWith('DELETE') ? 'DELETE_FAILED' : 'ROLLBACK_FAILED';
      stack.reason = `Internal failure: ${err instanceof Error ? err.message : String(err)}`;
    }
  }

  private async create(stack: Stack, actor: Principal): Promise<void> {
    for (const resource of stack.resources) {
      stack.resourceStatus.set(resource.logicalId, { status: 'CREATE_IN_PROGRESS' });
      const failure = await this.attempt(actor, resource.create);
      if (failure === undefined) {
        stack.resourceStatus.set(resource.logicalId, { status: 'CREATE_COMPLETE' });
        continue;
      }
      stack.resourceStatus.set(resource.logicalId, { status: 'CREATE_FAILED', reason: failure });
      stack.status = 'ROLLBACK_IN_PROGRESS';
      stack.reason = `The following resource(s) failed to create: [${resource.logicalId}]. ${resource.logicalId}: ${failure}`;
      const left = await this.deleteResources(stack, actor);
      stack.status = left.length === 0 ? 'ROLLBACK_COMPLETE' : 'ROLLBACK_FAILED';
      if (left.length > 0) stack.reason += ` Rollback left: ${this.failures(stack, left)}`;
      return;
    }
    stack.status = 'CREATE_COMPLETE';
  }

  private async delete(stack: Stack, actor: Principal): Promise<void> {
    stack.status = 'DELETE_IN_PROGRESS';
    delete stack.reason;
    const left = await this.deleteResources(stack, actor);
    if (left.length > 0) {
      stack.status = 'DELETE_FAILED';
      stack.reason = `The following resource(s) failed to delete: [${left.join(', ')}]. ${this.failures(stack, left)}`;
      return;
    }
    stack.status = 'DELETE_COMPLETE';
    stack.deletionTime = new Date();
  }

  /**
   * Deletes the stack's existing resources, dependents first; a resource stays while one that
   * depends on it could not be deleted. Returns the logical ids that failed to delete.
   */
  private async deleteResources(stack: Stack, actor: Principal): Promise<string[]> {
    const exists = (logicalId: string): boolean => {
      const status = stack.resourceStatus.get(logicalId)?.status;
      return status === 'CREATE_COMPLETE' || status === 'DELETE_FAILED';
    };
    const failed: string[] = [];
    for (const resource of [...stack.resources].reverse()) {
      if (!exists(resource.logicalId)) continue;
      const blocked = stack.resources.some(
        (other) => other.dependsOn.includes(resource.logicalId) && exists(other.logicalId),
      );
      if (blocked) continue;
      if (resource.retain) {
        stack.resourceStatus.set(resource.logicalId, { status: 'DELETE_SKIPPED' });
        continue;
      }
      const failure = await this.attempt(actor, resource.delete);
      stack.resourceStatus.set(
        resource.logicalId,
        failure === undefined ? { status: 'DELETE_COMPLETE' } : { status: 'DELETE_FAILED', reason: failure },
      );
      if (failure !== undefined) failed.push(resource.logicalId);
    }
    return failed;
  }

  private failures(stack: Stack, logicalIds: readonly string[]): string {
    return logicalIds.map((id) => `${id}: ${stack.resourceStatus.get(id)?.reason ?? ''}`).join(' ');
  }

  /** Asks IAM about each of the operation's requests as `actor`, then runs it. Why it failed, or undefined. */
  private async attempt(actor: Principal, operation: ResourceOperation): Promise<string | undefined> {
    for (const request of operation.iamRequests) {
      const decision = await this.options.authorize(actor, request);
      if (!decision.allowed)
        return `User: ${actor.arn} is not authorized to perform: ${request.action} on resource: ${request.resource} (AccessDenied: ${decision.detail})`;
    }
    try {
      await operation.run(this.options.provisioner, 'fail');
      return undefined;
    } catch (err) {
      const code = isRecord(err) && typeof err.code === 'string' ? ` (${err.code})` : '';
      return `${err instanceof Error ? err.message : String(err)}${code}`;
    }
  }

  /** The live stack of that name (any state but DELETE_COMPLETE). */
  private live(stackName: string): Stack | undefined {
    return this.stacks.find((stack) => stack.stackName === stackName && stack.status !== 'DELETE_COMPLETE');
  }

  /** By id: any stack, deleted too; by name: the live one. */
  private find(nameOrId: string): Stack | undefined {
    return nameOrId.startsWith(STACK_ID_PREFIX)
      ? this.stacks.find((stack) => stack.stackId === nameOrId)
      : this.live(nameOrId);
  }

  private describe(nameOrId: string | undefined): string[] {
    if (nameOrId === undefined)
      return this.stacks.filter((stack) => stack.status !== 'DELETE_COMPLETE').map(stackXml);
    const stack = this.find(nameOrId);
    if (stack === undefined)
      throw new CloudFormationError('ValidationError', `Stack with id ${nameOrId} does not exist`);
    return [stackXml(stack)];
  }

  private answer(action: string, result: string | undefined, requestId: string): EmulatorResponse {
    const body = result === undefined ? '' : `<${action}Result>${result}</${action}Result>`;
    return xmlResponse(
      200,
      `<${action}Response xmlns="${NAMESPACE}">${body}<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`,
    );
  }
}

/** The stack's resources and outputs with its parameters bound; what cannot be resolved is a template error. */
function resolvedStack(template: CfnTemplate, scope: LocalAccount): Pick<Stack, 'resources' | 'outputs'> {
  try {
    const outputs = isRecord(template.Outputs) ? template.Outputs : {};
    return {
      resources: stackResources(template, scope),
      outputs: Object.entries(outputs).map(([key, output]) => ({
        key,
        value: String(resolveIntrinsics(isRecord(output) ? output.Value : undefined, template, scope)),
        ...(isRecord(output) && typeof output.Description === 'string'
          ? { description: output.Description }
          : {}),
      })),
    };
  } catch (err) {
    if (!(err instanceof Error)) throw err;
    throw new CloudFormationError('ValidationError', `Template error: ${err.message}`);
  }
}

const element = (name: string, value: string | undefined): string =>
  value === undefined ? '' : `<${name}>${xmlEscape(value)}</${name}>`;

const memberList = (name: string, entries: readonly string[]): string =>
  `<${name}>${entries.map((entry) => `<member>${entry}</member>`).join('')}</${name}>`;

function stackXml(stack: Stack): string {
  const complete = stack.status === 'CREATE_COMPLETE';
  return (
    '<member>' +
    element('StackId', stack.stackId) +
    element('StackName', stack.stackName) +
    element('CreationTime', stack.creationTime.toISOString()) +
    element('DeletionTime', stack.deletionTime?.toISOString()) +
    element('StackStatus', stack.status) +
    element('StackStatusReason', stack.reason) +
    element('RoleARN', stack.roleArn) +
    '<DisableRollback>false</DisableRollback>' +
    memberList(
      'Parameters',
      Object.entries(stack.parameters).map(
        ([key, value]) => element('ParameterKey', key) + element('ParameterValue', value),
      ),
    ) +
    // Outputs exist once the resources do.
    memberList(
      'Outputs',
      (complete ? stack.outputs : []).map(
        (output) =>
          element('OutputKey', output.key) +
          element('OutputValue', output.value) +
          element('Description', output.description),
      ),
    ) +
    memberList(
      'Tags',
      Object.entries(stack.tags).map(([key, value]) => element('Key', key) + element('Value', value)),
    ) +
    '</member>'
  );
}

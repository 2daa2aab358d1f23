/**
 * Silo stacks through CloudFormation: one stack per silo tenant, created from the silo template
 * the platform was deployed with (its URL), by the silo deployer role (CloudFormation acts with
 * that role's rights, never the placement job's), watched until ready, deleted when emptied.
 */
import {
  AlreadyExistsException,
  type CloudFormationClient,
  CreateStackCommand,
  DeleteStackCommand,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import { SILO_TEMPLATE_PARAMETERS, type SiloNaming, siloResourceNames } from '../tenancy/silo-names.js';

/** Where a silo stack is: none, on its way, ready, on its way out, or stuck (with CloudFormation's reason). */
export type SiloStackState =
  | { readonly state: 'absent' | 'creating' | 'ready' | 'deleting' }
  | { readonly state: 'failed'; readonly reason: string };

export interface SiloStackSettings {
  readonly naming: SiloNaming;
  /** The silo template, as the platform's deployment stored it. */
  readonly templateUrl: string;
  /** The CloudFormation service role that creates and deletes silo resources. */
  readonly deployerRoleArn: string;
  /** The platform's access-log bucket (silo buckets log there). */
  readonly accessLogsBucketName: string;
}

export class SiloStacks {
  constructor(
    private readonly cloudFormation: Pick<CloudFormationClient, 'send'>,
    private readonly settings: SiloStackSettings,
  ) {}

  /** Starts creating the tenant's silo stack; a stack of that name already there is left as it is. */
  async create(tenantId: string): Promise<void> {
    try {
      await this.cloudFormation.send(
        new CreateStackCommand({
          StackName: this.#stackName(tenantId),
          TemplateURL: this.settings.templateUrl,
          RoleARN: this.settings.deployerRoleArn,
          Parameters: [
            { ParameterKey: SILO_TEMPLATE_PARAMETERS.tenantId, ParameterValue: tenantId },
            {
              ParameterKey: SILO_TEMPLATE_PARAMETERS.accessLogsBucket,
              ParameterValue: this.settings.accessLogsBucketName,
            },
          ],
          // A failed creation rolls back; the placement job deletes it and tries again.
          OnFailure: 'ROLLBACK',
        }),
      );
    } catch (err) {
      if (!(err instanceof AlreadyExistsException)) throw err;
    }
  }

  async state(tenantId: string): Promise<SiloStackState> {
    let status: string | undefined;
    let reason: string | undefined;
    try {
      const output = await this.cloudFormation.send(
        new DescribeStacksCommand({ StackName: this.#stackName(tenantId) }),
      );
      const stack = output.Stacks?.[0];
      status = stack?.StackStatus;
      reason = stack?.StackStatusReason;
    } catch (err) {
      // CloudFormation answers a stack it does not know (or one deleted) with a ValidationError.
      if (err instanceof Error && err.name === 'ValidationError' && /does not exist/.test(err.message))
        return { state: 'absent' };
      throw err;
    }
    switch (status) {
      case undefined:
      case 'DELETE_COMPLETE':
        return { state: 'absent' };
      case 'CREATE_IN_PROGRESS':
        return { state: 'creating' };
      case 'CREATE_COMPLETE':
        return { state: 'ready' };
      case 'DELETE_IN_PROGRESS':
      case 'ROLLBACK_IN_PROGRESS':
        return { state: 'deleting' };
      default:
        return { state: 'failed', reason: `${status}${reason === undefined ? '' : `: ${reason}`}` };
    }
  }

  /** Starts deleting the tenant's silo stack (its resources must be empty). */
  remove(tenantId: string): Promise<void> {
    return deleteSiloStack(this.cloudFormation, this.settings.naming, tenantId);
  }

  #stackName(tenantId: string): string {
    return siloResourceNames(this.settings.naming, tenantId).stackName;
  }
}

/** Starts deleting `tenantId`'s silo stack (its resources must be empty): the placement and erasure jobs. */
export async function deleteSiloStack(
  cloudFormation: Pick<CloudFormationClient, 'send'>,
  naming: SiloNaming,
  tenantId: string,
): Promise<void> {
  await cloudFormation.send(
    new DeleteStackCommand({ StackName: siloResourceNames(naming, tenantId).stackName }),
  );
}

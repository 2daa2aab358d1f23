/**
 * The resource types a stack may hold locally, and for each: what creating and deleting it asks
 * IAM (as the role CloudFormation acts with, on the resource's ARN) and what it does through the
 * ResourceProvisioner — the same code that deploys the platform template. Bucket policies are
 * recorded, not enforced.
 */
import { randomBytes } from 'node:crypto';
import { isRecord } from '../../lambdas/is-record.js';
import type { CfnTemplate } from '../../lib/template/cfn-template.js';
import { type LocalAccount, resolveIntrinsics, resourceArn } from '../../lib/template/local-resolution.js';
import { bucketModel, kmsKeyModel, namedResource, tableModel } from '../cloud-model.js';
import type { IamRequest } from '../front-door/iam-request.js';
import type { ExistingTable, ResourceProvisioner } from '../resource-provisioner.js';

/** One step of a stack's life: the IAM questions it raises, then the work. */
export interface ResourceOperation {
  readonly iamRequests: readonly IamRequest[];
  /** `existing`: what creating does with a table already there (a restart adopts what DynamoDB Local kept). */
  run(provisioner: ResourceProvisioner, existing: ExistingTable): Promise<void>;
}

/** A resource of a stack, its names resolved with the stack's parameters. */
export interface StackResource {
  readonly logicalId: string;
  readonly type: string;
  /** Its physical name (a key's id, an alias's name, a bucket policy's bucket). */
  readonly physicalId: string;
  /** The resources it references: it is created after them and deleted before them. */
  readonly dependsOn: readonly string[];
  /** `DeletionPolicy: Retain` keeps it when the stack goes. */
  readonly retain: boolean;
  readonly create: ResourceOperation;
  readonly delete: ResourceOperation;
}

const asks = (action: string, resource: string, context: IamRequest['context'] = {}): IamRequest => ({
  action,
  resource,
  context,
});

/** A KMS key's tags (CloudFormation creates it with them), resolved. */
function keyTags(template: CfnTemplate, logicalId: string, account: LocalAccount): Record<string, string> {
  const tags = resolveIntrinsics(template.Resources[logicalId]?.Properties?.Tags, template, account);
  if (!Array.isArray(tags)) return {};
  return Object.fromEntries(
    tags.filter(isRecord).map((tag) => [String(tag.Key), String(tag.Value)] as const),
  );
}

/** The context of a request that creates a resource with `tags` (KMS reads aws:RequestTag). */
function requestTags(tags: Record<string, string>): IamRequest['context'] {
  return {
    ...Object.fromEntries(Object.entries(tags).map(([key, value]) => [`aws:RequestTag/${key}`, value])),
    ...(Object.keys(tags).length === 0 ? {} : { 'aws:TagKeys': Object.keys(tags) }),
  };
}

/** The context of a request on a resource that carries `tags` (aws:ResourceTag). */
function resourceTags(tags: Record<string, string>): IamRequest['context'] {
  return Object.fromEntries(Object.entries(tags).map(([key, value]) => [`aws:ResourceTag/${key}`, value]));
}

/** The logical id of the template key an alias points at (a Ref or GetAtt of it), if it is one. */
function targetKeyLogicalId(target: unknown): string | undefined {
  if (!isRecord(target)) return undefined;
  if (typeof target.Ref === 'string') return target.Ref;
  const getAtt = target['Fn::GetAtt'];
  return Array.isArray(getAtt) && typeof getAtt[0] === 'string' ? getAtt[0] : undefined;
}

/** How each supported type is created and deleted. */
const KINDS: Readonly<
  Record<
    string,
    (
      template: CfnTemplate,
      logicalId: string,
      account: LocalAccount,
    ) => Pick<StackResource, 'physicalId' | 'create' | 'delete'>
  >
> = {
  'AWS::KMS::Key': (template, logicalId, account) => {
    const key = kmsKeyModel(template, logicalId, account);
    const tags = keyTags(template, logicalId, account);
    return {
      physicalId: key.name,
      create: {
        iamRequests: [asks('kms:CreateKey', '*', requestTags(tags))],
        run: async (provisioner) => provisioner.createKey(key, randomBytes(32)),
      },
      delete: {
        iamRequests: [asks('kms:ScheduleKeyDeletion', key.arn, resourceTags(tags))],
        run: async (provisioner) => provisioner.scheduleKeyDeletion(key.arn),
      },
    };
  },
  'AWS::KMS::Alias': (template, logicalId, account) => {
    const alias = namedResource(template, logicalId, account);
    const target = String(
      resolveIntrinsics(template.Resources[logicalId]?.Properties?.TargetKeyId, template, account),
    );
    const keyArn = target.startsWith('arn:')
      ? target
      : `arn:${account.partition}:kms:${account.region}:${account.accountId}:key/${target}`;
    const targetKey = targetKeyLogicalId(template.Resources[logicalId]?.Properties?.TargetKeyId);
    const onKey = resourceTags(targetKey === undefined ? {} : keyTags(template, targetKey, account));
    // KMS asks about both the alias and the key it points at (with the key's tags).
    return {
      physicalId: alias.name,
      create: {
        iamRequests: [asks('kms:CreateAlias', alias.arn), asks('kms:CreateAlias', keyArn, onKey)],
        run: async (provisioner) => provisioner.createAlias(alias.name, keyArn),
      },
      delete: {
        iamRequests: [asks('kms:DeleteAlias', alias.arn), asks('kms:DeleteAlias', keyArn, onKey)],
        run: async (provisioner) => provisioner.deleteAlias(alias.name),
      },
    };
  },
  'AWS::DynamoDB::Table': (template, logicalId, account) => {
    const table = tableModel(template, logicalId, account);
    const arn = resourceArn(template, logicalId, account);
    return {
      physicalId: table.name,
      create: {
        iamRequests: [asks('dynamodb:CreateTable', arn)],
        run: (provisioner, existing) => provisioner.createTable(table, existing),
      },
      delete: {
        iamRequests: [asks('dynamodb:DeleteTable', arn)],
        run: (provisioner) => provisioner.deleteTable(table.name),
      },
    };
  },
  'AWS::S3::Bucket': (template, logicalId, account) => {
    const bucket = bucketModel(template, logicalId, account);
    const arn = resourceArn(template, logicalId, account);
    return {
      physicalId: bucket.name,
      create: {
        iamRequests: [
          asks('s3:CreateBucket', arn),
          ...(bucket.versioned ? [asks('s3:PutBucketVersioning', arn)] : []),
        ],
        run: (provisioner) => provisioner.createBucket(bucket),
      },
      delete: {
        iamRequests: [asks('s3:DeleteBucket', arn)],
        run: (provisioner) => provisioner.deleteBucket(bucket.name),
      },
    };
  },
  'AWS::S3::BucketPolicy': (template, logicalId, account) => {
    const bucket = String(
      resolveIntrinsics(template.Resources[logicalId]?.Properties?.Bucket, template, account),
    );
    const arn = `arn:${account.partition}:s3:::${bucket}`;
    return {
      physicalId: bucket,
      create: { iamRequests: [asks('s3:PutBucketPolicy', arn)], run: async () => {} },
      delete: { iamRequests: [asks('s3:DeleteBucketPolicy', arn)], run: async () => {} },
    };
  },
  'AWS::S3Vectors::VectorBucket': (template, logicalId, account) => {
    const { name, arn } = namedResource(template, logicalId, account);
    return {
      physicalId: name,
      create: {
        iamRequests: [asks('s3vectors:CreateVectorBucket', arn)],
        run: async (provisioner) => provisioner.createVectorBucket(name),
      },
      delete: {
        iamRequests: [asks('s3vectors:DeleteVectorBucket', arn)],
        run: async (provisioner) => provisioner.deleteVectorBucket(name),
      },
    };
  },
};

/** The template's resource types the local CloudFormation cannot create. */
export function unsupportedTypes(template: CfnTemplate): string[] {
  const types = Object.values(template.Resources).map((resource) => resource.Type);
  return [...new Set(types.filter((type) => KINDS[type] === undefined))];
}

/** The stack's resources in an order that creates each after the ones it references. */
export function stackResources(template: CfnTemplate, account: LocalAccount): StackResource[] {
  return creationOrder(template).map((logicalId) => {
    const resource = template.Resources[logicalId];
    const kind = resource === undefined ? undefined : KINDS[resource.Type];
    if (resource === undefined || kind === undefined)
      throw new Error(`${logicalId} is not a resource the local CloudFormation creates`);
    return {
      logicalId,
      type: resource.Type,
      dependsOn: dependencies(template, logicalId),
      retain: resource.DeletionPolicy === 'Retain',
      ...kind(template, logicalId, account),
    };
  });
}

/** The resources `logicalId` names (Ref, Fn::GetAtt, `${X}` in Fn::Sub, DependsOn). */
function dependencies(template: CfnTemplate, logicalId: string): string[] {
  const found = new Set<string>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      value.forEach(visit);
    } else if (typeof value === 'string') {
      for (const [, name] of value.matchAll(/\$\{([^}.!]+)[^}]*\}/g)) if (name !== undefined) found.add(name);
    } else if (isRecord(value)) {
      if (typeof value.Ref === 'string') found.add(value.Ref);
      const getAtt = value['Fn::GetAtt'];
      if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') found.add(getAtt[0]);
      Object.values(value).forEach(visit);
    }
  };
  const resource = template.Resources[logicalId];
  visit(resource?.Properties);
  visit([resource?.DependsOn ?? []].flat().map((id: unknown) => ({ Ref: id })));
  return [...found].filter((id) => id !== logicalId && id in template.Resources);
}

/** Logical ids, each after every resource it depends on. */
function creationOrder(template: CfnTemplate): string[] {
  const ordered: string[] = [];
  const visiting = new Set<string>();
  const place = (logicalId: string): void => {
    if (ordered.includes(logicalId)) return;
    if (visiting.has(logicalId)) throw new Error(`circular dependency through ${logicalId}`);
    visiting.add(logicalId);
    dependencies(template, logicalId).forEach(place);
    ordered.push(logicalId);
  };
  Object.keys(template.Resources).forEach(place);
  return ordered;
}

/**
 * The local CloudFormation driven by the real CloudFormationClient through the front door, with
 * the real silo template: the wire protocol (create, describe, delete, errors), the parameter
 * values flowing into resource names, and IAM — the caller's `iam:PassRole`, each resource created
 * with the service role's permissions and rolled back when one is refused, and deletion refused
 * by what is still inside a bucket or a vector bucket.
 */

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CloudFormationClient,
  CreateStackCommand,
  type CreateStackCommandInput,
  DeleteStackCommand,
  DescribeStacksCommand,
  type Stack,
  waitUntilStackCreateComplete,
} from '@aws-sdk/client-cloudformation';
import { DescribeTableCommand, DynamoDBClient, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import {
  DeleteObjectCommand,
  HeadBucketCommand,
  ListObjectVersionsCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import type { AwsCredentialIdentity } from '@smithy/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SILO_TEMPLATE_PARAMETERS } from '../../lambdas/tenancy/silo-names.js';
import { siloTemplate } from '../../lib/silo-stack.js';
import { DEFAULT_STACK_NAME as STACK_ID } from '../../lib/stack-name.js';
import { LOCAL_ACCOUNT } from '../../lib/template/local-resolution.js';
import {
  CloudFormationEmulator,
  type CloudFormationEmulatorOptions,
  serviceRoleSessions,
} from '../../local/emulators/cloudformation.js';
import { type DynamoDbLocal, startDynamoDbLocal } from '../../local/emulators/dynamodb-local.js';
import { KmsEmulator } from '../../local/emulators/kms.js';
import { type S3Emulator, startS3Emulator } from '../../local/emulators/s3.js';
import { S3VectorsEmulator } from '../../local/emulators/s3-vectors.js';
import { SecretsManagerEmulator } from '../../local/emulators/secrets-manager.js';
import { StandInModel } from '../../local/emulators/stand-in-model.js';
import { StsEmulator } from '../../local/emulators/sts.js';
import type { TableKeys } from '../../local/front-door/dynamodb-request.js';
import { type FrontDoor, startFrontDoor } from '../../local/front-door/front-door.js';
import { InjectedFaults } from '../../local/front-door/injected-faults.js';
import { PolicyEvaluator, type RoleDefinition } from '../../local/front-door/policy-evaluator.js';
import { CredentialRegistry } from '../../local/front-door/principals.js';
import { vectorBucketArnPrefix } from '../../local/front-door/s3vectors-request.js';
import { ResourceProvisioner } from '../../local/resource-provisioner.js';

const { accountId, region } = LOCAL_ACCOUNT;
const TEMPLATE_URL = `https://s3.${region}.amazonaws.com/cdk-hnb659fds-assets-${accountId}-${region}/silo.json`;
const ACCESS_LOGS = 'bulkhead-access-logs';
const role = (name: string) => `arn:aws:iam::${accountId}:role/${name}`;
const allow = (Action: string | string[], Resource: string | string[], Condition?: unknown) => ({
  Effect: 'Allow',
  Action,
  Resource,
  ...(Condition === undefined ? {} : { Condition }),
});
const policy = (...Statement: unknown[]) => ({ Version: '2012-10-17', Statement });

/** What the silo's service role may do: exactly the silo resources (names from silo-names.ts). */
const SILO_RESOURCE_ACTIONS: ReadonlyArray<readonly [string, string]> = [
  ['dynamodb:CreateTable', `arn:aws:dynamodb:${region}:${accountId}:table/${STACK_ID}-silo-*`],
  ['dynamodb:DeleteTable', `arn:aws:dynamodb:${region}:${accountId}:table/${STACK_ID}-silo-*`],
  ['s3:CreateBucket', 'arn:aws:s3:::bulkhead-silo-*'],
  ['s3:PutBucketVersioning', 'arn:aws:s3:::bulkhead-silo-*'],
  ['s3:DeleteBucket', 'arn:aws:s3:::bulkhead-silo-*'],
  ['s3:PutBucketPolicy', 'arn:aws:s3:::bulkhead-silo-*'],
  ['s3:DeleteBucketPolicy', 'arn:aws:s3:::bulkhead-silo-*'],
  ['s3vectors:CreateVectorBucket', `arn:aws:s3vectors:${region}:${accountId}:bucket/bulkhead-silo-*`],
  ['s3vectors:DeleteVectorBucket', `arn:aws:s3vectors:${region}:${accountId}:bucket/bulkhead-silo-*`],
  ['kms:CreateKey', '*'],
  ['kms:ScheduleKeyDeletion', `arn:aws:kms:${region}:${accountId}:key/*`],
  ['kms:CreateAlias', `arn:aws:kms:${region}:${accountId}:*`],
  ['kms:DeleteAlias', `arn:aws:kms:${region}:${accountId}:*`],
];
const serviceRolePolicy = (without?: string) =>
  policy(
    ...SILO_RESOURCE_ACTIONS.filter(([action]) => action !== without).map(([action, resource]) =>
      allow(action, resource),
    ),
  );

const DEPLOYER = role('SiloDeployer');
const NO_TABLE_DEPLOYER = role('SiloDeployerWithoutCreateTable');
const NO_VECTORS_DEPLOYER = role('SiloDeployerWithoutCreateVectorBucket');
const UNPASSABLE = role('SomeOtherRole');
const UNTRUSTING = role('LambdaOnlyRole');
const trusting = (service: string) =>
  policy({ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: service } });
/** A service role CloudFormation may assume, with these permissions. */
const serviceRole = (arn: string, permissions: unknown): RoleDefinition => ({
  arn,
  policies: [permissions],
  trustPolicy: trusting('cloudformation.amazonaws.com'),
});
const STACKS = `arn:aws:cloudformation:${region}:${accountId}:stack/${STACK_ID}-silo-*/*`;

const ROLES: RoleDefinition[] = [
  {
    // The placement job: stacks of silos, passing only the deployer roles, to CloudFormation only.
    arn: role('Placement'),
    policies: [
      policy(
        allow(
          ['cloudformation:CreateStack', 'cloudformation:DescribeStacks', 'cloudformation:DeleteStack'],
          STACKS,
        ),
        allow('iam:PassRole', [DEPLOYER, NO_TABLE_DEPLOYER, NO_VECTORS_DEPLOYER, UNTRUSTING], {
          StringEquals: { 'iam:PassedToService': 'cloudformation.amazonaws.com' },
        }),
        allow('kms:Encrypt', '*'),
      ),
    ],
  },
  serviceRole(DEPLOYER, serviceRolePolicy()),
  serviceRole(NO_TABLE_DEPLOYER, serviceRolePolicy('dynamodb:CreateTable')),
  serviceRole(NO_VECTORS_DEPLOYER, serviceRolePolicy('s3vectors:CreateVectorBucket')),
  serviceRole(UNPASSABLE, serviceRolePolicy()),
  // Passable, but it trusts Lambda, not CloudFormation.
  { arn: UNTRUSTING, policies: [serviceRolePolicy()], trustPolicy: trusting('lambda.amazonaws.com') },
  // An operator's console role: may describe every stack.
  {
    arn: role('Operator'),
    policies: [policy(allow('cloudformation:DescribeStacks', 'arn:aws:cloudformation:*:*:stack/*'))],
  },
  // A function that may not touch stacks at all.
  { arn: role('Bystander'), policies: [policy(allow('dynamodb:GetItem', '*'))] },
];

let dynamoDbLocal: DynamoDbLocal;
let s3Emulator: S3Emulator;
let frontDoor: FrontDoor;
let cloudFormation: CloudFormationEmulator;
let provisioner: ResourceProvisioner;
let vectors: S3VectorsEmulator;
let registry: CredentialRegistry;
let placement: AwsCredentialIdentity;
let rawDynamoDb: DynamoDBClient;
/** The emulator's options but the provisioner (a restart gets fresh front-door maps and KMS). */
let emulatorOptions: Omit<CloudFormationEmulatorOptions, 'provisioner'>;
/** A provisioner over the same DynamoDB Local, S3 and S3 Vectors, with fresh maps and KMS of its own. */
let restartedProvisioner: (tableKeys: Map<string, TableKeys>, kms: KmsEmulator) => ResourceProvisioner;
let dataDir: string;
const faults = new InjectedFaults();
let rawS3: S3Client;

beforeAll(async () => {
  [dynamoDbLocal, s3Emulator] = await Promise.all([startDynamoDbLocal(), startS3Emulator()]);
  registry = new CredentialRegistry(accountId);
  const keyPolicies = new Map<string, unknown>();
  const evaluator = new PolicyEvaluator(ROLES, accountId, keyPolicies);
  vectors = new S3VectorsEmulator({ bucketArnPrefix: vectorBucketArnPrefix(region, accountId) });
  const kms = new KmsEmulator(region, accountId);
  const secrets = new SecretsManagerEmulator(region, accountId);
  restartedProvisioner = (tableKeys, restartedKms) =>
    new ResourceProvisioner({
      region,
      dynamoDbEndpoint: dynamoDbLocal.endpoint,
      s3: s3Emulator,
      vectors,
      kms: restartedKms,
      secrets,
      tableKeys,
      keyPolicies,
    });
  provisioner = restartedProvisioner(new Map(), kms);
  dataDir = await mkdtemp(join(tmpdir(), 'bulkhead-cfn-'));
  emulatorOptions = {
    account: LOCAL_ACCOUNT,
    templates: new Map([[TEMPLATE_URL, siloTemplate(STACK_ID)]]),
    authorize: (principal, request) => evaluator.decide(principal, request),
    assumeServiceRole: serviceRoleSessions(evaluator, registry),
    dataFile: join(dataDir, 'cloudformation.json'),
  };
  cloudFormation = new CloudFormationEmulator({ ...emulatorOptions, provisioner });
  frontDoor = await startFrontDoor({
    region,
    accountId,
    registry,
    evaluator,
    enforceIam: true,
    dynamoDb: { endpoint: dynamoDbLocal.endpoint, tables: new Map() },
    s3Endpoint: s3Emulator.endpoint,
    vectors,
    sts: new StsEmulator(registry, () => false, accountId),
    secrets,
    kms,
    cloudFormation,
    faults,
    model: new StandInModel(),
  });
  placement = registry.issueFunctionCredentials(role('Placement'), 'placement');
  const root = { accessKeyId: 'root', secretAccessKey: 'root' };
  rawDynamoDb = new DynamoDBClient({ endpoint: dynamoDbLocal.endpoint, region, credentials: root });
  rawS3 = new S3Client({ endpoint: s3Emulator.endpoint, region, credentials: root, forcePathStyle: true });
}, 120_000);

afterAll(async () => {
  await cloudFormation?.settled();
  provisioner?.close();
  rawDynamoDb?.destroy();
  rawS3?.destroy();
  await frontDoor?.stop();
  await s3Emulator?.stop();
  await dynamoDbLocal?.stop();
  if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
});

const client = (credentials: AwsCredentialIdentity = placement) =>
  new CloudFormationClient({ endpoint: frontDoor.endpoint, region, credentials, maxAttempts: 1 });

const siloStack = (
  tenantId: string,
  input: Partial<CreateStackCommandInput> = {},
): CreateStackCommandInput => ({
  StackName: `${STACK_ID}-silo-${tenantId}`,
  TemplateURL: TEMPLATE_URL,
  Parameters: [
    { ParameterKey: SILO_TEMPLATE_PARAMETERS.tenantId, ParameterValue: tenantId },
    { ParameterKey: SILO_TEMPLATE_PARAMETERS.accessLogsBucket, ParameterValue: ACCESS_LOGS },
  ],
  RoleARN: DEPLOYER,
  ...input,
});

/** The stack once its operation has finished, as DescribeStacks reports it. */
async function settledStack(stackName: string): Promise<Stack> {
  await cloudFormation.settled();
  const { Stacks } = await client().send(new DescribeStacksCommand({ StackName: stackName }));
  const [stack] = Stacks ?? [];
  if (stack === undefined) throw new Error(`no stack ${stackName}`);
  return stack;
}

const tableExists = (TableName: string) =>
  rawDynamoDb.send(new DescribeTableCommand({ TableName })).then(
    () => true,
    (err: unknown) => {
      if (err instanceof ResourceNotFoundException) return false;
      throw err;
    },
  );
const bucketExists = (Bucket: string) =>
  rawS3.send(new HeadBucketCommand({ Bucket })).then(
    () => true,
    () => false,
  );
/** A vector bucket exists when an index can be made in it (the emulator answers NotFound otherwise). */
const createIndex = (vectorBucketName: string, indexName = 'probe') =>
  vectors.handle('CreateIndex', {
    vectorBucketName,
    indexName,
    dimension: 3,
    distanceMetric: 'cosine',
    dataType: 'float32',
  }).status;

const names = (tenantId: string) => ({
  table: `${STACK_ID}-silo-${tenantId}`,
  bucket: `bulkhead-silo-${tenantId}-${accountId}-${region}`,
  vectorBucket: `bulkhead-silo-${tenantId}`,
  alias: `alias/${STACK_ID}/silo/${tenantId}`,
});

describe('CreateStack and DescribeStacks', () => {
  it('creates the silo of a tenant with names from its parameters, reported by the SDK waiter', async () => {
    const { StackId } = await client().send(new CreateStackCommand(siloStack('acme')));
    expect(StackId).toMatch(
      new RegExp(`^arn:aws:cloudformation:${region}:${accountId}:stack/${STACK_ID}-silo-acme/[0-9a-f-]{36}$`),
    );

    const waited = await waitUntilStackCreateComplete(
      { client: client(), maxWaitTime: 10, minDelay: 1 },
      { StackName: StackId },
    );
    const stack = await settledStack(`${STACK_ID}-silo-acme`);

    expect(waited.state).toBe('SUCCESS');
    expect(stack).toMatchObject({ StackId, StackStatus: 'CREATE_COMPLETE', RoleARN: DEPLOYER });
    expect(stack.Parameters).toEqual(
      expect.arrayContaining([
        { ParameterKey: 'TenantId', ParameterValue: 'acme' },
        { ParameterKey: 'AccessLogsBucketName', ParameterValue: ACCESS_LOGS },
      ]),
    );
    const outputs = Object.fromEntries((stack.Outputs ?? []).map((o) => [o.OutputKey, o.OutputValue]));
    expect(outputs).toEqual({
      TableName: names('acme').table,
      BucketName: names('acme').bucket,
      VectorBucketName: names('acme').vectorBucket,
    });
    expect(names('acme')).toEqual({
      table: 'Bulkhead-silo-acme',
      bucket: 'bulkhead-silo-acme-000000000000-us-east-1',
      vectorBucket: 'bulkhead-silo-acme',
      alias: 'alias/Bulkhead/silo/acme',
    });
    expect(await tableExists(names('acme').table)).toBe(true);
    expect(await bucketExists(names('acme').bucket)).toBe(true);
    expect(createIndex(names('acme').vectorBucket)).toBe(200);
    // The key is reachable by its alias (and a second tenant's silo gets names of its own).
    const kms = new KMSClient({
      endpoint: frontDoor.endpoint,
      region,
      credentials: placement,
      maxAttempts: 1,
    });
    const sealed = await kms.send(
      new EncryptCommand({ KeyId: names('acme').alias, Plaintext: Buffer.from('x') }),
    );
    expect(sealed.KeyId).toMatch(new RegExp(`^arn:aws:kms:${region}:${accountId}:key/[0-9a-f-]{36}$`));
  });

  it('refuses a second live stack of the same name (AlreadyExistsException)', async () => {
    await client().send(new CreateStackCommand(siloStack('dupe')));
    await expect(client().send(new CreateStackCommand(siloStack('dupe')))).rejects.toMatchObject({
      name: 'AlreadyExistsException',
      message: `Stack [${STACK_ID}-silo-dupe] already exists`,
    });
  });

  it('answers ValidationError for an unknown stack, an unknown TemplateURL and a parameter off its pattern', async () => {
    await expect(
      client().send(new DescribeStacksCommand({ StackName: `${STACK_ID}-silo-nobody` })),
    ).rejects.toMatchObject({
      name: 'ValidationError',
      message: `Stack with id ${STACK_ID}-silo-nobody does not exist`,
    });
    await expect(
      client().send(
        new CreateStackCommand(siloStack('elsewhere', { TemplateURL: 'https://example.com/other.json' })),
      ),
    ).rejects.toMatchObject({ name: 'ValidationError' });
    await expect(
      client().send(
        new CreateStackCommand(
          siloStack('bad', { Parameters: [{ ParameterKey: 'TenantId', ParameterValue: 'Not_A_Tenant' }] }),
        ),
      ),
    ).rejects.toMatchObject({ name: 'ValidationError', message: expect.stringMatching(/TenantId/) });
    expect(cloudFormation.list().map((stack) => stack.stackName)).not.toContain(`${STACK_ID}-silo-elsewhere`);
  });
});

describe('an outage', () => {
  it('answers an injected fault as CloudFormation does (ServiceUnavailable), then serves again', async () => {
    faults.failNext('cloudformation:DescribeStacks', 1);
    const describe = () => client().send(new DescribeStacksCommand({ StackName: `${STACK_ID}-silo-acme` }));

    await expect(describe()).rejects.toMatchObject({
      name: 'ServiceUnavailable',
      $metadata: { httpStatusCode: 503 },
    });
    expect((await describe()).Stacks?.[0]?.StackStatus).toBe('CREATE_COMPLETE');
  });
});

describe('IAM on stacks', () => {
  it('denies CreateStack with a role the caller may not pass, and creates nothing', async () => {
    await expect(
      client().send(new CreateStackCommand(siloStack('nopass', { RoleARN: UNPASSABLE }))),
    ).rejects.toMatchObject({ name: 'AccessDenied', message: expect.stringMatching(/iam:PassRole/) });
    expect(cloudFormation.list().map((stack) => stack.stackName)).not.toContain(`${STACK_ID}-silo-nopass`);
    expect(await tableExists(names('nopass').table)).toBe(false);
  });

  it('refuses a service role that does not trust CloudFormation (ValidationError), and creates nothing', async () => {
    await expect(
      client().send(new CreateStackCommand(siloStack('untrusted', { RoleARN: UNTRUSTING }))),
    ).rejects.toMatchObject({
      name: 'ValidationError',
      message: `Role ${UNTRUSTING} is invalid or cannot be assumed`,
    });
    expect(cloudFormation.list().map((stack) => stack.stackName)).not.toContain(`${STACK_ID}-silo-untrusted`);
  });

  it('lists every stack only to a caller allowed every stack', async () => {
    const bystander = registry.issueFunctionCredentials(role('Bystander'), 'bystander');
    await expect(client(bystander).send(new DescribeStacksCommand({}))).rejects.toMatchObject({
      name: 'AccessDenied',
      message: expect.stringMatching(/cloudformation:DescribeStacks/),
    });
    // The placement role may describe silo stacks by name, not list every stack in the account.
    await expect(client().send(new DescribeStacksCommand({}))).rejects.toMatchObject({
      name: 'AccessDenied',
    });
  });

  it.each([
    ['dynamodb:CreateTable', NO_TABLE_DEPLOYER, 'nottable'],
    ['s3vectors:CreateVectorBucket', NO_VECTORS_DEPLOYER, 'novectors'],
  ])(
    'fails the stack when the service role lacks %s, and rolls back what it had made',
    async (action, roleArn, tenantId) => {
      await client().send(new CreateStackCommand(siloStack(tenantId, { RoleARN: roleArn })));

      const stack = await settledStack(`${STACK_ID}-silo-${tenantId}`);

      expect(stack.StackStatus).toBe('ROLLBACK_COMPLETE');
      expect(stack.StackStatusReason).toContain(`is not authorized to perform: ${action}`);
      expect(stack.StackStatusReason).toContain('assumed-role/');
      expect(stack.Outputs ?? []).toEqual([]);
      const view = cloudFormation.list().find((s) => s.stackId === stack.StackId);
      const statuses = Object.fromEntries((view?.resources ?? []).map((r) => [r.type, r.status]));
      expect(Object.values(statuses).filter((status) => status === 'CREATE_FAILED')).toHaveLength(1);
      expect(Object.values(statuses)).not.toContain('CREATE_COMPLETE');
      expect(statuses['AWS::KMS::Alias']).toBe('DELETE_COMPLETE');
      expect(await tableExists(names(tenantId).table)).toBe(false);
      expect(await bucketExists(names(tenantId).bucket)).toBe(false);
      expect(createIndex(names(tenantId).vectorBucket)).toBe(404);
      // The key it made is scheduled for deletion: no longer usable.
      const keyId = view?.resources.find((r) => r.type === 'AWS::KMS::Key')?.physicalId;
      const kms = new KMSClient({
        endpoint: frontDoor.endpoint,
        region,
        credentials: placement,
        maxAttempts: 1,
      });
      await expect(
        kms.send(
          new EncryptCommand({
            KeyId: `arn:aws:kms:${region}:${accountId}:key/${keyId}`,
            Plaintext: Buffer.from('x'),
          }),
        ),
      ).rejects.toMatchObject({ name: 'KMSInvalidStateException' });
    },
  );

  it("creates each resource with the caller's own permissions when no RoleARN is given", async () => {
    await client().send(new CreateStackCommand(siloStack('norole', { RoleARN: undefined })));

    const stack = await settledStack(`${STACK_ID}-silo-norole`);

    // The placement role may manage stacks, not create keys or tables itself.
    expect(stack.StackStatus).toBe('ROLLBACK_COMPLETE');
    expect(stack.StackStatusReason).toMatch(
      /assumed-role\/Placement\/placement is not authorized to perform: kms:CreateKey/,
    );
  });
});

describe('DeleteStack', () => {
  it('fails while the bucket holds an object version, then deletes everything once it is empty', async () => {
    const { StackId } = await client().send(new CreateStackCommand(siloStack('leaver')));
    expect((await settledStack(`${STACK_ID}-silo-leaver`)).StackStatus).toBe('CREATE_COMPLETE');
    const { bucket, table, vectorBucket } = names('leaver');
    await rawS3.send(
      new PutObjectCommand({ Bucket: bucket, Key: 'tenants/leaver/doc.md', Body: 'left behind' }),
    );
    await rawS3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'tenants/leaver/doc.md' }));

    await client().send(new DeleteStackCommand({ StackName: `${STACK_ID}-silo-leaver` }));
    const failed = await settledStack(`${STACK_ID}-silo-leaver`);

    expect(failed.StackStatus).toBe('DELETE_FAILED');
    expect(failed.StackStatusReason).toMatch(/BucketNotEmpty/);
    expect(await bucketExists(bucket)).toBe(true);
    expect(await tableExists(table)).toBe(false);

    // Only every version gone (the delete marker too) empties a versioned bucket.
    const { Versions = [], DeleteMarkers = [] } = await rawS3.send(
      new ListObjectVersionsCommand({ Bucket: bucket }),
    );
    for (const version of [...Versions, ...DeleteMarkers])
      await rawS3.send(
        new DeleteObjectCommand({ Bucket: bucket, Key: version.Key, VersionId: version.VersionId }),
      );
    await client().send(new DeleteStackCommand({ StackName: StackId }));
    await cloudFormation.settled();

    const { Stacks } = await client().send(new DescribeStacksCommand({ StackName: StackId }));
    expect(Stacks?.[0]?.StackStatus).toBe('DELETE_COMPLETE');
    await expect(
      client().send(new DescribeStacksCommand({ StackName: `${STACK_ID}-silo-leaver` })),
    ).rejects.toMatchObject({
      name: 'ValidationError',
    });
    expect(await bucketExists(bucket)).toBe(false);
    expect(createIndex(vectorBucket)).toBe(404);
    // Deleting again is a no-op, by name and by id.
    await client().send(new DeleteStackCommand({ StackName: `${STACK_ID}-silo-leaver` }));
    await client().send(new DeleteStackCommand({ StackName: StackId }));
  });

  it('fails while the vector bucket holds an index', async () => {
    await client().send(new CreateStackCommand(siloStack('indexed')));
    await cloudFormation.settled();
    expect(createIndex(names('indexed').vectorBucket, 'tenant-index')).toBe(200);

    await client().send(new DeleteStackCommand({ StackName: `${STACK_ID}-silo-indexed` }));
    const stack = await settledStack(`${STACK_ID}-silo-indexed`);

    expect(stack.StackStatus).toBe('DELETE_FAILED');
    expect(stack.StackStatusReason).toMatch(
      /DataVectors\w*: vector bucket bulkhead-silo-indexed is not empty/,
    );
  });
});

describe('a restart with a data directory', () => {
  it('brings the stacks back: the same statuses, the tables known to the front door again, the alias to a key', async () => {
    await client().send(new CreateStackCommand(siloStack('keeper')));
    await cloudFormation.settled();
    cloudFormation.save();
    const tableKeys = new Map<string, TableKeys>();
    const kms = new KmsEmulator(region, accountId);
    const restarted = restartedProvisioner(tableKeys, kms);

    const restored = new CloudFormationEmulator({ ...emulatorOptions, provisioner: restarted });
    await restored.restore();
    restarted.close();

    expect(restored.list()).toEqual(cloudFormation.list());
    expect(restored.list().find((stack) => stack.stackName === `${STACK_ID}-silo-keeper`)?.status).toBe(
      'CREATE_COMPLETE',
    );
    expect(tableKeys.get(names('keeper').table)).toEqual({ partitionKey: 'pk', indexPartitionKeys: {} });
    // A deleted stack's table is not brought back.
    expect(tableKeys.has(names('leaver').table)).toBe(false);
    const keyId = restored
      .list()
      .find((stack) => stack.stackName === `${STACK_ID}-silo-keeper`)
      ?.resources.find((resource) => resource.type === 'AWS::KMS::Key')?.physicalId;
    expect(
      kms.keyArnOf({ operation: 'Encrypt', body: { KeyId: names('keeper').alias }, encryptionContext: {} }),
    ).toBe(`arn:aws:kms:${region}:${accountId}:key/${keyId}`);
  });
});

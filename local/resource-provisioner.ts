/**
 * Creates and deletes what CloudFormation would — tables, buckets, vector buckets, KMS keys and
 * aliases, secret values — in the emulators themselves: this is provisioning, not data access, so
 * it bypasses the front door (whoever calls it has been authorized already). The platform template
 * is deployed through it at start (`deployPlatformResources`), and so is every stack the local
 * CloudFormation creates (local/emulators/cloudformation.ts).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CreateTableCommand,
  DeleteTableCommand,
  DynamoDBClient,
  ResourceInUseException,
} from '@aws-sdk/client-dynamodb';
import type { BucketModel, CloudModel, KmsKeyModel, TableModel } from './cloud-model.js';
import type { KmsEmulator } from './emulators/kms.js';
import type { S3Emulator } from './emulators/s3.js';
import type { S3VectorsEmulator } from './emulators/s3-vectors.js';
import type { SecretsManagerEmulator } from './emulators/secrets-manager.js';
import type { TableKeys } from './front-door/dynamodb-request.js';

export interface ProvisioningTargets {
  readonly region: string;
  readonly dynamoDbEndpoint: string;
  readonly s3: Pick<S3Emulator, 'createBucket' | 'deleteBucket'>;
  readonly vectors: Pick<S3VectorsEmulator, 'createVectorBucket' | 'deleteVectorBucket'>;
  readonly kms: Pick<KmsEmulator, 'addKey' | 'scheduleKeyDeletion' | 'addAlias' | 'deleteAlias'>;
  readonly secrets: Pick<SecretsManagerEmulator, 'put'>;
  /** The front door's key schemas by table name (for `dynamodb:LeadingKeys`): kept in step with the tables. */
  readonly tableKeys: Map<string, TableKeys>;
  /** The front door's key policies by key ARN: kept in step with the keys. */
  readonly keyPolicies: Map<string, unknown>;
}

/** What to do when a table of that name is already there. */
export type ExistingTable = 'adopt' | 'fail';

export class ResourceProvisioner {
  private readonly dynamoDb: DynamoDBClient;

  constructor(private readonly targets: ProvisioningTargets) {
    this.dynamoDb = new DynamoDBClient({
      endpoint: targets.dynamoDbEndpoint,
      region: targets.region,
      credentials: { accessKeyId: 'provisioner', secretAccessKey: 'provisioner' },
    });
  }

  /** Creates a table; `adopt` keeps one a persisted database already has. */
  async createTable(table: TableModel, existing: ExistingTable): Promise<void> {
    try {
      await this.dynamoDb.send(new CreateTableCommand(table.createInput));
    } catch (err) {
      if (!(existing === 'adopt' && err instanceof ResourceInUseException)) throw err;
    }
    this.targets.tableKeys.set(table.name, table.keys);
  }

  async deleteTable(name: string): Promise<void> {
    await this.dynamoDb.send(new DeleteTableCommand({ TableName: name }));
    this.targets.tableKeys.delete(name);
  }

  createBucket({ name, ...configuration }: BucketModel): Promise<void> {
    return this.targets.s3.createBucket(name, configuration);
  }

  /** Fails with S3's BucketNotEmpty while any object version is left. */
  deleteBucket(name: string): Promise<void> {
    return this.targets.s3.deleteBucket(name);
  }

  createVectorBucket(name: string): void {
    this.targets.vectors.createVectorBucket(name);
  }

  /** Fails while the vector bucket holds an index. */
  deleteVectorBucket(name: string): void {
    this.targets.vectors.deleteVectorBucket(name);
  }

  /** A key with its material (32 bytes) and key policy. */
  createKey(key: KmsKeyModel, material: Buffer): void {
    this.targets.kms.addKey(key.arn, material, key.keySpec);
    this.targets.keyPolicies.set(key.arn, key.keyPolicy);
  }

  scheduleKeyDeletion(keyArn: string): void {
    this.targets.kms.scheduleKeyDeletion(keyArn);
  }

  createAlias(aliasName: string, keyArn: string): void {
    this.targets.kms.addAlias(aliasName, keyArn);
  }

  deleteAlias(aliasName: string): void {
    this.targets.kms.deleteAlias(aliasName);
  }

  putSecret(arn: string, name: string, value: string): void {
    this.targets.secrets.put(arn, name, value);
  }

  close(): void {
    this.dynamoDb.destroy();
  }
}

/**
 * Deploys the platform template's resources at start: tables (a persisted database keeps its own),
 * buckets (versioned and locked as the template says), vector buckets, secret values and KMS key
 * material — persisted under `dataDir` so tenant tags and sealed tokens stay readable across runs.
 */
export async function deployPlatformResources(
  model: CloudModel,
  provisioner: ResourceProvisioner,
  dataDir: string | undefined,
): Promise<void> {
  await Promise.all(model.tables.map((table) => provisioner.createTable(table, 'adopt')));
  await Promise.all(model.buckets.map((bucket) => provisioner.createBucket(bucket)));
  for (const bucket of model.vectorBuckets) provisioner.createVectorBucket(bucket);
  for (const secret of model.secrets) {
    provisioner.putSecret(secret.arn, secret.name, await secretValue(secret.logicalId, dataDir));
  }
  for (const key of model.kmsKeys) {
    provisioner.createKey(key, Buffer.from(await secretValue(key.logicalId, dataDir), 'hex'));
  }
}

/**
 * A fresh random secret (32 bytes, hex), or the persisted one so tenant tags and sealed tokens
 * stay readable across runs.
 */
async function secretValue(logicalId: string, dataDir: string | undefined): Promise<string> {
  const fresh = randomBytes(32).toString('hex');
  if (dataDir === undefined) return fresh;
  const file = join(dataDir, 'secrets', `${logicalId}.txt`);
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    await mkdir(join(dataDir, 'secrets'), { recursive: true });
    await writeFile(file, fresh, { mode: 0o600 });
    return fresh;
  }
}

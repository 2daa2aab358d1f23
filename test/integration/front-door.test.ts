/**
 * The front door's own checks: signatures, credential scopes, session expiry, the tenant
 * role's trust policy as enforced by the local STS, and CloudFormation behind IAM. Each refusal is paired with the same
 * request succeeding when nothing is wrong with it.
 */
import { CloudFormationClient, CreateStackCommand } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { GetIndexCommand, S3VectorsClient } from '@aws-sdk/client-s3vectors';
import { AssumeRoleCommand, type AssumeRoleCommandInput } from '@aws-sdk/client-sts';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity } from '@smithy/types';
import { beforeAll, describe, expect, it } from 'vitest';
import { KmsEmulator } from '../../local/emulators/kms.js';
import { S3VectorsEmulator } from '../../local/emulators/s3-vectors.js';
import { SecretsManagerEmulator } from '../../local/emulators/secrets-manager.js';
import { StandInModel } from '../../local/emulators/stand-in-model.js';
import { StsEmulator } from '../../local/emulators/sts.js';
import { startFrontDoor } from '../../local/front-door/front-door.js';
import { PolicyEvaluator } from '../../local/front-door/policy-evaluator.js';
import { CredentialRegistry } from '../../local/front-door/principals.js';
import { cloudFormationStacks } from './support/inspector.js';
import {
  apiEnv,
  cloud,
  functionOf,
  rawClients,
  stsClient,
  tenantSession,
  uniqueSuffix,
} from './support/local-cloud.js';

const TABLE = apiEnv('TENANT_TABLE_NAME');
const BUCKET = apiEnv('TENANT_BUCKET_NAME');
const tenant = `tenant-fd-${uniqueSuffix()}`;
const ownKey = { pk: { S: `${tenant}#t#docs` }, sk: { S: 'doc' } };
let session: AwsCredentialIdentity;

beforeAll(async () => {
  session = await tenantSession(tenant, 'alice');
});

/** A DynamoDB GetItem signed by hand, so the test controls service, region and body. */
async function signedGetItem(
  credentials: AwsCredentialIdentity,
  scope: { service?: string; region?: string } = {},
  body = JSON.stringify({ TableName: TABLE, Key: ownKey }),
): Promise<HttpRequest> {
  const url = new URL(cloud.endpoint);
  const signer = new SignatureV4({
    credentials,
    region: scope.region ?? cloud.region,
    service: scope.service ?? 'dynamodb',
    sha256: Hash.bind(null, 'sha256'),
  });
  const request = new HttpRequest({
    method: 'POST',
    protocol: 'http:',
    hostname: url.hostname,
    port: Number(url.port),
    path: '/',
    headers: {
      host: url.host,
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': 'DynamoDB_20120810.GetItem',
    },
    body,
  });
  return (await signer.sign(request)) as HttpRequest;
}

async function send(
  request: HttpRequest,
  body = String(request.body),
): Promise<{ status: number; text: string }> {
  const response = await fetch(`${cloud.endpoint}${request.path}`, {
    method: request.method,
    headers: request.headers,
    body,
  });
  return { status: response.status, text: await response.text() };
}

describe('SigV4 verification', () => {
  it('accepts a correctly signed request', async () => {
    const response = await send(await signedGetItem(session));
    expect(response.status).toBe(200);
  });

  it('rejects a signature made with the wrong secret', async () => {
    const forged = { ...session, secretAccessKey: `${session.secretAccessKey}x` };
    const response = await send(await signedGetItem(forged));
    expect(response).toMatchObject({
      status: 400,
      text: expect.stringContaining('InvalidSignatureException'),
    });
  });

  it('rejects a body changed after signing', async () => {
    const signed = await signedGetItem(session);
    const tampered = JSON.stringify({ TableName: TABLE, Key: { ...ownKey, sk: { S: 'other' } } });
    const response = await send(signed, tampered);
    expect(response).toMatchObject({
      status: 400,
      text: expect.stringContaining('InvalidSignatureException'),
    });
  });

  it('rejects an unknown access key', async () => {
    const unknown = { ...session, accessKeyId: 'ASIAUNKNOWNKEY000000' };
    const response = await send(await signedGetItem(unknown));
    expect(response).toMatchObject({
      status: 400,
      text: expect.stringContaining('UnrecognizedClientException'),
    });
  });

  it('rejects a credential scope for another region', async () => {
    const response = await send(await signedGetItem(session, { region: 'eu-west-1' }));
    expect(response).toMatchObject({
      status: 400,
      text: expect.stringContaining('InvalidSignatureException'),
    });
  });

  it('rejects a DynamoDB request signed for another service', async () => {
    const response = await send(await signedGetItem(session, { service: 's3' }));
    expect(response).toMatchObject({
      status: 403,
      text: expect.stringContaining('<Code>AccessDenied</Code>'),
    });
  });

  it('rejects a request signed more than 15 minutes ago', async () => {
    const skewed = new DynamoDBClient({
      endpoint: cloud.endpoint,
      region: cloud.region,
      credentials: session,
      maxAttempts: 1,
      systemClockOffset: -16 * 60 * 1000,
    });
    await expect(skewed.send(new GetItemCommand({ TableName: TABLE, Key: ownKey }))).rejects.toMatchObject({
      name: 'InvalidSignatureException',
    });
  });

  it('verifies S3 payload hashes and accepts a streamed upload', async () => {
    const { s3 } = rawClients(session);
    const key = `tenants/${tenant}/shared/upload.txt`;
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'hello from a tenant' }));
    const object = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    expect(await object.Body?.transformToString()).toBe('hello from a tenant');
  });
});

describe('session expiry', () => {
  it('rejects a session once it has expired and accepts it before', async () => {
    let clock = Date.now();
    const registry = new CredentialRegistry('000000000000');
    const roleArn = 'arn:aws:iam::000000000000:role/SomeRole';
    const evaluator = new PolicyEvaluator([], '000000000000');
    const frontDoor = await startFrontDoor({
      region: cloud.region,
      accountId: '000000000000',
      registry,
      evaluator,
      enforceIam: true,
      dynamoDb: { endpoint: 'http://127.0.0.1:9', tables: new Map() },
      s3Endpoint: 'http://127.0.0.1:9',
      vectors: new S3VectorsEmulator({ bucketArnPrefix: 'arn:aws:s3vectors:us-east-1:000000000000:bucket/' }),
      sts: new StsEmulator(registry, () => false, '000000000000'),
      secrets: new SecretsManagerEmulator(cloud.region, '000000000000'),
      kms: new KmsEmulator(cloud.region, '000000000000'),
      model: new StandInModel(),
      now: () => clock,
    });
    try {
      const { credentials } = registry.createSession({
        roleArn,
        sessionName: 's',
        durationSeconds: 900,
        tags: {},
      });
      const client = (offsetMs: number) =>
        new S3VectorsClient({
          endpoint: frontDoor.endpoint,
          region: cloud.region,
          credentials,
          maxAttempts: 1,
          systemClockOffset: offsetMs,
        });
      const getIndex = new GetIndexCommand({ vectorBucketName: 'vb', indexName: 'idx' });
      // Before expiry the key is accepted and IAM decides (this role has no policies: denied).
      await expect(client(0).send(getIndex)).rejects.toMatchObject({ name: 'AccessDeniedException' });
      clock += 901_000;
      await expect(client(901_000).send(getIndex)).rejects.toMatchObject({ name: 'ExpiredTokenException' });
    } finally {
      await frontDoor.stop();
    }
  });
});

describe('STS AssumeRole into the tenant role', () => {
  const placed = { Key: 'Placement', Value: 'pool' };
  const assume = (input: Partial<AssumeRoleCommandInput>, credentials?: AwsCredentialIdentity) =>
    stsClient(credentials).send(
      new AssumeRoleCommand({
        RoleArn: cloud.tenantRoleArn,
        RoleSessionName: 'trust-test',
        DurationSeconds: 900,
        Tags: [{ Key: 'TenantId', Value: tenant }, { Key: 'UserId', Value: 'alice' }, placed],
        ...input,
      }),
    );

  it('issues fresh temporary credentials with the requested lifetime', async () => {
    const { Credentials, AssumedRoleUser } = await assume({});
    const lifetime = (Credentials?.Expiration?.getTime() ?? 0) - Date.now();
    expect(lifetime).toBeGreaterThan(890_000);
    expect(lifetime).toBeLessThanOrEqual(900_000);
    expect(Credentials?.AccessKeyId).toMatch(/^ASIA/);
    expect(Credentials?.AccessKeyId).not.toBe(session.accessKeyId);
    expect(AssumedRoleUser?.Arn).toContain(':assumed-role/');
  });

  it.each([
    ['without a UserId tag', [{ Key: 'TenantId', Value: 'acme-corp' }, placed]],
    [
      'with an extra tag',
      [
        { Key: 'TenantId', Value: 'acme-corp' },
        { Key: 'UserId', Value: 'alice' },
        placed,
        { Key: 'Role', Value: 'admin' },
      ],
    ],
    [
      'with a "/" in the tenant id',
      [{ Key: 'TenantId', Value: 'acme/other' }, { Key: 'UserId', Value: 'alice' }, placed],
    ],
    [
      'with a tenant id shorter than three characters',
      [{ Key: 'TenantId', Value: 'ab' }, { Key: 'UserId', Value: 'alice' }, placed],
    ],
    [
      'without a Placement tag',
      [
        { Key: 'TenantId', Value: 'acme-corp' },
        { Key: 'UserId', Value: 'alice' },
      ],
    ],
    [
      'with a placement that is neither pool nor silo',
      [
        { Key: 'TenantId', Value: 'acme-corp' },
        { Key: 'UserId', Value: 'alice' },
        { Key: 'Placement', Value: 'both' },
      ],
    ],
  ])('refuses tags %s', async (_label, Tags) => {
    await expect(assume({ Tags })).rejects.toMatchObject({ name: 'AccessDenied' });
  });

  it('refuses tag values STS does not allow ("#", "*")', async () => {
    const Tags = [
      { Key: 'TenantId', Value: 'acme#t#*' },
      { Key: 'UserId', Value: 'alice' },
    ];
    await expect(assume({ Tags })).rejects.toMatchObject({ name: 'ValidationError' });
  });

  it('refuses a session longer than a chained role allows', async () => {
    await expect(assume({ DurationSeconds: 7200 })).rejects.toMatchObject({ name: 'ValidationError' });
  });

  it('refuses a caller the trust policy does not name (the audit digester)', async () => {
    const digester = functionOf('lambdas/handlers/audit-digest.ts').credentials;
    await expect(assume({}, digester)).rejects.toMatchObject({ name: 'AccessDenied' });
  });

  it('intersects the role policy with a session policy', async () => {
    const Policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }],
    });
    const { Credentials } = await assume({ Policy });
    const narrowed = rawClients({
      accessKeyId: Credentials?.AccessKeyId ?? '',
      secretAccessKey: Credentials?.SecretAccessKey ?? '',
      sessionToken: Credentials?.SessionToken ?? '',
    });
    const full = rawClients(session);
    const getItem = new GetItemCommand({ TableName: TABLE, Key: ownKey });
    await expect(full.dynamodb.send(getItem)).resolves.toBeDefined();
    await expect(narrowed.dynamodb.send(getItem)).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });
});

describe('S3 request shapes that need more than the plain object actions', () => {
  const key = `tenants/${tenant}/shared/versions.md`;

  beforeAll(async () => {
    await rawClients(session).s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'v1' }));
  });

  it('allows the plain reads, writes and deletes of the tenant’s own object', async () => {
    const { s3 } = rawClients(session);

    await expect(s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).resolves.toBeDefined();
    await expect(
      s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'v2' })),
    ).resolves.toBeDefined();
  });

  const denied: ReadonlyArray<readonly [string, (s3: S3Client) => Promise<unknown>]> = [
    [
      'a read of one version (s3:GetObjectVersion)',
      (s3) => s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key, VersionId: 'v0' })),
    ],
    [
      'a write with tags (s3:PutObjectTagging)',
      (s3) => s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'x', Tagging: 'a=b' })),
    ],
    [
      'a delete of one version (s3:DeleteObjectVersion)',
      (s3) => s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key, VersionId: 'v0' })),
    ],
    [
      'a copy from one version (s3:GetObjectVersion on the source)',
      (s3) =>
        s3.send(
          new CopyObjectCommand({
            Bucket: BUCKET,
            Key: `${key}.copy`,
            CopySource: `${BUCKET}/${key}?versionId=v0`,
          }),
        ),
    ],
  ];
  it.each(denied)('denies %s, which the tenant role does not grant, as AWS would', async (_label, send) => {
    await expect(send(rawClients(session).s3)).rejects.toMatchObject({ name: 'AccessDenied' });
  });
});

describe('CloudFormation behind the front door', () => {
  it('refuses CreateStack to a tenant session, and no stack appears', async () => {
    const stackName = `Bulkhead-silo-${tenant}`;
    const cloudFormation = new CloudFormationClient({
      endpoint: cloud.endpoint,
      region: cloud.region,
      credentials: session,
      maxAttempts: 1,
    });
    await expect(
      cloudFormation.send(
        new CreateStackCommand({ StackName: stackName, TemplateURL: 'https://s3/silo.json' }),
      ),
    ).rejects.toMatchObject({
      name: 'AccessDenied',
      message: expect.stringMatching(/cloudformation:CreateStack/),
    });
    expect((await cloudFormationStacks()).map((stack) => stack.stackName)).not.toContain(stackName);
  });
});

/**
 * The credential boundary, tested the way an attacker with a bug would: RAW SDK clients (not
 * the platform's scoped clients) holding a real tenant session from the local STS. Every
 * operation the platform uses must be denied on another tenant's data and on another user's
 * private data — and must work on the caller's own data, so a denial is never just an error.
 */
import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  TransactGetItemsCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import {
  CreateIndexCommand,
  DeleteVectorsCommand,
  GetVectorsCommand,
  ListVectorsCommand,
  PutVectorsCommand,
  QueryVectorsCommand,
  type S3VectorsClient,
} from '@aws-sdk/client-s3vectors';
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
} from '@aws-sdk/client-secrets-manager';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  apiEnv,
  apiFunction,
  functionOf,
  rawClients,
  tenantSession,
  uniqueSuffix,
} from './support/local-cloud.js';

const TABLE = apiEnv('TENANT_TABLE_NAME');
const BUCKET = apiEnv('TENANT_BUCKET_NAME');
const VECTOR_BUCKET = apiEnv('VECTOR_BUCKET_NAME');
const DIMENSION = 4;

/** Where one owner's data lives: a DynamoDB partition and an S3 prefix. */
interface Place {
  readonly pk: string;
  readonly prefix: string;
}

type Clients = ReturnType<typeof rawClients>;
type Operation = readonly [name: string, run: (clients: Clients, place: Place) => Promise<unknown>];

const key = (place: Place, sk = 'doc') => ({ pk: { S: place.pk }, sk: { S: sk } });
const item = (place: Place, sk: string) => ({ ...key(place, sk), body: { S: 'written by the caller' } });

const TABLE_OPERATIONS: readonly Operation[] = [
  [
    'GetItem',
    ({ dynamodb }, place) => dynamodb.send(new GetItemCommand({ TableName: TABLE, Key: key(place) })),
  ],
  [
    'Query',
    ({ dynamodb }, place) =>
      dynamodb.send(
        new QueryCommand({
          TableName: TABLE,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': 'pk' },
          ExpressionAttributeValues: { ':pk': { S: place.pk } },
        }),
      ),
  ],
  [
    'PutItem',
    ({ dynamodb }, place) =>
      dynamodb.send(new PutItemCommand({ TableName: TABLE, Item: item(place, 'put') })),
  ],
  [
    'UpdateItem',
    ({ dynamodb }, place) =>
      dynamodb.send(
        new UpdateItemCommand({
          TableName: TABLE,
          Key: key(place, 'updated'),
          UpdateExpression: 'SET body = :body',
          ExpressionAttributeValues: { ':body': { S: 'updated by the caller' } },
        }),
      ),
  ],
  [
    'DeleteItem',
    ({ dynamodb }, place) =>
      dynamodb.send(new DeleteItemCommand({ TableName: TABLE, Key: key(place, 'doomed') })),
  ],
  [
    'BatchGetItem',
    ({ dynamodb }, place) =>
      dynamodb.send(
        new BatchGetItemCommand({ RequestItems: { [TABLE]: { Keys: [key(place), key(place, 'put')] } } }),
      ),
  ],
  [
    'BatchWriteItem',
    ({ dynamodb }, place) =>
      dynamodb.send(
        new BatchWriteItemCommand({
          RequestItems: {
            [TABLE]: [
              { PutRequest: { Item: item(place, 'batch') } },
              { DeleteRequest: { Key: key(place, 'doomed') } },
            ],
          },
        }),
      ),
  ],
  [
    'TransactWriteItems',
    ({ dynamodb }, place) =>
      dynamodb.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            { Put: { TableName: TABLE, Item: item(place, 'transact') } },
            {
              ConditionCheck: {
                TableName: TABLE,
                Key: key(place),
                ConditionExpression: 'attribute_exists(pk)',
              },
            },
          ],
        }),
      ),
  ],
  [
    'TransactGetItems',
    ({ dynamodb }, place) =>
      dynamodb.send(
        new TransactGetItemsCommand({ TransactItems: [{ Get: { TableName: TABLE, Key: key(place) } }] }),
      ),
  ],
];

const OBJECT_OPERATIONS: readonly Operation[] = [
  [
    'GetObject',
    ({ s3 }, place) => s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: `${place.prefix}doc.txt` })),
  ],
  [
    'PutObject',
    ({ s3 }, place) =>
      s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${place.prefix}put.txt`, Body: 'x' })),
  ],
  [
    'ListObjectsV2',
    ({ s3 }, place) => s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: place.prefix })),
  ],
  [
    'DeleteObject',
    ({ s3 }, place) => s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: `${place.prefix}doomed.txt` })),
  ],
];

type VectorOperation = readonly [
  name: string,
  run: (vectors: S3VectorsClient, indexName: string) => Promise<unknown>,
];
const index = (indexName: string) => ({ vectorBucketName: VECTOR_BUCKET, indexName });
const VECTOR_OPERATIONS: readonly VectorOperation[] = [
  [
    'PutVectors',
    (vectors, indexName) =>
      vectors.send(
        new PutVectorsCommand({
          ...index(indexName),
          vectors: [{ key: 'written', data: { float32: [1, 0, 0, 1] }, metadata: { kind: 'note' } }],
        }),
      ),
  ],
  [
    'GetVectors',
    (vectors, indexName) => vectors.send(new GetVectorsCommand({ ...index(indexName), keys: ['seed'] })),
  ],
  [
    'QueryVectors',
    (vectors, indexName) =>
      vectors.send(
        new QueryVectorsCommand({ ...index(indexName), topK: 3, queryVector: { float32: [1, 0, 0, 0] } }),
      ),
  ],
  ['ListVectors', (vectors, indexName) => vectors.send(new ListVectorsCommand(index(indexName)))],
  [
    'DeleteVectors',
    (vectors, indexName) => vectors.send(new DeleteVectorsCommand({ ...index(indexName), keys: ['doomed'] })),
  ],
];

const suffix = uniqueSuffix();
const tenantA = `tenant-a-${suffix}`;
const tenantB = `tenant-b-${suffix}`;
const places = {
  aShared: { pk: `${tenantA}#t#docs`, prefix: `tenants/${tenantA}/shared/` },
  aAlice: { pk: `${tenantA}#u#alice#memory`, prefix: `tenants/${tenantA}/users/alice/` },
  aCarol: { pk: `${tenantA}#u#carol#memory`, prefix: `tenants/${tenantA}/users/carol/` },
  bShared: { pk: `${tenantB}#t#docs`, prefix: `tenants/${tenantB}/shared/` },
  bBob: { pk: `${tenantB}#u#bob#memory`, prefix: `tenants/${tenantB}/users/bob/` },
} as const satisfies Record<string, Place>;

let alice: Clients;
let carol: Clients;
let bob: Clients;

/** Seeds a place with its owner's own session (allowed), so denials below are not "not found". */
async function seed(owner: Clients, place: Place): Promise<void> {
  await owner.dynamodb.send(new PutItemCommand({ TableName: TABLE, Item: item(place, 'doc') }));
  await owner.s3.send(
    new PutObjectCommand({ Bucket: BUCKET, Key: `${place.prefix}doc.txt`, Body: place.pk }),
  );
}

async function seedIndex(owner: S3VectorsClient, indexName: string): Promise<void> {
  await owner.send(
    new CreateIndexCommand({
      ...index(indexName),
      dataType: 'float32',
      dimension: DIMENSION,
      distanceMetric: 'cosine',
    }),
  );
  await owner.send(
    new PutVectorsCommand({
      ...index(indexName),
      vectors: [{ key: 'seed', data: { float32: [1, 0, 0, 0] } }],
    }),
  );
}

beforeAll(async () => {
  const [aliceSession, carolSession, bobSession] = await Promise.all([
    tenantSession(tenantA, 'alice'),
    tenantSession(tenantA, 'carol'),
    tenantSession(tenantB, 'bob'),
  ]);
  alice = rawClients(aliceSession);
  carol = rawClients(carolSession);
  bob = rawClients(bobSession);
  await Promise.all([
    seed(alice, places.aShared),
    seed(alice, places.aAlice),
    seed(carol, places.aCarol),
    seed(bob, places.bShared),
    seed(bob, places.bBob),
    seedIndex(alice.vectors, tenantA),
    seedIndex(bob.vectors, tenantB),
  ]);
});

const DENIED_DYNAMODB = { name: 'AccessDeniedException' };
const DENIED_S3 = { name: 'AccessDenied' };

describe('a tenant session with raw SDK clients', () => {
  describe.each([
    ["another tenant's shared data", 'bShared'],
    ["another tenant's user-private data", 'bBob'],
    ["another user's private data in the same tenant", 'aCarol'],
  ] as const)('on %s', (_label, target) => {
    it.each(TABLE_OPERATIONS)('denies DynamoDB %s', async (_name, run) => {
      await expect(run(alice, places[target])).rejects.toMatchObject(DENIED_DYNAMODB);
    });
    it.each(OBJECT_OPERATIONS)('denies S3 %s', async (_name, run) => {
      await expect(run(alice, places[target])).rejects.toMatchObject(DENIED_S3);
    });
  });

  describe.each([
    ["its tenant's shared data", 'aShared'],
    ['its own private data', 'aAlice'],
  ] as const)('on %s', (_label, target) => {
    it.each(TABLE_OPERATIONS)('allows DynamoDB %s', async (_name, run) => {
      await expect(run(alice, places[target])).resolves.toBeDefined();
    });
    it.each(OBJECT_OPERATIONS)('allows S3 %s', async (_name, run) => {
      await expect(run(alice, places[target])).resolves.toBeDefined();
    });
  });

  it.each(VECTOR_OPERATIONS)("denies S3 Vectors %s on another tenant's index", async (_name, run) => {
    await expect(run(alice.vectors, tenantB)).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });

  it.each(VECTOR_OPERATIONS)('allows S3 Vectors %s on its own index', async (_name, run) => {
    await expect(run(alice.vectors, tenantA)).resolves.toBeDefined();
  });

  it("denies creating an index under another tenant's name", async () => {
    await expect(seedIndex(alice.vectors, `${tenantB}-x`)).rejects.toMatchObject({
      name: 'AccessDeniedException',
    });
  });

  it('denies a Query whose key condition names two partitions', async () => {
    const query = new QueryCommand({
      TableName: TABLE,
      KeyConditionExpression: 'pk = :mine AND pk = :theirs',
      ExpressionAttributeValues: { ':mine': { S: places.aShared.pk }, ':theirs': { S: places.bShared.pk } },
    });
    await expect(alice.dynamodb.send(query)).rejects.toMatchObject(DENIED_DYNAMODB);
  });

  it('denies a listing without a prefix', async () => {
    await expect(alice.s3.send(new ListObjectsV2Command({ Bucket: BUCKET }))).rejects.toMatchObject(
      DENIED_S3,
    );
  });

  it("leaves the other tenant's data untouched after the denied writes", async () => {
    const { Item } = await bob.dynamodb.send(
      new GetItemCommand({ TableName: TABLE, Key: key(places.bShared) }),
    );
    const object = await bob.s3.send(
      new GetObjectCommand({ Bucket: BUCKET, Key: `${places.bShared.prefix}doc.txt` }),
    );
    const { Item: overwritten } = await bob.dynamodb.send(
      new GetItemCommand({ TableName: TABLE, Key: key(places.bShared, 'put') }),
    );
    expect(Item?.body?.S).toBe('written by the caller');
    expect(await object.Body?.transformToString()).toBe(places.bShared.pk);
    expect(overwritten).toBeUndefined();
  });
});

describe("a tenant session and another tenant's secrets", () => {
  const secretOf = (tenantId: string, name: string) =>
    `${apiEnv('TENANT_SECRET_PREFIX')}/${tenantId}/connectors/${name}`;
  const SECRET_OPERATIONS: ReadonlyArray<
    readonly [string, (clients: Clients, secretId: string) => Promise<unknown>]
  > = [
    [
      'GetSecretValue',
      (clients, secretId) => clients.secrets.send(new GetSecretValueCommand({ SecretId: secretId })),
    ],
    [
      'PutSecretValue',
      (clients, secretId) =>
        clients.secrets.send(new PutSecretValueCommand({ SecretId: secretId, SecretString: 'overwritten' })),
    ],
    [
      'DeleteSecret',
      (clients, secretId) =>
        clients.secrets.send(
          new DeleteSecretCommand({ SecretId: secretId, ForceDeleteWithoutRecovery: true }),
        ),
    ],
  ];

  beforeAll(async () => {
    await bob.secrets.send(
      new CreateSecretCommand({ Name: secretOf(tenantB, 'crm'), SecretString: `bob-key-${suffix}` }),
    );
  });

  it.each(SECRET_OPERATIONS)("denies %s on another tenant's secret", async (_name, run) => {
    await expect(run(alice, secretOf(tenantB, 'crm'))).rejects.toMatchObject({
      name: 'AccessDeniedException',
    });
  });

  it("denies creating a secret under another tenant's name, or outside any tenant", async () => {
    for (const name of [secretOf(tenantB, 'planted'), `${apiEnv('TENANT_SECRET_PREFIX')}/stray`]) {
      await expect(
        alice.secrets.send(new CreateSecretCommand({ Name: name, SecretString: 'x' })),
      ).rejects.toMatchObject({ name: 'AccessDeniedException' });
    }
  });

  it('allows every operation on its own secret, and leaves the other tenant’s untouched', async () => {
    const own = secretOf(tenantA, 'crm');
    await alice.secrets.send(new CreateSecretCommand({ Name: own, SecretString: 'first' }));
    for (const [, run] of SECRET_OPERATIONS) await expect(run(alice, own)).resolves.toBeDefined();
    const theirs = await bob.secrets.send(new GetSecretValueCommand({ SecretId: secretOf(tenantB, 'crm') }));
    expect(theirs.SecretString).toBe(`bob-key-${suffix}`);
  });
});

describe("a function's own execution-role credentials", () => {
  it.each([
    ['api', apiFunction.credentials],
    ['control', functionOf('lambdas/handlers/control.ts').credentials],
  ] as const)('cannot read tenant data (%s function)', async (_name, credentials) => {
    const own = rawClients(credentials);
    await expect(
      own.dynamodb.send(new GetItemCommand({ TableName: TABLE, Key: key(places.aShared) })),
    ).rejects.toMatchObject(DENIED_DYNAMODB);
    await expect(
      own.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: `${places.aShared.prefix}doc.txt` })),
    ).rejects.toMatchObject(DENIED_S3);
    await expect(VECTOR_OPERATIONS[2]?.[1](own.vectors, tenantA)).rejects.toMatchObject({
      name: 'AccessDeniedException',
    });
    const tenantSecret = `${apiEnv('TENANT_SECRET_PREFIX')}/${tenantB}/connectors/crm`;
    await expect(
      own.secrets.send(new GetSecretValueCommand({ SecretId: tenantSecret })),
    ).rejects.toMatchObject({
      name: 'AccessDeniedException',
    });
  });
});

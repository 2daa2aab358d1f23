/**
 * Demo data for `npm start`, written through the front door of the platform, never around it:
 * tenants and roles through the operator API, memory facts through the tenant API, documents
 * with a tenant session from the local STS (as the api function would obtain it).
 */
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { DemoIdentity } from './emulators/jwt-issuer.js';
import type { LocalCloud } from './local-cloud.js';
import { OPERATOR_TENANT_ID } from './operator-tenant.js';

export interface DemoUser extends DemoIdentity {
  readonly label: string;
}

export const DEMO_TENANTS = [
  { tenantId: 'acme', name: 'Acme Corp', tier: 'basic' },
  { tenantId: 'globex', name: 'Globex', tier: 'premium' },
] as const;

export const DEMO_USERS: readonly DemoUser[] = [
  { label: 'acme reader', sub: 'rita', tenantId: 'acme', groups: ['reader'] },
  { label: 'acme analyst', sub: 'alice', tenantId: 'acme', groups: ['analyst'] },
  { label: 'acme admin', sub: 'adam', tenantId: 'acme', groups: ['admin'] },
  { label: 'globex analyst', sub: 'gina', tenantId: 'globex', groups: ['analyst'] },
  { label: 'globex admin', sub: 'greg', tenantId: 'globex', groups: ['admin'] },
  { label: 'platform operator', sub: 'olga', tenantId: OPERATOR_TENANT_ID, groups: ['operator'] },
];

const FACTS: Readonly<Record<string, string>> = {
  alice: 'Prefers quarterly reports as bullet points.',
  gina: 'Works on the Globex cypress-tree project.',
};

const DOCUMENTS: Readonly<Record<string, string>> = {
  acme: 'Acme onboarding handbook: anvils ship on Tuesdays.',
  globex: 'Globex style guide: always capitalise Hank.',
};

/** Seeds the demo tenants; a tenant that already exists (persisted data) is left as it is. */
export async function seedDemo(cloud: LocalCloud): Promise<void> {
  const call = async (user: DemoUser, method: string, path: string, body: unknown): Promise<number> => {
    const response = await fetch(`${cloud.apiEndpoint}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${await cloud.issuer.mint(user)}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify(body),
    });
    if (response.status >= 400 && response.status !== 409) {
      throw new Error(`seeding ${method} ${path} failed: ${response.status} ${await response.text()}`);
    }
    return response.status;
  };
  const operator = userOf('operator');
  const created = await Promise.all(
    DEMO_TENANTS.map((tenant) => call(operator, 'POST', '/v1/admin/tenants', tenant)),
  );
  if (created.every((status) => status === 409)) return; // persisted from an earlier run
  for (const user of DEMO_USERS.filter((candidate) => candidate.tenantId !== OPERATOR_TENANT_ID)) {
    await call(operator, 'PUT', `/v1/admin/tenants/${user.tenantId}/users/${user.sub}/roles`, {
      roles: user.groups,
    });
  }
  for (const user of DEMO_USERS) {
    const fact = FACTS[user.sub];
    if (fact !== undefined) await call(user, 'PUT', '/v1/memory', { fact });
  }
  await seedDocuments(cloud);
}

/** The first demo user holding `group`. */
export function userOf(group: string, tenantId?: string): DemoUser {
  const user = DEMO_USERS.find(
    (candidate) =>
      candidate.groups.includes(group) && (tenantId === undefined || candidate.tenantId === tenantId),
  );
  if (user === undefined) throw new Error(`no demo user with ${group}`);
  return user;
}

async function seedDocuments(cloud: LocalCloud): Promise<void> {
  const api = cloud.model.functions.find((fn) => fn.entry === 'lambdas/handlers/api.ts');
  const bucket = api?.environment.TENANT_BUCKET_NAME;
  if (api === undefined || bucket === undefined)
    throw new Error('the template has no api function with a bucket');
  const sts = new STSClient({
    endpoint: cloud.endpoint,
    region: cloud.region,
    credentials: cloud.functionCredentials(api.logicalId),
  });
  for (const [tenantId, text] of Object.entries(DOCUMENTS)) {
    const admin = userOf('admin', tenantId);
    const { Credentials } = await sts.send(
      new AssumeRoleCommand({
        RoleArn: cloud.model.tenantRoleArn,
        RoleSessionName: `seed-${tenantId}`,
        DurationSeconds: 900,
        Tags: [
          { Key: 'TenantId', Value: tenantId },
          { Key: 'UserId', Value: admin.sub },
        ],
      }),
    );
    const s3 = new S3Client({
      endpoint: cloud.endpoint,
      region: cloud.region,
      forcePathStyle: true,
      credentials: {
        accessKeyId: Credentials?.AccessKeyId ?? '',
        secretAccessKey: Credentials?.SecretAccessKey ?? '',
        sessionToken: Credentials?.SessionToken ?? '',
      },
    });
    await s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: `tenants/${tenantId}/shared/handbook.txt`, Body: text }),
    );
    s3.destroy();
  }
  sts.destroy();
}

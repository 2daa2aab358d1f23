/**
 * Per-tenant model cost for a month, from the metering aggregates.
 *
 *   npx tsx bin/cost-report.ts --month 2026-11 [--format json|csv]
 *
 * Runs with control-plane credentials (the control function's role, or an
 * operator role the tenant role trusts): it lists tenants from the registry
 * (platform data), then reads each tenant's aggregate through a tenant
 * session for that tenant, so no principal ever needs cross-tenant access to
 * tenant data. Environment: CONTROL_TABLE_NAME, TENANT_TABLE_NAME,
 * TENANT_ROLE_ARN, TENANT_TAG_SECRET_ARN, optional TENANT_SESSION_SECONDS,
 * plus the usual AWS_REGION / credentials / AWS_ENDPOINT_URL (local cloud).
 */
import { parseArgs } from 'node:util';
import { DynamoDBClient, paginateScan } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { STSClient } from '@aws-sdk/client-sts';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { z } from 'zod';
import { buildCostReport, formatCostReport, tenantUsageTotals } from '../lambdas/metering/cost-report.js';
import { type TenantRecord, TenantRecordSchema } from '../lambdas/registry/tenant-record.js';
import { tenantTagFor } from '../lambdas/tenancy/request-context.js';
import { ScopedTable } from '../lambdas/tenancy/scoped-table.js';
import { TenantSessions } from '../lambdas/tenancy/tenant-session.js';
import { tenantTagKeyLoader } from '../lambdas/tenancy/tenant-tag-key.js';

/** The session's user: a fixed service identity, visible as such in CloudTrail. */
const REPORT_USER_ID = 'cost-report';

const ArgsSchema = z.object({
  month: z
    .string({ error: '--month is required' })
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/, '--month must be YYYY-MM'),
  format: z.enum(['json', 'csv']).default('json'),
});

const EnvSchema = z.object({
  CONTROL_TABLE_NAME: z.string({ error: 'CONTROL_TABLE_NAME is not set' }).min(1),
  TENANT_TABLE_NAME: z.string({ error: 'TENANT_TABLE_NAME is not set' }).min(1),
  TENANT_ROLE_ARN: z.string({ error: 'TENANT_ROLE_ARN is not set' }).min(1),
  TENANT_TAG_SECRET_ARN: z.string({ error: 'TENANT_TAG_SECRET_ARN is not set' }).min(1),
  TENANT_SESSION_SECONDS: z.coerce.number().int().min(900).max(3600).default(900),
});

/** Every tenant record in the control table (the registry's `profile` items). */
async function listTenants(client: DynamoDBClient, tableName: string): Promise<TenantRecord[]> {
  const tenants: TenantRecord[] = [];
  const pages = paginateScan(
    { client },
    {
      TableName: tableName,
      FilterExpression: 'sk = :profile',
      ExpressionAttributeValues: { ':profile': { S: 'profile' } },
    },
  );
  for await (const page of pages) {
    for (const item of page.Items ?? []) {
      const { pk: _pk, sk: _sk, ...fields } = unmarshall(item);
      tenants.push(TenantRecordSchema.parse(fields));
    }
  }
  return tenants;
}

function fail(message: string): never {
  console.error(`cost-report: ${message}`);
  process.exit(2);
}

const { values } = parseArgs({ options: { month: { type: 'string' }, format: { type: 'string' } } });
const args = ArgsSchema.safeParse(values);
if (!args.success) fail(args.error.issues.map((issue) => issue.message).join('; '));
const env = EnvSchema.safeParse(process.env);
if (!env.success) fail(env.error.issues.map((issue) => issue.message).join('; '));

const dynamodb = new DynamoDBClient({});
const tagKey = tenantTagKeyLoader(new SecretsManagerClient({}), env.data.TENANT_TAG_SECRET_ARN);
const sessions = new TenantSessions({
  sts: new STSClient({}),
  roleArn: env.data.TENANT_ROLE_ARN,
  durationSeconds: env.data.TENANT_SESSION_SECONDS,
});
const tenants = await listTenants(dynamodb, env.data.CONTROL_TABLE_NAME);
const report = await buildCostReport(args.data.month, tenants, async (tenantId, month) => {
  const session = await sessions.sessionFor({
    tenantId,
    userId: REPORT_USER_ID,
    tenantTag: tenantTagFor(tenantId, await tagKey()),
  });
  return tenantUsageTotals(ScopedTable.of(session, env.data.TENANT_TABLE_NAME), month);
});
process.stdout.write(formatCostReport(report, args.data.format));

/**
 * Lambda entry of the audit digester, run on a schedule (EventBridge): signs a digest of every
 * tenant's audit chain heads that moved (lambdas/audit/audit-digester.ts). Its role may sign with
 * the digest key and assume the audit writer role; it reaches each trail only through that
 * tenant's writer session.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { AuditAccess } from '../audit/audit-access.js';
import { AuditDigester } from '../audit/audit-digester.js';
import { DIGESTER_USER_ID, type DigestRunSummary, digestAllTenants } from '../audit/digest-run.js';
import { kmsDigestSigner } from '../audit-store/digest-keys.js';
import { readDigesterConfig } from '../config.js';
import { traced } from '../observability/aws-client-tracing.js';
import { jsonLogger } from '../observability/logger.js';
import { retentionFor } from '../privacy/retention.js';
import { isHeld, type TenantRecord } from '../registry/tenant-record.js';
import { TenantRegistry } from '../registry/tenant-registry.js';
import { tenantTagFor } from '../tenancy/request-context.js';
import { tenantTagKeyLoader } from '../tenancy/tenant-tag-key.js';
import { jobSessions } from './job-sessions.js';

const config = readDigesterConfig();
const registry = new TenantRegistry(traced(new DynamoDBClient({})), config.controlTableName);
const sessions = jobSessions(config.auditRoleArn, config.tenantSessionSeconds, registry);
const tagKey = tenantTagKeyLoader(traced(new SecretsManagerClient({})), config.tenantTagSecretArn);
const digester = new AuditDigester(kmsDigestSigner(traced(new KMSClient({})), config.auditDigestKeyArn));

export async function handler(): Promise<DigestRunSummary> {
  const key = await tagKey();
  const tenants = new Map<string, TenantRecord>();
  return digestAllTenants({
    // A tenant whose erasure has begun has no trail left to sign; one whose trail is being copied
    // is signed once it has arrived (the digester's claims live beside the trail).
    tenantIds: async () => {
      tenants.clear();
      for (const tenant of await registry.listTenants())
        if (tenant.erasureStartedAt === undefined && !isHeld(tenant)) tenants.set(tenant.tenantId, tenant);
      return [...tenants.keys()];
    },
    accessFor: async (tenantId) => {
      const tenantTag = tenantTagFor(tenantId, key);
      const subject = { tenantId, userId: DIGESTER_USER_ID, tenantTag };
      // Each digest is locked for its tenant's audit retention.
      const { auditRecordsDays } = retentionFor(tenants.get(tenantId) ?? { tier: 'basic' });
      return { access: await AuditAccess.of(sessions, config, subject, key, auditRecordsDays), tenantTag };
    },
    digester,
    logger: jsonLogger,
  });
}

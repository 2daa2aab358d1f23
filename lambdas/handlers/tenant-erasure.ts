/**
 * Lambda entry of the tenant erasure job, run on a schedule (EventBridge): erases every
 * offboarded tenant whose grace period has ended (lambdas/privacy/erasure-run.ts). Its role may
 * read and write the control table, assume the tenant eraser role and sign receipts with the
 * audit digest key, and delete an emptied silo stack; tenant data is reached only through the
 * eraser role.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { kmsDigestSigner } from '../audit-store/digest-keys.js';
import { readErasureConfig } from '../config.js';
import { traced } from '../observability/aws-client-tracing.js';
import { jsonLogger } from '../observability/logger.js';
import { deleteSiloStack } from '../placement/silo-stacks.js';
import { type ErasureRunSummary, eraseDueTenants } from '../privacy/erasure-run.js';
import { OffboardingRecords } from '../registry/offboarding-records.js';
import { TenantRegistry } from '../registry/tenant-registry.js';
import { tenantTagFor } from '../tenancy/request-context.js';
import { tenantTagKeyLoader } from '../tenancy/tenant-tag-key.js';
import { jobSessions } from './job-sessions.js';

const config = readErasureConfig();
const dynamodb = traced(new DynamoDBClient({}));
const registry = new TenantRegistry(dynamodb, config.controlTableName);
const records = new OffboardingRecords(dynamodb, config.controlTableName);
const eraserSessions = jobSessions(config.tenantEraserRoleArn, config.tenantSessionSeconds, registry);
const tagKey = tenantTagKeyLoader(traced(new SecretsManagerClient({})), config.tenantTagSecretArn);
const signer = kmsDigestSigner(traced(new KMSClient({})), config.auditDigestKeyArn);
const cloudFormation = traced(new CloudFormationClient({}));

export async function handler(): Promise<ErasureRunSummary> {
  return eraseDueTenants({
    config,
    tenants: () => registry.listTenants(),
    records,
    eraserSessions,
    tenantTag: async (tenantId) => tenantTagFor(tenantId, await tagKey()),
    sign: async (text) => ({ signature: await signer.sign(text), keyId: signer.keyId }),
    deleteSiloStack: (tenantId) => deleteSiloStack(cloudFormation, config.siloNaming, tenantId),
    logger: jsonLogger,
  });
}

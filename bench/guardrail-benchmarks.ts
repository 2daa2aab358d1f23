/**
 * Micro-benchmarks of the request path's guard rails on the local cloud, with the platform's own
 * code: a real tenant session (one STS AssumeRole at the front door, then the cache), and budget
 * reservations, settlements, rate-limit admissions and metering writes through the real
 * ScopedTable against DynamoDB Local — straight, not through the front door, whose SigV4 and IAM
 * checks have no counterpart in AWS — one after another or 50 at once. Audit chain verification
 * is pure hashing. Operations per second on this machine: the guard rails' cost relative to each
 * other, not DynamoDB's latency in AWS.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { STSClient } from '@aws-sdk/client-sts';
import { BudgetGuard } from '../lambdas/admission/budget-guard.js';
import { RequestAdmission } from '../lambdas/admission/request-admission.js';
import {
  type AuditRecord,
  auditRecordHash,
  GENESIS_HASH,
  verifyAuditChain,
} from '../lambdas/audit/audit-chain.js';
import { Metering } from '../lambdas/metering/metering.js';
import { tenantTagFor } from '../lambdas/tenancy/request-context.js';
import { ScopedTable } from '../lambdas/tenancy/scoped-table.js';
import { TenantSessions } from '../lambdas/tenancy/tenant-session.js';
import { resolveModelCatalog } from '../lib/model-catalog-file.js';
import type { LocalCloud } from '../local/local-cloud.js';

export interface MicroBenchmark {
  readonly name: string;
  readonly operations: number;
  readonly milliseconds: number;
  readonly operationsPerSecond: number;
  readonly detail?: Record<string, number | string>;
}

const API_ENTRY = 'lambdas/handlers/api.ts';
const SUBJECT_TENANT = 'bench-micro';
/** The checked-in catalogue's prices (models.json), as the functions of a default deployment use them. */
const DEFAULT_PRICES = (() => {
  const models = resolveModelCatalog({});
  if (models.catalog === undefined) throw new Error(models.problems.join('; '));
  return models.catalog.prices;
})();

async function measure(
  name: string,
  operations: number,
  run: () => Promise<void> | void,
  detail?: () => Record<string, number | string>,
): Promise<MicroBenchmark> {
  const started = performance.now();
  await run();
  const milliseconds = performance.now() - started;
  return {
    name,
    operations,
    milliseconds: Number(milliseconds.toFixed(2)),
    operationsPerSecond: Math.round((operations / milliseconds) * 1000),
    ...(detail === undefined ? {} : { detail: detail() }),
  };
}

/** Runs each guard-rail benchmark on `cloud`, with the API function's own credentials and configuration. */
export async function measureGuardRails(cloud: LocalCloud): Promise<MicroBenchmark[]> {
  const api = cloud.model.functions.find((fn) => fn.entry === API_ENTRY && !fn.tenantIsolated);
  if (api === undefined) throw new Error(`no pooled function with entry ${API_ENTRY}`);
  const environment = cloud.functionEnvironment(api);
  const tableName = environment.TENANT_TABLE_NAME;
  if (tableName === undefined) throw new Error(`${API_ENTRY} has no TENANT_TABLE_NAME`);
  const sessions = new TenantSessions({
    sts: new STSClient({
      endpoint: cloud.endpoint,
      region: cloud.region,
      credentials: cloud.functionCredentials(api.logicalId),
    }),
    roleArn: cloud.model.tenantRoleArn,
    durationSeconds: Number(environment.TENANT_SESSION_SECONDS ?? 3600),
  });
  const subject = {
    tenantId: SUBJECT_TENANT,
    userId: 'alice',
    tenantTag: tenantTagFor(SUBJECT_TENANT, 'bench-key'),
  };
  const results: MicroBenchmark[] = [];

  // One STS call, then every lookup for the same subject is a cache hit.
  results.push(
    await measure(
      'tenant-session cache hit',
      100_000,
      async () => {
        for (let i = 0; i < 100_000; i += 1) await sessions.sessionFor(subject);
      },
      () => ({ stsCalls: sessions.stsCalls }),
    ),
  );
  const session = await sessions.sessionFor(subject);
  const dynamoDb = new DynamoDBClient({
    endpoint: cloud.emulatorEndpoints.dynamoDb,
    region: cloud.region,
    credentials: session.credentials,
  });
  const table = new ScopedTable(dynamoDb, tableName, session.owner);

  // Budget reservations: 50 concurrent callers against one tenant-month, 16 shards, ample budget.
  const guard = new BudgetGuard(table, { prices: DEFAULT_PRICES });
  const budget = { monthlyUsd: 1_000_000, monthlyTokens: 1e12, shards: 16 };
  const estimate = { modelId: 'amazon.nova-lite-v1:0', inputTokens: 2_000, maxOutputTokens: 1_024 };
  results.push(
    await measure('budget reservation (50 concurrent)', 500, async () => {
      for (let batch = 0; batch < 10; batch += 1)
        await Promise.all(Array.from({ length: 50 }, () => guard.reserve(budget, estimate)));
    }),
  );

  const reservations = await Promise.all(Array.from({ length: 200 }, () => guard.reserve(budget, estimate)));
  results.push(
    await measure('budget settlement', reservations.length, async () => {
      for (const reservation of reservations)
        await guard.settle(reservation, {
          modelId: reservation.modelId,
          inputTokens: 1_500,
          outputTokens: 300,
        });
    }),
  );

  // Request admission: the user's item and a tenant shard, both at once, per request.
  const admission = new RequestAdmission(table);
  const unbounded = {
    tenantPerMinute: 1e9,
    userPerMinute: 1e9,
    tenantTokensPerMinute: 1e12,
    userTokensPerMinute: 1e12,
    tenantInFlight: 1e9,
  };
  results.push(
    await measure('request admission', 500, async () => {
      for (let i = 0; i < 500; i += 1) await admission.admit(unbounded, 29_000);
    }),
  );

  // Metering: one exactly-once transaction per call (the record and its month aggregates).
  const metering = new Metering(table, { prices: DEFAULT_PRICES });
  results.push(
    await measure('metering write', 300, async () => {
      for (let i = 0; i < 300; i += 1) {
        await metering.meterCall(subject, {
          requestId: `req-${i}`,
          callIndex: 0,
          modelId: 'amazon.nova-lite-v1:0',
          inputTokens: 1_000,
          outputTokens: 300,
          latencyMs: 500,
        });
      }
    }),
  );

  results.push(await measureAuditVerification());
  return results;
}

/** Verification of a 10,000-record audit chain (pure hashing, no I/O). */
async function measureAuditVerification(): Promise<MicroBenchmark> {
  const chain: AuditRecord[] = [];
  let prevHash = GENESIS_HASH;
  for (let seq = 1; seq <= 10_000; seq += 1) {
    const fields = {
      chain: 0,
      seq,
      at: new Date(Date.UTC(2026, 10, 1, 0, 0, seq)).toISOString(),
      actor: 'alice',
      requestId: `req-${seq}`,
      kind: 'tool_call' as const,
      action: 'tool.search_documents',
      resource: `document/d${seq}`,
      outcome: 'succeeded' as const,
      prevHash,
    };
    prevHash = auditRecordHash(fields);
    chain.push({ ...fields, hash: prevHash });
  }
  let verdict = '';
  return measure(
    'audit chain verification (10k records)',
    chain.length,
    () => {
      const result = verifyAuditChain(chain, { seq: chain.length, hash: prevHash });
      verdict = result.ok ? 'ok' : result.problem;
    },
    () => ({ verdict }),
  );
}

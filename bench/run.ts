/**
 * Micro-benchmarks of the request path's guard rails, in process, with no
 * network: the tenant-session cache hit path, budget reservations, rate-limit
 * admission, metering writes and audit chain verification. Stores are the
 * in-memory guard-rail table (one yield per operation, like a round trip with
 * zero latency), so the numbers are our code's own cost, not DynamoDB's.
 *
 *   npx tsx bench/run.ts        → bench/results/latest.json
 */
import { mkdirSync, writeFileSync } from 'node:fs';
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
import { TenantSessions } from '../lambdas/tenancy/tenant-session.js';
import { repoPath } from '../lib/repo-root.js';
import { MemoryGuardrailTable } from '../test/unit/guardrails/support/memory-guardrail-table.js';
import { captureCommands, metadata, offlineClientConfig } from '../test/unit/support/fake-sdk.js';

interface BenchResult {
  readonly name: string;
  readonly operations: number;
  readonly milliseconds: number;
  readonly operationsPerSecond: number;
  readonly detail?: Record<string, number | string>;
}

const results: BenchResult[] = [];

async function measure(
  name: string,
  operations: number,
  run: () => Promise<void> | void,
  detail?: () => Record<string, number | string>,
): Promise<void> {
  const started = performance.now();
  await run();
  const milliseconds = performance.now() - started;
  const result = {
    name,
    operations,
    milliseconds: Number(milliseconds.toFixed(2)),
    operationsPerSecond: Math.round((operations / milliseconds) * 1000),
    ...(detail === undefined ? {} : { detail: detail() }),
  };
  results.push(result);
  console.log(`${name}: ${result.operationsPerSecond} ops/s (${operations} in ${result.milliseconds} ms)`);
}

const TAG_KEY = 'bench-key';
const subject = { tenantId: 'acme', userId: 'alice', tenantTag: tenantTagFor('acme', TAG_KEY) };
const owner = { tenantId: 'acme', userId: 'alice' };

// Tenant sessions: one STS call, then every lookup for the same key is a cache hit.
const sts = new STSClient(offlineClientConfig);
captureCommands(sts, () => ({
  ...metadata,
  Credentials: {
    AccessKeyId: 'ASIABENCH',
    SecretAccessKey: 's',
    SessionToken: 't',
    Expiration: new Date(Date.now() + 3_600_000),
  },
}));
const sessions = new TenantSessions({
  sts,
  roleArn: 'arn:aws:iam::000000000000:role/TenantAccess',
  durationSeconds: 3600,
});
await measure(
  'tenant-session cache hit',
  100_000,
  async () => {
    for (let i = 0; i < 100_000; i += 1) await sessions.sessionFor(subject);
  },
  () => ({ stsCalls: sessions.stsCalls }),
);

// Budget reservations: 50 concurrent callers against one tenant-month, 16 shards, ample budget.
const budgetTable = new MemoryGuardrailTable(owner);
const guard = new BudgetGuard(budgetTable);
const budget = { monthlyUsd: 1_000_000, monthlyTokens: 1e12, shards: 16 };
const estimate = { modelId: 'amazon.nova-lite-v1:0', inputTokens: 2_000, maxOutputTokens: 1_024 };
await measure('budget reservation (50 concurrent)', 20_000, async () => {
  for (let batch = 0; batch < 400; batch += 1) {
    await Promise.all(Array.from({ length: 50 }, () => guard.reserve(budget, estimate)));
  }
});

// Settlement of reservations, one by one.
const reservations = await Promise.all(Array.from({ length: 5_000 }, () => guard.reserve(budget, estimate)));
await measure('budget settlement', reservations.length, async () => {
  for (const reservation of reservations) {
    await guard.settle(reservation, { modelId: reservation.modelId, inputTokens: 1_500, outputTokens: 300 });
  }
});

// Request admission: the user's item and a tenant shard, both at once, per request.
const admission = new RequestAdmission(new MemoryGuardrailTable(owner));
const unbounded = {
  tenantPerMinute: 1e9,
  userPerMinute: 1e9,
  tenantTokensPerMinute: 1e12,
  userTokensPerMinute: 1e12,
  tenantInFlight: 1e9,
};
await measure('rate-limit admission', 20_000, async () => {
  for (let i = 0; i < 20_000; i += 1) await admission.admit(unbounded, 29_000);
});

// Metering: one exactly-once transaction per call (the record and its month aggregates).
const metering = new Metering(new MemoryGuardrailTable(owner));
await measure('metering write', 10_000, async () => {
  for (let i = 0; i < 10_000; i += 1) {
    await metering.meterCall(subject, {
      requestId: `req-${i}`,
      callIndex: 0,
      modelId: 'amazon.nova-lite-v1:0',
      inputTokens: 1_000,
      outputTokens: 300,
      latencyMs: 500,
    });
  }
});

// Audit: verification of a 10,000-record chain (pure hashing).
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
await measure(
  'audit chain verification (10k records)',
  chain.length,
  () => {
    const result = verifyAuditChain(chain, { seq: chain.length, hash: prevHash });
    verdict = result.ok ? 'ok' : result.problem;
  },
  () => ({ verdict }),
);

const output = repoPath('bench/results/latest.json');
mkdirSync(repoPath('bench/results'), { recursive: true });
writeFileSync(
  output,
  `${JSON.stringify({ generatedAt: new Date().toISOString(), node: process.version, results }, null, 2)}\n`,
);
console.log(`written to ${output}`);

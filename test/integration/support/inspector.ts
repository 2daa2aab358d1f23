/**
 * Reads the local cloud's inspector: what the stand-in model was sent and billed, what a vector
 * index holds, what the functions logged — and injects model failures.
 */

import type { WorkerReport } from '../../../local/api-gateway/function-hosts.js';
import type { StackView } from '../../../local/emulators/cloudformation.js';
import type { CapturedLogLine } from '../../../local/function-logs.js';
import type {
  ModelFailure,
  RecordedModelRequest,
  TenantModelUsage,
} from '../../../local/model-backend/model-record.js';
import { cloud } from './local-cloud.js';

async function inspect<T>(path: string): Promise<T> {
  const response = await fetch(`${cloud.inspectorEndpoint}${path}`);
  if (!response.ok) throw new Error(`inspector ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** Every stack the local CloudFormation has created, deleted ones too, with its resources. */
export async function cloudFormationStacks(): Promise<StackView[]> {
  const { stacks } = await inspect<{ stacks: StackView[] }>('/cloudformation/stacks');
  return stacks;
}

/** Every model request still on record, oldest first. */
export async function modelRequests(): Promise<RecordedModelRequest[]> {
  const { requests } = await inspect<{ requests: RecordedModelRequest[] }>('/model/requests');
  return requests;
}

/** Model requests made with a tenant session of (tenantId, userId), oldest first. */
export async function modelRequestsOf(tenantId: string, userId: string): Promise<RecordedModelRequest[]> {
  return (await modelRequests()).filter(
    (request) => request.tenantId === tenantId && request.userId === userId,
  );
}

/** The usage the stand-in model reported to one tenant's callers over the whole run. */
export function modelUsageOf(tenantId: string): Promise<TenantModelUsage> {
  return inspect<TenantModelUsage>(`/model/usage?tenantId=${encodeURIComponent(tenantId)}`);
}

/** Makes the next `times` model calls of one tenant (and one model id, if given) fail. */
export async function failNextModelCalls(options: {
  failure: ModelFailure;
  times: number;
  tenantId: string;
  modelId?: string;
}): Promise<void> {
  const response = await fetch(`${cloud.inspectorEndpoint}/model/fail-next`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(options),
  });
  if (response.status !== 204) throw new Error(`fail-next: ${response.status} ${await response.text()}`);
}

/** Every line the functions have logged so far (after `after`), how many were dropped to stay bounded, and the newest's sequence. */
export function capturedLogs(
  after = 0,
): Promise<{ lines: CapturedLogLine[]; dropped: number; latest: number }> {
  return inspect<{ lines: CapturedLogLine[]; dropped: number; latest: number }>(`/logs?after=${after}`);
}

/** Every TenantId / UserId session tag the local STS has minted so far. */
export function sessionIdentities(): Promise<{ tenantIds: string[]; userIds: string[] }> {
  return inspect<{ tenantIds: string[]; userIds: string[] }>('/sessions/identities');
}

/** Every secret value the local Secrets Manager has held so far. */
export async function secretValues(): Promise<string[]> {
  return (await inspect<{ values: string[] }>('/secrets/values')).values;
}

/** Values the local cloud's scans must never find (tokens a test's authorization server issued). */
export async function watchSecrets(values: readonly string[]): Promise<void> {
  const response = await fetch(`${cloud.inspectorEndpoint}/secrets/watch`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ values }),
  });
  if (response.status !== 204) throw new Error(`watching secrets failed: ${response.status}`);
}

/** Keys and metadata of every vector in one index, straight from the S3 Vectors emulator. */
export async function vectorsIn(
  vectorBucket: string,
  indexName: string,
): Promise<{ key: string; metadata?: Record<string, unknown> }[]> {
  const { vectors } = await inspect<{ vectors: { key: string; metadata?: Record<string, unknown> }[] }>(
    `/vectors/${encodeURIComponent(vectorBucket)}/${encodeURIComponent(indexName)}`,
  );
  return vectors;
}

/** The scheduled jobs tests run (by entry). The placement job is run per tenant (support/placement.ts). */
export const SCHEDULED = {
  digester: 'lambdas/handlers/audit-digest.ts',
  tenantErasure: 'lambdas/handlers/tenant-erasure.ts',
  retention: 'lambdas/handlers/retention.ts',
} as const;

/**
 * Runs one scheduled function once (`only`: its entry) with a scheduled event for `at`; its
 * results, e.g. `[{ signed: 2, ... }]`. Never all at once: the placement job would move every
 * tenant of a silo tier, other test files' too.
 */
export async function runSchedules(options: { at?: Date; only: string }): Promise<unknown[]> {
  const response = await fetch(`${cloud.inspectorEndpoint}/schedules/run`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ at: options.at?.toISOString(), only: options.only }),
  });
  if (!response.ok) throw new Error(`inspector /schedules/run: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { results: unknown[] }).results;
}

/** The names of the secrets Secrets Manager holds now. */
export async function secretNames(): Promise<string[]> {
  return (await inspect<{ names: string[] }>('/secrets/names')).names;
}

/** Fails the next `times` AWS requests that need `action` (e.g. `s3:DeleteObjectVersion`), on resources starting with `resourcePrefix` if given, with a 503. */
export async function failNextAwsCalls(
  action: string,
  times: number,
  resourcePrefix?: string,
): Promise<void> {
  const response = await fetch(`${cloud.inspectorEndpoint}/faults/next`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ action, times, ...(resourcePrefix === undefined ? {} : { resourcePrefix }) }),
  });
  if (response.status !== 204)
    throw new Error(`inspector /faults/next: ${response.status} ${await response.text()}`);
}

/** Runs DynamoDB TTL as of `at` (epoch seconds) on one tenant's items: those expired by then are deleted; how many. */
export async function expireItems(tenantId: string, at: number): Promise<number> {
  const response = await fetch(`${cloud.inspectorEndpoint}/ttl/expire`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ at, keyPrefix: `${tenantId}#` }),
  });
  if (!response.ok) throw new Error(`inspector /ttl/expire: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { deleted: number }).deleted;
}

/** Every function worker: its function, the tenant it is bound to (tenant-isolated ones), the API request ids it served. */
export async function functionWorkers(): Promise<WorkerReport[]> {
  const { workers } = await inspect<{ workers: WorkerReport[] }>('/functions/workers');
  return workers;
}

/**
 * Invokes a function as Lambda's Invoke API would, straight to a worker (no gateway): with
 * `tenantId` as `X-Amz-Tenant-Id`. Answers the handler's result, or the invocation's error.
 */
export async function invokeFunction(
  functionLogicalId: string,
  tenantId: string | undefined,
  event: unknown,
): Promise<{ status: number; result?: unknown; message?: string }> {
  const response = await fetch(`${cloud.inspectorEndpoint}/functions/invoke`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ functionLogicalId, ...(tenantId === undefined ? {} : { tenantId }), event }),
  });
  return { status: response.status, ...((await response.json()) as { result?: unknown; message?: string }) };
}

/** The AWS calls made through one tenant's sessions so far, by service (counted at the front door). */
export async function awsCallsOf(tenantId: string): Promise<Record<string, number>> {
  const { byService } = await inspect<{ byService: Record<string, number> }>(
    `/aws-calls?tenantId=${encodeURIComponent(tenantId)}`,
  );
  return byService;
}

/** Reads the local cloud's inspector: what the stand-in model was sent, what a vector index holds. */
import type { RecordedModelRequest } from '../../../local/emulators/stand-in-model.js';
import { cloud } from './local-cloud.js';

async function inspect<T>(path: string): Promise<T> {
  const response = await fetch(`${cloud.inspectorEndpoint}${path}`);
  if (!response.ok) throw new Error(`inspector ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** Model requests made with a tenant session of (tenantId, userId), oldest first. */
export async function modelRequestsOf(tenantId: string, userId: string): Promise<RecordedModelRequest[]> {
  const { requests } = await inspect<{ requests: RecordedModelRequest[] }>('/model/requests');
  return requests.filter((request) => request.tenantId === tenantId && request.userId === userId);
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

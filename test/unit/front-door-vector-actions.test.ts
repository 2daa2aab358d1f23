/** The IAM actions the front door derives from S3 Vectors requests, as the S3 Vectors API reference lists them. */
import { describe, expect, it } from 'vitest';
import type { ParsedRequest } from '../../local/front-door/iam-request.js';
import { s3VectorsIamRequests } from '../../local/front-door/s3vectors-request.js';

function vectorsRequest(operation: string, body: Record<string, unknown>): ParsedRequest {
  return {
    method: 'POST',
    rawUrl: `/${operation}`,
    rawPath: `/${operation}`,
    query: new URLSearchParams(),
    headers: {},
    body: Buffer.from(JSON.stringify({ vectorBucketName: 'vectors', indexName: 'acme', ...body })),
  };
}

const actionsOf = (operation: string, body: Record<string, unknown> = {}): string[] =>
  s3VectorsIamRequests(vectorsRequest(operation, body), 'us-east-1', '000000000000').map(
    (request) => request.action,
  );

describe('S3 Vectors request actions', () => {
  it('needs s3vectors:GetVectors as well when a listing returns data or metadata, and not for keys only', () => {
    expect(actionsOf('ListVectors')).toEqual(['s3vectors:ListVectors']);
    expect(actionsOf('ListVectors', { returnMetadata: true })).toEqual([
      's3vectors:ListVectors',
      's3vectors:GetVectors',
    ]);
    expect(actionsOf('ListVectors', { returnData: true })).toEqual([
      's3vectors:ListVectors',
      's3vectors:GetVectors',
    ]);
  });

  it('needs s3vectors:GetVectors as well when a query returns metadata or filters, and not otherwise', () => {
    expect(actionsOf('QueryVectors', { topK: 3 })).toEqual(['s3vectors:QueryVectors']);
    expect(actionsOf('QueryVectors', { returnMetadata: true })).toEqual([
      's3vectors:QueryVectors',
      's3vectors:GetVectors',
    ]);
    expect(actionsOf('QueryVectors', { filter: { kind: 'doc' } })).toEqual([
      's3vectors:QueryVectors',
      's3vectors:GetVectors',
    ]);
  });
});

/** S3 Vectors requests (`POST /<Operation>`) → IAM requests on the index ARN. */
import { indexLocationOf } from '../emulators/s3-vectors.js';
import {
  type IamRequest,
  jsonObjectBody,
  type ParsedRequest,
  UnrecognizedRequestError,
} from './iam-request.js';

/** The index-scoped operations the platform uses. */
export const VECTOR_OPERATIONS = new Set([
  'CreateIndex',
  'GetIndex',
  'DeleteIndex',
  'PutVectors',
  'GetVectors',
  'QueryVectors',
  'ListVectors',
  'DeleteVectors',
]);

/** `arn:aws:s3vectors:<region>:<account>:bucket/` */
export function vectorBucketArnPrefix(region: string, accountId: string): string {
  return `arn:aws:s3vectors:${region}:${accountId}:bucket/`;
}

export function s3VectorsIamRequests(
  request: ParsedRequest,
  region: string,
  accountId: string,
): IamRequest[] {
  const operation = s3VectorsOperation(request);
  const prefix = vectorBucketArnPrefix(region, accountId);
  const body = jsonObjectBody(request);
  const location = indexLocationOf(body, prefix);
  if (location === undefined) throw new UnrecognizedRequestError('S3 Vectors request names no index');
  const resource = `${prefix}${location.vectorBucketName}/index/${location.indexName}`;
  const actions = [
    `s3vectors:${operation}`,
    ...(readsVectorContents(operation, body) ? ['s3vectors:GetVectors'] : []),
  ];
  return actions.map((action) => ({ action, resource, context: {} }));
}

/**
 * Listing or querying that returns data or metadata (or filters on metadata) also
 * needs s3vectors:GetVectors, per the S3 Vectors API reference.
 */
function readsVectorContents(operation: string, body: Record<string, unknown>): boolean {
  if (operation === 'ListVectors') return body.returnData === true || body.returnMetadata === true;
  if (operation === 'QueryVectors') return body.returnMetadata === true || body.filter !== undefined;
  return false;
}

/** The operation named by the path; refuses anything but the recognised ones. */
export function s3VectorsOperation(request: ParsedRequest): string {
  const operation = request.rawPath.slice(1);
  if (request.method !== 'POST' || !VECTOR_OPERATIONS.has(operation)) {
    throw new UnrecognizedRequestError(`S3 Vectors ${request.method} ${request.rawPath} is not recognised`);
  }
  return operation;
}

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
  const location = indexLocationOf(jsonObjectBody(request), prefix);
  if (location === undefined) throw new UnrecognizedRequestError('S3 Vectors request names no index');
  return [
    {
      action: `s3vectors:${operation}`,
      resource: `${prefix}${location.vectorBucketName}/index/${location.indexName}`,
      context: {},
    },
  ];
}

/** The operation named by the path; refuses anything but the recognised ones. */
export function s3VectorsOperation(request: ParsedRequest): string {
  const operation = request.rawPath.slice(1);
  if (request.method !== 'POST' || !VECTOR_OPERATIONS.has(operation)) {
    throw new UnrecognizedRequestError(`S3 Vectors ${request.method} ${request.rawPath} is not recognised`);
  }
  return operation;
}

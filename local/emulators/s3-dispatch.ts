/**
 * Which S3 operation a path-style request is, and its answer. Operations are told apart as the
 * REST API does — method, bucket or object, sub-resource (`?versioning`, `?retention`, ...) — and
 * each names the query parameters it takes: any other operation, parameter or behaviour-changing
 * header is refused with NotImplemented, so nothing is half-served.
 */
import type { EmulatorResponse } from './emulator-response.js';
import { bucketOperations } from './s3-bucket-operations.js';
import { invalidRequest, notImplemented } from './s3-errors.js';
import { objectOperations } from './s3-object-operations.js';
import type { S3Context, S3Operation, S3Request } from './s3-operation.js';

const OPERATIONS: readonly S3Operation[] = [...bucketOperations, ...objectOperations];
const SUBRESOURCES = new Set(OPERATIONS.flatMap((operation) => operation.subresource ?? []));
/** Parameters the SDK adds to every request, which S3 ignores. */
const IGNORED_PARAMS = new Set(['x-id']);
/** Headers that change what S3 does and that the local S3 does not emulate. */
const UNEMULATED_HEADERS = [
  /^range$/,
  /^if-/,
  /^x-amz-copy-source-(if-|range$)/,
  /^x-amz-object-lock-legal-hold$/,
  /^x-amz-server-side-encryption-customer-/,
];

/** Answers one request (throws S3Error for S3's error answers). */
export function handleS3Request(context: S3Context, request: S3Request): EmulatorResponse {
  const operation = operationOf(request);
  const unemulated = Object.keys(request.headers).find((name) =>
    UNEMULATED_HEADERS.some((pattern) => pattern.test(name)),
  );
  if (unemulated !== undefined) throw notImplemented(`the ${unemulated} header`);
  if (operation.integrityRequired && !request.body.integrityProven) {
    throw invalidRequest('Missing required header for this request: Content-MD5 OR x-amz-checksum-*');
  }
  return operation.run(context, request);
}

function operationOf(request: S3Request): S3Operation {
  const target = request.key === undefined ? 'bucket' : 'object';
  const names = [...request.query.keys()].filter((name) => !IGNORED_PARAMS.has(name));
  const subresource = names.find((name) => SUBRESOURCES.has(name));
  const operation = OPERATIONS.find(
    (candidate) =>
      candidate.method === request.method &&
      candidate.target === target &&
      candidate.subresource === subresource,
  );
  if (operation === undefined) {
    const on = target === 'bucket' ? 'a bucket' : 'an object';
    throw notImplemented(
      `${request.method} on ${on}${subresource === undefined ? '' : ` with ?${subresource}`}`,
    );
  }
  const unknown = names.find((name) => name !== subresource && !operation.params.includes(name));
  if (unknown !== undefined) throw notImplemented(`the ${unknown} parameter of ${operation.name}`);
  return operation;
}

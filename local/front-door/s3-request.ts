/**
 * Path-style S3 requests → IAM requests, as AWS's service authorization reference maps them. Only
 * the operations the platform uses are recognised; any other sub-resource (`?acl`, `?tagging`,
 * ...) is refused, so nothing slips past unevaluated.
 */
import { xmlElements, xmlText } from '../emulators/xml-reading.js';
import { headerValue, type IamRequest, type ParsedRequest, UnrecognizedRequestError } from './iam-request.js';

/** Query parameters that do not change which operation a request is (`versionId` changes the action, below). */
const NEUTRAL_PARAMS = new Set(['x-id', 'versionId']);
const LIST_PARAMS = new Set([
  'list-type',
  'prefix',
  'delimiter',
  'continuation-token',
  'max-keys',
  'start-after',
  'encoding-type',
  'fetch-owner',
  'marker',
]);
const VERSION_LIST_PARAMS = new Set([
  'versions',
  'prefix',
  'delimiter',
  'key-marker',
  'version-id-marker',
  'max-keys',
  'encoding-type',
]);
const MULTIPART_PARAMS = new Set(['uploads', 'uploadId', 'partNumber']);

/** Maps one S3 request to the IAM requests that must all be allowed. */
export function s3IamRequests(request: ParsedRequest): IamRequest[] {
  const [bucket, key] = splitPath(request.rawPath);
  const params = [...request.query.keys()].filter((name) => !NEUTRAL_PARAMS.has(name));
  if (key === undefined) return bucketRequests(request, bucket, params);

  const objectArn = `arn:aws:s3:::${bucket}/${key}`;
  const object = (action: string): IamRequest => ({ action, resource: objectArn, context: {} });
  // As in AWS's authorization reference: a request for one version needs the *Version action.
  const versioned = request.query.has('versionId');
  const retention = params.length === 1 && params[0] === 'retention';
  if (params.length > 0 && !retention && !params.every((name) => MULTIPART_PARAMS.has(name))) {
    throw new UnrecognizedRequestError(`S3 object sub-resource ${params.join(',')} is not recognised`);
  }
  const bypass = bypassesGovernance(request) ? [object('s3:BypassGovernanceRetention')] : [];
  // Object Lock settings given with a new object also need s3:PutObjectRetention.
  const lockSettings =
    headerValue(request.headers, 'x-amz-object-lock-mode') !== undefined ||
    headerValue(request.headers, 'x-amz-object-lock-retain-until-date') !== undefined
      ? [object('s3:PutObjectRetention')]
      : [];
  switch (request.method) {
    case 'GET':
    case 'HEAD':
      // GetObjectRetention is one action with or without a versionId.
      if (retention && request.method === 'GET') return [object('s3:GetObjectRetention')];
      if (params.length > 0) break;
      return [object(versioned ? 's3:GetObjectVersion' : 's3:GetObject')];
    case 'PUT': {
      if (retention) return [object('s3:PutObjectRetention'), ...bypass];
      if (params.length > 0 || versioned) break;
      // Tags set with the object (x-amz-tagging) also need s3:PutObjectTagging.
      const tagging =
        headerValue(request.headers, 'x-amz-tagging') === undefined ? [] : [object('s3:PutObjectTagging')];
      const copySource = headerValue(request.headers, 'x-amz-copy-source');
      if (copySource === undefined) return [object('s3:PutObject'), ...tagging, ...lockSettings];
      const [sourcePath = '', sourceQuery = ''] = copySource.replace(/^\//, '').split('?');
      const [sourceBucket, sourceKey] = splitPath(`/${sourcePath}`);
      if (sourceKey === undefined) throw new UnrecognizedRequestError('copy source names no object');
      const sourceVersioned = new URLSearchParams(sourceQuery).has('versionId');
      return [
        object('s3:PutObject'),
        ...tagging,
        ...lockSettings,
        {
          action: sourceVersioned ? 's3:GetObjectVersion' : 's3:GetObject',
          resource: `arn:aws:s3:::${sourceBucket}/${sourceKey}`,
          context: {},
        },
      ];
    }
    case 'POST':
      // CreateMultipartUpload (?uploads) and CompleteMultipartUpload (?uploadId) are PutObject in IAM.
      if (params.length > 0 && !retention) return [object('s3:PutObject'), ...lockSettings];
      break;
    case 'DELETE':
      if (params.length === 0) {
        return [object(versioned ? 's3:DeleteObjectVersion' : 's3:DeleteObject'), ...bypass];
      }
      if (params.length === 1 && params[0] === 'uploadId') return [object('s3:AbortMultipartUpload')];
      break;
  }
  throw new UnrecognizedRequestError(`S3 ${request.method} on an object is not recognised`);
}

function bucketRequests(request: ParsedRequest, bucket: string, params: readonly string[]): IamRequest[] {
  const bucketArn = `arn:aws:s3:::${bucket}`;
  // A listing's prefix is the s3:prefix context key (HeadBucket has none).
  const listing = (action: string): IamRequest[] => {
    const prefix = request.method === 'GET' ? (request.query.get('prefix') ?? '') : undefined;
    return [{ action, resource: bucketArn, context: prefix === undefined ? {} : { 's3:prefix': prefix } }];
  };
  const reads = request.method === 'GET' || request.method === 'HEAD';
  // HeadBucket needs s3:ListBucket in IAM.
  if (reads && params.every((name) => LIST_PARAMS.has(name))) return listing('s3:ListBucket');
  // ListObjectVersions is s3:ListBucketVersions ("be aware of the name difference").
  if (
    request.method === 'GET' &&
    params.includes('versions') &&
    params.every((name) => VERSION_LIST_PARAMS.has(name))
  ) {
    return listing('s3:ListBucketVersions');
  }
  if (request.method === 'POST' && params.length === 1 && params[0] === 'delete') {
    return deleteObjectsRequests(request, bucketArn);
  }
  throw new UnrecognizedRequestError(`S3 ${request.method} on a bucket is not recognised`);
}

/** DeleteObjects: each listed key is its own DeleteObject, or DeleteObjectVersion with a VersionId. */
function deleteObjectsRequests(request: ParsedRequest, bucketArn: string): IamRequest[] {
  const entries = xmlElements(request.body.toString('utf8'), 'Object');
  if (entries.length === 0) throw new UnrecognizedRequestError('DeleteObjects names no keys');
  const bypass = bypassesGovernance(request);
  return entries.flatMap((entry) => {
    const key = xmlText(entry, 'Key');
    if (key === undefined) throw new UnrecognizedRequestError('a DeleteObjects entry names no key');
    const resource = `${bucketArn}/${key}`;
    const action = xmlText(entry, 'VersionId') === undefined ? 's3:DeleteObject' : 's3:DeleteObjectVersion';
    return [
      { action, resource, context: {} },
      ...(bypass ? [{ action: 's3:BypassGovernanceRetention', resource, context: {} }] : []),
    ];
  });
}

/** `x-amz-bypass-governance-retention: true` needs s3:BypassGovernanceRetention. */
function bypassesGovernance(request: ParsedRequest): boolean {
  return headerValue(request.headers, 'x-amz-bypass-governance-retention')?.toLowerCase() === 'true';
}

/** `/bucket/some/key` → [bucket, 'some/key'] (decoded); a bare bucket → [bucket, undefined]. */
function splitPath(rawPath: string): [string, string | undefined] {
  const match = /^\/([^/]+)(?:\/(.*))?$/.exec(rawPath);
  const bucket = match?.[1];
  if (bucket === undefined) throw new UnrecognizedRequestError('S3 request names no bucket');
  const rawKey = match?.[2];
  try {
    const key = rawKey === undefined || rawKey === '' ? undefined : decodeURIComponent(rawKey);
    return [decodeURIComponent(bucket), key];
  } catch {
    throw new UnrecognizedRequestError('S3 path is not valid percent-encoding');
  }
}

/**
 * Path-style S3 requests → IAM requests. Only the operations the platform uses are recognised;
 * any other sub-resource (`?acl`, `?tagging`, ...) is refused, so nothing slips past unevaluated.
 */
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
  if (params.length > 0 && !params.every((name) => MULTIPART_PARAMS.has(name))) {
    throw new UnrecognizedRequestError(`S3 object sub-resource ${params.join(',')} is not recognised`);
  }
  switch (request.method) {
    case 'GET':
    case 'HEAD':
      if (params.length > 0) break;
      return [object(versioned ? 's3:GetObjectVersion' : 's3:GetObject')];
    case 'PUT': {
      if (params.length > 0 || versioned) break;
      // Tags set with the object (x-amz-tagging) also need s3:PutObjectTagging.
      const tagging =
        headerValue(request.headers, 'x-amz-tagging') === undefined ? [] : [object('s3:PutObjectTagging')];
      const copySource = headerValue(request.headers, 'x-amz-copy-source');
      if (copySource === undefined) return [object('s3:PutObject'), ...tagging];
      const [sourcePath = '', sourceQuery = ''] = copySource.replace(/^\//, '').split('?');
      const [sourceBucket, sourceKey] = splitPath(`/${sourcePath}`);
      if (sourceKey === undefined) throw new UnrecognizedRequestError('copy source names no object');
      const sourceVersioned = new URLSearchParams(sourceQuery).has('versionId');
      return [
        object('s3:PutObject'),
        ...tagging,
        {
          action: sourceVersioned ? 's3:GetObjectVersion' : 's3:GetObject',
          resource: `arn:aws:s3:::${sourceBucket}/${sourceKey}`,
          context: {},
        },
      ];
    }
    case 'POST':
      // CreateMultipartUpload (?uploads) and CompleteMultipartUpload (?uploadId) are PutObject in IAM.
      if (params.length > 0) return [object('s3:PutObject')];
      break;
    case 'DELETE':
      if (params.length === 0) return [object(versioned ? 's3:DeleteObjectVersion' : 's3:DeleteObject')];
      if (params.length === 1 && params[0] === 'uploadId') return [object('s3:AbortMultipartUpload')];
      break;
  }
  throw new UnrecognizedRequestError(`S3 ${request.method} on an object is not recognised`);
}

function bucketRequests(request: ParsedRequest, bucket: string, params: readonly string[]): IamRequest[] {
  const bucketArn = `arn:aws:s3:::${bucket}`;
  if (
    (request.method === 'GET' || request.method === 'HEAD') &&
    params.every((name) => LIST_PARAMS.has(name))
  ) {
    // HeadBucket needs s3:ListBucket in IAM; a listing's prefix is the s3:prefix context key.
    const prefix = request.method === 'GET' ? (request.query.get('prefix') ?? '') : undefined;
    return [
      {
        action: 's3:ListBucket',
        resource: bucketArn,
        context: prefix === undefined ? {} : { 's3:prefix': prefix },
      },
    ];
  }
  if (request.method === 'POST' && params.length === 1 && params[0] === 'delete') {
    // DeleteObjects: every listed key is its own s3:DeleteObject.
    const keys = [...request.body.toString('utf8').matchAll(/<Key>([^<]*)<\/Key>/g)].map((match) =>
      decodeXmlText(match[1] ?? ''),
    );
    if (keys.length === 0) throw new UnrecognizedRequestError('DeleteObjects names no keys');
    return keys.map((key) => ({ action: 's3:DeleteObject', resource: `${bucketArn}/${key}`, context: {} }));
  }
  throw new UnrecognizedRequestError(`S3 ${request.method} on a bucket is not recognised`);
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

function decodeXmlText(text: string): string {
  return text
    .replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)))
    .replace(/&#x([0-9a-f]+);/gi, (_, code: string) => String.fromCharCode(Number.parseInt(code, 16)))
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

/**
 * The local S3's object operations: PutObject (and CopyObject, a PUT with `x-amz-copy-source`),
 * GetObject, HeadObject, DeleteObject, GetObjectRetention and PutObjectRetention — each on the
 * current version or, with `?versionId=`, on one version.
 */
import type { EmulatorResponse } from './emulator-response.js';
import { invalidArgument, invalidRequest, malformedXml, noSuchKey, S3Error } from './s3-errors.js';
import { type Retention, retainUntilDate, retentionMode } from './s3-object-lock.js';
import {
  bypassesGovernance,
  emptyResponse,
  type S3Context,
  type S3Operation,
  type S3Request,
} from './s3-operation.js';
import type { RequestHeaders } from './s3-request-body.js';
import type { S3Store, Version } from './s3-store.js';
import { copyObjectResult, retentionResult } from './s3-xml.js';
import { xmlElements, xmlText } from './xml-reading.js';

/** Headers S3 stores with an object and returns on GET/HEAD, besides `x-amz-meta-*`. */
const STORED_HEADERS = [
  'content-type',
  'cache-control',
  'content-disposition',
  'content-language',
  'expires',
];
const DEFAULT_CONTENT_TYPE = 'binary/octet-stream';

export const objectOperations: readonly S3Operation[] = [
  { name: 'PutObject', method: 'PUT', target: 'object', params: [], run: putObject },
  { name: 'GetObject', method: 'GET', target: 'object', params: ['versionId'], run: getObject },
  { name: 'HeadObject', method: 'HEAD', target: 'object', params: ['versionId'], run: getObject },
  { name: 'DeleteObject', method: 'DELETE', target: 'object', params: ['versionId'], run: deleteObject },
  {
    name: 'GetObjectRetention',
    method: 'GET',
    target: 'object',
    subresource: 'retention',
    params: ['versionId'],
    run: ({ store }, request) =>
      retentionResult(store.retention(request.bucket, objectKey(request), versionIdOf(request))),
  },
  {
    name: 'PutObjectRetention',
    method: 'PUT',
    target: 'object',
    subresource: 'retention',
    params: ['versionId'],
    integrityRequired: true,
    run: putObjectRetention,
  },
];

function putObject(context: S3Context, request: S3Request): EmulatorResponse {
  if (request.headers['x-amz-copy-source'] !== undefined) return copyObject(context, request);
  const { store } = context;
  const retention = store.retentionForNewVersion(
    request.bucket,
    requestedRetention(context, request.headers),
  );
  if (retention !== undefined && !request.body.integrityProven) {
    throw invalidRequest(
      'Content-MD5 OR x-amz-checksum- HTTP header is required for Put Object requests with Object Lock parameters',
    );
  }
  const { checksum } = request.body;
  const version = store.putObject(
    request.bucket,
    objectKey(request),
    {
      body: request.body.bytes,
      headers: storedHeaders(request.headers),
      tags: tagsOf(request.headers),
      ...(checksum === undefined ? {} : { checksum }),
    },
    retention,
  );
  return emptyResponse(200, {
    etag: version.etag,
    ...versionIdHeader(store, request.bucket, version),
    ...(checksum === undefined ? {} : { [checksumHeader(checksum.algorithm)]: checksum.value }),
  });
}

/** CopyObject: a new version from a source version; metadata and tags copied unless REPLACE says otherwise. */
function copyObject(context: S3Context, request: S3Request): EmulatorResponse {
  const { store } = context;
  const key = objectKey(request);
  const source = copySourceOf(request.headers['x-amz-copy-source'] ?? '');
  const original = store.version(source.bucket, source.key, source.versionId);
  if (original.kind === 'marker') {
    if (source.versionId === undefined) throw noSuchKey();
    throw invalidRequest(
      'The source of a copy request may not specifically refer to a delete marker by version id.',
    );
  }
  const replaceMetadata = directive(request.headers, 'x-amz-metadata-directive') === 'REPLACE';
  const replaceTags = directive(request.headers, 'x-amz-tagging-directive') === 'REPLACE';
  if (
    source.bucket === request.bucket &&
    source.key === key &&
    source.versionId === undefined &&
    !replaceMetadata
  ) {
    throw invalidRequest(
      "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
    );
  }
  const copy = store.putObject(
    request.bucket,
    key,
    {
      body: original.body,
      headers: replaceMetadata ? storedHeaders(request.headers) : original.headers,
      tags: replaceTags ? tagsOf(request.headers) : original.tags,
      ...(original.checksum === undefined ? {} : { checksum: original.checksum }),
    },
    store.retentionForNewVersion(request.bucket, requestedRetention(context, request.headers)),
  );
  const result = copyObjectResult(copy);
  return {
    ...result,
    headers: {
      ...result.headers,
      ...versionIdHeader(store, request.bucket, copy),
      ...(store.versioning(source.bucket) === undefined
        ? {}
        : { 'x-amz-copy-source-version-id': original.versionId }),
    },
  };
}

/** `x-amz-copy-source`: `[/]bucket/key[?versionId=…]`, URL-encoded. */
function copySourceOf(header: string): { bucket: string; key: string; versionId?: string } {
  const [path = '', query = ''] = header.replace(/^\//, '').split('?');
  const slash = path.indexOf('/');
  const versionId = new URLSearchParams(query).get('versionId') ?? undefined;
  try {
    const [bucket, key] = [
      decodeURIComponent(path.slice(0, slash)),
      decodeURIComponent(path.slice(slash + 1)),
    ];
    if (slash > 0 && key !== '') return { bucket, key, ...(versionId === undefined ? {} : { versionId }) };
  } catch {
    // Not valid percent-encoding: refused below, as any other unreadable source.
  }
  throw invalidArgument('Copy Source must mention the source bucket and key: sourcebucket/sourcekey');
}

function directive(headers: RequestHeaders, name: string): 'COPY' | 'REPLACE' {
  const value = headers[name] ?? 'COPY';
  if (value !== 'COPY' && value !== 'REPLACE') throw invalidArgument(`Unknown ${name.slice(6)}.`);
  return value;
}

/** GetObject and HeadObject (the server sends no body for HEAD). */
function getObject({ store }: S3Context, request: S3Request): EmulatorResponse {
  const versionId = versionIdOf(request);
  const version = store.version(request.bucket, objectKey(request), versionId);
  if (version.kind === 'marker') {
    const headers = { 'x-amz-delete-marker': 'true', 'x-amz-version-id': version.versionId };
    // The current version being a delete marker reads as no such key; naming a marker is not allowed.
    if (versionId === undefined) throw noSuchKey(headers);
    throw new S3Error(405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.', {
      ...headers,
      'last-modified': new Date(version.lastModified).toUTCString(),
    });
  }
  const checksumWanted =
    request.headers['x-amz-checksum-mode'] === 'ENABLED' && version.checksum !== undefined;
  const tagCount = Object.keys(version.tags).length;
  return {
    status: 200,
    headers: {
      ...version.headers,
      'content-length': String(version.body.length),
      etag: version.etag,
      'last-modified': new Date(version.lastModified).toUTCString(),
      'accept-ranges': 'bytes',
      ...versionIdHeader(store, request.bucket, version),
      ...(tagCount === 0 ? {} : { 'x-amz-tagging-count': String(tagCount) }),
      ...(version.retention === undefined
        ? {}
        : {
            'x-amz-object-lock-mode': version.retention.mode,
            'x-amz-object-lock-retain-until-date': new Date(version.retention.retainUntil).toISOString(),
          }),
      ...(checksumWanted && version.checksum !== undefined
        ? {
            [checksumHeader(version.checksum.algorithm)]: version.checksum.value,
            'x-amz-checksum-type': 'FULL_OBJECT',
          }
        : {}),
    },
    body: version.body,
  };
}

function deleteObject({ store }: S3Context, request: S3Request): EmulatorResponse {
  const deletion = store.deleteObject(
    request.bucket,
    objectKey(request),
    versionIdOf(request),
    bypassesGovernance(request),
  );
  return emptyResponse(204, {
    ...(deletion.deleteMarker ? { 'x-amz-delete-marker': 'true' } : {}),
    ...(deletion.versionId === undefined ? {} : { 'x-amz-version-id': deletion.versionId }),
  });
}

/** PutObjectRetention: `<Retention>` with Mode and RetainUntilDate, or empty to remove it. */
function putObjectRetention({ store, now }: S3Context, request: S3Request): EmulatorResponse {
  const [xml] = xmlElements(request.body.bytes.toString('utf8'), 'Retention');
  if (xml === undefined) throw malformedXml();
  const [mode, until] = [xmlText(xml, 'Mode'), xmlText(xml, 'RetainUntilDate')];
  if ((mode === undefined) !== (until === undefined)) throw malformedXml();
  const retention =
    mode === undefined || until === undefined
      ? undefined
      : { mode: retentionMode(mode), retainUntil: retainUntilDate(until, now()) };
  store.putRetention(
    request.bucket,
    objectKey(request),
    versionIdOf(request),
    retention,
    bypassesGovernance(request),
  );
  return emptyResponse(200);
}

/** The retention a PUT's `x-amz-object-lock-mode` and `-retain-until-date` ask for (both or neither). */
function requestedRetention({ now }: S3Context, headers: RequestHeaders): Retention | undefined {
  const mode = headers['x-amz-object-lock-mode'];
  const until = headers['x-amz-object-lock-retain-until-date'];
  if (mode === undefined && until === undefined) return undefined;
  if (mode === undefined || until === undefined) {
    throw invalidArgument(
      'x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied',
    );
  }
  return { mode: retentionMode(mode), retainUntil: retainUntilDate(until, now()) };
}

/** What S3 keeps of a PUT's headers: representation headers and user metadata. */
function storedHeaders(headers: RequestHeaders): Record<string, string> {
  const stored = Object.fromEntries(
    Object.entries(headers).filter(
      ([name]) => STORED_HEADERS.includes(name) || name.startsWith('x-amz-meta-'),
    ),
  );
  // aws-chunked is the upload's framing, not the object's encoding.
  const encoding = headers['content-encoding']
    ?.split(',')
    .map((coding) => coding.trim())
    .filter((coding) => coding !== 'aws-chunked' && coding !== '')
    .join(',');
  return {
    'content-type': DEFAULT_CONTENT_TYPE,
    ...stored,
    ...(encoding === undefined || encoding === '' ? {} : { 'content-encoding': encoding }),
  };
}

/** `x-amz-tagging: a=b&c=d`. */
function tagsOf(headers: RequestHeaders): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(headers['x-amz-tagging'] ?? ''));
}

/** `x-amz-version-id`, sent once the bucket's versioning has been configured (S3 omits it before). */
function versionIdHeader(store: S3Store, bucket: string, version: Version): Record<string, string> {
  return store.versioning(bucket) === undefined ? {} : { 'x-amz-version-id': version.versionId };
}

function checksumHeader(algorithm: string): string {
  return `x-amz-checksum-${algorithm.toLowerCase()}`;
}

function objectKey(request: S3Request): string {
  if (request.key === undefined) throw new Error('an object operation was routed without a key');
  return request.key;
}

function versionIdOf(request: S3Request): string | undefined {
  return request.query.get('versionId') ?? undefined;
}

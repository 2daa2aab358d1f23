/**
 * The local S3's bucket operations: CreateBucket, HeadBucket, versioning and Object Lock
 * configuration, ListObjectsV2, ListObjectVersions and DeleteObjects.
 */
import type { EmulatorResponse } from './emulator-response.js';
import { invalidArgument, malformedXml, notImplemented, S3Error } from './s3-errors.js';
import { compareKeys, listPage } from './s3-listing.js';
import { type DefaultRetention, retentionMode } from './s3-object-lock.js';
import {
  bypassesGovernance,
  emptyResponse,
  type S3Context,
  type S3Operation,
  type S3Request,
} from './s3-operation.js';
import {
  type DeleteOutcome,
  deleteResult,
  listObjectsV2Result,
  listVersionsResult,
  objectLockConfiguration,
  versioningConfiguration,
} from './s3-xml.js';
import { xmlElements, xmlText } from './xml-reading.js';

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const MAX_KEYS = 1000;
const MAX_DELETE_OBJECTS = 1000;

export const bucketOperations: readonly S3Operation[] = [
  { name: 'CreateBucket', method: 'PUT', target: 'bucket', params: [], run: createBucket },
  { name: 'HeadBucket', method: 'HEAD', target: 'bucket', params: [], run: headBucket },
  {
    name: 'PutBucketVersioning',
    method: 'PUT',
    target: 'bucket',
    subresource: 'versioning',
    params: [],
    run: putBucketVersioning,
  },
  {
    name: 'GetBucketVersioning',
    method: 'GET',
    target: 'bucket',
    subresource: 'versioning',
    params: [],
    run: ({ store }, request) => versioningConfiguration(store.versioning(request.bucket)),
  },
  {
    name: 'PutObjectLockConfiguration',
    method: 'PUT',
    target: 'bucket',
    subresource: 'object-lock',
    params: [],
    integrityRequired: true,
    run: putObjectLockConfiguration,
  },
  {
    name: 'GetObjectLockConfiguration',
    method: 'GET',
    target: 'bucket',
    subresource: 'object-lock',
    params: [],
    run: ({ store }, request) =>
      objectLockConfiguration(store.objectLockConfiguration(request.bucket).defaultRetention),
  },
  {
    name: 'ListObjectsV2',
    method: 'GET',
    target: 'bucket',
    subresource: 'list-type',
    params: [
      'prefix',
      'delimiter',
      'max-keys',
      'continuation-token',
      'start-after',
      'encoding-type',
      'fetch-owner',
    ],
    run: listObjectsV2,
  },
  {
    name: 'ListObjectVersions',
    method: 'GET',
    target: 'bucket',
    subresource: 'versions',
    params: ['prefix', 'delimiter', 'max-keys', 'key-marker', 'version-id-marker', 'encoding-type'],
    run: listObjectVersions,
  },
  {
    name: 'DeleteObjects',
    method: 'POST',
    target: 'bucket',
    subresource: 'delete',
    params: [],
    integrityRequired: true,
    run: deleteObjects,
  },
];

function createBucket({ store }: S3Context, request: S3Request): EmulatorResponse {
  if (!BUCKET_NAME.test(request.bucket)) {
    throw new S3Error(400, 'InvalidBucketName', 'The specified bucket is not valid.');
  }
  store.createBucket(request.bucket, request.headers['x-amz-bucket-object-lock-enabled'] === 'true');
  return emptyResponse(200, { location: `/${request.bucket}` });
}

function headBucket({ store }: S3Context, request: S3Request): EmulatorResponse {
  store.headBucket(request.bucket);
  return emptyResponse(200);
}

function putBucketVersioning({ store }: S3Context, request: S3Request): EmulatorResponse {
  const xml = xmlBody(request, 'VersioningConfiguration');
  const status = xmlText(xml, 'Status');
  if (status !== 'Enabled' && status !== 'Suspended') throw malformedXml();
  if (xmlText(xml, 'MfaDelete') === 'Enabled') throw notImplemented('MFA delete');
  store.setVersioning(request.bucket, status);
  return emptyResponse(200);
}

function putObjectLockConfiguration({ store }: S3Context, request: S3Request): EmulatorResponse {
  const xml = xmlBody(request, 'ObjectLockConfiguration');
  if (xmlText(xml, 'ObjectLockEnabled') !== 'Enabled') throw malformedXml();
  const [rule] = xmlElements(xml, 'DefaultRetention');
  store.setObjectLockConfiguration(request.bucket, rule === undefined ? undefined : defaultRetentionOf(rule));
  return emptyResponse(200);
}

/** `<DefaultRetention>`: a mode and a positive period in Days or in Years, not both. */
function defaultRetentionOf(rule: string): DefaultRetention {
  const mode = xmlText(rule, 'Mode');
  const [days, years] = [xmlText(rule, 'Days'), xmlText(rule, 'Years')];
  if (mode === undefined || (days === undefined) === (years === undefined)) throw malformedXml();
  const period = Number(days ?? years);
  if (!Number.isInteger(period) || period <= 0) {
    throw invalidArgument('Default retention period must be a positive integer value.');
  }
  return { mode: retentionMode(mode), ...(days === undefined ? { years: period } : { days: period }) };
}

function listObjectsV2({ store }: S3Context, request: S3Request): EmulatorResponse {
  const { query } = request;
  if (query.get('list-type') !== '2') throw notImplemented('ListObjects (version 1)');
  const continuationToken = optional(query, 'continuation-token');
  const startAfter = optional(query, 'start-after');
  const marker = continuationToken === undefined ? startAfter : markerOf(continuationToken);
  const listing = listingParams(query);
  const page = listPage(store.currentObjects(request.bucket), {
    ...listing,
    ...(marker === undefined ? {} : { marker }),
    isAfterMarker: (object) => marker === undefined || compareKeys(object.key, marker) > 0,
  });
  return listObjectsV2Result({
    bucket: request.bucket,
    ...listing,
    ...(startAfter === undefined ? {} : { startAfter }),
    ...(continuationToken === undefined ? {} : { continuationToken }),
    ...(page.truncated && page.last !== undefined
      ? { nextContinuationToken: Buffer.from(page.last.key).toString('base64url') }
      : {}),
    page,
  });
}

/** A continuation token is the base64url of the key or common prefix its page ended at. */
function markerOf(token: string): string {
  const marker = Buffer.from(token, 'base64url').toString('utf8');
  if (marker === '' || Buffer.from(marker).toString('base64url') !== token) {
    throw invalidArgument('The continuation token provided is incorrect');
  }
  return marker;
}

function listObjectVersions({ store }: S3Context, request: S3Request): EmulatorResponse {
  const { query } = request;
  const keyMarker = optional(query, 'key-marker');
  const versionIdMarker = optional(query, 'version-id-marker');
  if (versionIdMarker !== undefined && keyMarker === undefined) {
    throw invalidArgument('A version-id marker cannot be specified without a key marker.');
  }
  const versions = store.allVersions(request.bucket);
  // Within the marker key, versions after the marker version (newest first) come next.
  const markerKeyVersions = versions.filter((version) => version.key === keyMarker).map((v) => v.versionId);
  const markerIndex = versionIdMarker === undefined ? -1 : markerKeyVersions.indexOf(versionIdMarker);
  if (versionIdMarker !== undefined && markerIndex === -1)
    throw invalidArgument('Invalid version id specified');
  const listing = listingParams(query);
  const page = listPage(versions, {
    ...listing,
    ...(keyMarker === undefined ? {} : { marker: keyMarker }),
    isAfterMarker: (version) => {
      if (keyMarker === undefined) return true;
      const order = compareKeys(version.key, keyMarker);
      if (order !== 0) return order > 0;
      return versionIdMarker !== undefined && markerKeyVersions.indexOf(version.versionId) > markerIndex;
    },
  });
  return listVersionsResult({
    bucket: request.bucket,
    ...listing,
    ...(keyMarker === undefined ? {} : { keyMarker }),
    ...(versionIdMarker === undefined ? {} : { versionIdMarker }),
    page,
  });
}

/** Prefix, delimiter, max-keys (0–1000, default 1000) and encoding-type, shared by both listings. */
function listingParams(query: URLSearchParams): {
  prefix: string;
  delimiter?: string;
  maxKeys: number;
  encodingType?: string;
} {
  const maxKeysParam = optional(query, 'max-keys');
  const maxKeys = maxKeysParam === undefined ? MAX_KEYS : Number(maxKeysParam);
  if (!Number.isInteger(maxKeys) || maxKeys < 0)
    throw invalidArgument('Provided max-keys not an integer or within integer range');
  const delimiter = optional(query, 'delimiter');
  const encodingType = optional(query, 'encoding-type');
  if (encodingType !== undefined && encodingType !== 'url')
    throw invalidArgument('Invalid Encoding Method specified in Request');
  return {
    prefix: query.get('prefix') ?? '',
    ...(delimiter === undefined ? {} : { delimiter }),
    maxKeys: Math.min(maxKeys, MAX_KEYS),
    ...(encodingType === undefined ? {} : { encodingType }),
  };
}

function deleteObjects({ store }: S3Context, request: S3Request): EmulatorResponse {
  const xml = xmlBody(request, 'Delete');
  const objects = xmlElements(xml, 'Object');
  if (objects.length === 0 || objects.length > MAX_DELETE_OBJECTS) throw malformedXml();
  store.headBucket(request.bucket);
  const bypass = bypassesGovernance(request);
  const outcomes = objects.map((object): DeleteOutcome => {
    const key = xmlText(object, 'Key');
    if (key === undefined) throw malformedXml();
    const versionId = xmlText(object, 'VersionId');
    const target = { key, ...(versionId === undefined ? {} : { versionId }) };
    try {
      return { ...target, deletion: store.deleteObject(request.bucket, key, versionId, bypass) };
    } catch (err) {
      // Each key answers for itself: a locked version is an <Error> entry, not a failed request.
      if (err instanceof S3Error) return { ...target, error: err };
      throw err;
    }
  });
  return deleteResult(outcomes, xmlText(xml, 'Quiet') === 'true');
}

/** The request body as XML with the given root element; MalformedXML otherwise. */
function xmlBody(request: S3Request, root: string): string {
  const [inner] = xmlElements(request.body.bytes.toString('utf8'), root);
  if (inner === undefined) throw malformedXml();
  return inner;
}

/** A query parameter; an empty value counts as absent, as S3 reads them. */
function optional(query: URLSearchParams, name: string): string | undefined {
  const value = query.get(name);
  return value === null || value === '' ? undefined : value;
}

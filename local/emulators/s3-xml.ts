/** The local S3's XML answers, in the element shapes of the S3 REST API. */
import { type EmulatorResponse, xmlEscape } from './emulator-response.js';
import type { S3Error } from './s3-errors.js';
import type { ListingPage } from './s3-listing.js';
import type { DefaultRetention, Retention } from './s3-object-lock.js';
import type { Deletion, ListedVersion, ObjectVersion, VersioningStatus } from './s3-store.js';

const DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';
const NAMESPACE = 'http://s3.amazonaws.com/doc/2006-03-01/';

/** `<name>value</name>`, escaped; nothing for an undefined value. */
function element(name: string, value: string | number | boolean | undefined): string {
  return value === undefined ? '' : `<${name}>${xmlEscape(String(value))}</${name}>`;
}

/** A 200 XML document with S3's namespace on its root element. */
function document(root: string, inner: string): EmulatorResponse {
  return {
    status: 200,
    headers: { 'content-type': 'application/xml' },
    body: `${DECLARATION}<${root} xmlns="${NAMESPACE}">${inner}</${root}>`,
  };
}

/** Times in listings and results: ISO 8601 to the second, as S3 writes them. */
export function isoSeconds(epochMillis: number): string {
  return new Date(Math.floor(epochMillis / 1000) * 1000).toISOString();
}

/** `<Error>`: the SDK raises an exception named by its Code. */
export function errorDocument(error: S3Error, requestId: string): string {
  return `${DECLARATION}<Error>${element('Code', error.code)}${element('Message', error.message)}${element('RequestId', requestId)}</Error>`;
}

/** Keys as a listing shows them: URL-encoded when the request asked for `encoding-type=url`. */
export type KeyEncoder = (key: string) => string;

export function keyEncoder(encodingType: string | undefined): KeyEncoder {
  return encodingType === 'url' ? encodeURIComponent : (key) => key;
}

export interface ObjectsListing {
  readonly bucket: string;
  readonly prefix: string;
  readonly delimiter?: string;
  readonly maxKeys: number;
  readonly encodingType?: string;
  readonly startAfter?: string;
  readonly continuationToken?: string;
  readonly nextContinuationToken?: string;
  readonly page: ListingPage<ObjectVersion>;
}

/** ListObjectsV2's `<ListBucketResult>`. */
export function listObjectsV2Result(listing: ObjectsListing): EmulatorResponse {
  const encode = keyEncoder(listing.encodingType);
  const { page } = listing;
  const contents = page.entries.map(
    (object) =>
      `<Contents>${element('Key', encode(object.key))}${element('LastModified', isoSeconds(object.lastModified))}${element('ETag', object.etag)}${element('ChecksumAlgorithm', object.checksum?.algorithm)}${element('Size', object.body.length)}${element('StorageClass', 'STANDARD')}</Contents>`,
  );
  return document(
    'ListBucketResult',
    [
      element('Name', listing.bucket),
      element('Prefix', encode(listing.prefix)),
      element('Delimiter', listing.delimiter === undefined ? undefined : encode(listing.delimiter)),
      element('MaxKeys', listing.maxKeys),
      element('EncodingType', listing.encodingType),
      element('KeyCount', page.entries.length + page.commonPrefixes.length),
      element('IsTruncated', page.truncated),
      element('StartAfter', listing.startAfter === undefined ? undefined : encode(listing.startAfter)),
      element('ContinuationToken', listing.continuationToken),
      element('NextContinuationToken', listing.nextContinuationToken),
      ...contents,
      commonPrefixes(page.commonPrefixes, encode),
    ].join(''),
  );
}

export interface VersionsListing {
  readonly bucket: string;
  readonly prefix: string;
  readonly delimiter?: string;
  readonly maxKeys: number;
  readonly encodingType?: string;
  readonly keyMarker?: string;
  readonly versionIdMarker?: string;
  readonly page: ListingPage<ListedVersion>;
}

/** ListObjectVersions' `<ListVersionsResult>`: versions and delete markers in listing order. */
export function listVersionsResult(listing: VersionsListing): EmulatorResponse {
  const encode = keyEncoder(listing.encodingType);
  const { page } = listing;
  const entries = page.entries.map((version) => {
    const common = `${element('Key', encode(version.key))}${element('VersionId', version.versionId)}${element('IsLatest', version.isLatest)}${element('LastModified', isoSeconds(version.lastModified))}`;
    return version.kind === 'marker'
      ? `<DeleteMarker>${common}</DeleteMarker>`
      : `<Version>${common}${element('ETag', version.etag)}${element('ChecksumAlgorithm', version.checksum?.algorithm)}${element('Size', version.body.length)}${element('StorageClass', 'STANDARD')}</Version>`;
  });
  const next = page.truncated ? page.last : undefined;
  return document(
    'ListVersionsResult',
    [
      element('Name', listing.bucket),
      element('Prefix', encode(listing.prefix)),
      element('KeyMarker', encode(listing.keyMarker ?? '')),
      element('VersionIdMarker', listing.versionIdMarker ?? ''),
      element('NextKeyMarker', next === undefined ? undefined : encode(next.key)),
      element('NextVersionIdMarker', next?.entry?.versionId),
      element('MaxKeys', listing.maxKeys),
      element('Delimiter', listing.delimiter === undefined ? undefined : encode(listing.delimiter)),
      element('EncodingType', listing.encodingType),
      element('IsTruncated', page.truncated),
      ...entries,
      commonPrefixes(page.commonPrefixes, encode),
    ].join(''),
  );
}

function commonPrefixes(prefixes: readonly string[], encode: KeyEncoder): string {
  return prefixes
    .map((prefix) => `<CommonPrefixes>${element('Prefix', encode(prefix))}</CommonPrefixes>`)
    .join('');
}

/** GetBucketVersioning: no Status until versioning was ever configured. */
export function versioningConfiguration(status: VersioningStatus | undefined): EmulatorResponse {
  return document('VersioningConfiguration', element('Status', status));
}

/** GetObjectLockConfiguration. */
export function objectLockConfiguration(defaultRetention: DefaultRetention | undefined): EmulatorResponse {
  const rule =
    defaultRetention === undefined
      ? ''
      : `<Rule><DefaultRetention>${element('Mode', defaultRetention.mode)}${element('Days', defaultRetention.days)}${element('Years', defaultRetention.years)}</DefaultRetention></Rule>`;
  return document('ObjectLockConfiguration', `${element('ObjectLockEnabled', 'Enabled')}${rule}`);
}

/** GetObjectRetention. */
export function retentionResult(retention: Retention): EmulatorResponse {
  return document(
    'Retention',
    `${element('Mode', retention.mode)}${element('RetainUntilDate', new Date(retention.retainUntil).toISOString())}`,
  );
}

/** CopyObject's `<CopyObjectResult>`. */
export function copyObjectResult(copy: ObjectVersion): EmulatorResponse {
  const checksum =
    copy.checksum === undefined ? '' : element(`Checksum${copy.checksum.algorithm}`, copy.checksum.value);
  return document(
    'CopyObjectResult',
    `${element('LastModified', isoSeconds(copy.lastModified))}${element('ETag', copy.etag)}${checksum}`,
  );
}

/** One key of a DeleteObjects request and what became of it. */
export type DeleteOutcome =
  | { readonly key: string; readonly versionId?: string; readonly deletion: Deletion }
  | { readonly key: string; readonly versionId?: string; readonly error: S3Error };

/** DeleteObjects' `<DeleteResult>`; in quiet mode only the errors. */
export function deleteResult(outcomes: readonly DeleteOutcome[], quiet: boolean): EmulatorResponse {
  const parts = outcomes.map((outcome) => {
    const target = `${element('Key', outcome.key)}${element('VersionId', outcome.versionId)}`;
    if ('error' in outcome) {
      return `<Error>${target}${element('Code', outcome.error.code)}${element('Message', outcome.error.message)}</Error>`;
    }
    if (quiet) return '';
    const { deletion } = outcome;
    const marker = deletion.deleteMarker
      ? `${element('DeleteMarker', true)}${element('DeleteMarkerVersionId', deletion.versionId)}`
      : '';
    return `<Deleted>${target}${marker}</Deleted>`;
  });
  return document('DeleteResult', parts.join(''));
}

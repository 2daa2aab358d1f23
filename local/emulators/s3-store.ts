/**
 * The local S3's state, with no HTTP in it: buckets with their versioning and Object Lock
 * settings and, per key, every version and delete marker, newest first — S3's data model.
 * Unversioned buckets hold one version per key with the version id "null", as S3 does.
 */
import { createHash, randomBytes } from 'node:crypto';
import { invalidRequest, noSuchBucket, noSuchKey, noSuchVersion, S3Error } from './s3-errors.js';
import { compareKeys } from './s3-listing.js';
import {
  checkDeletable,
  checkRetentionChange,
  type DefaultRetention,
  defaultRetentionFrom,
  type Retention,
} from './s3-object-lock.js';

export type VersioningStatus = 'Enabled' | 'Suspended';

/** A bucket as a template declares it. */
export interface BucketConfiguration {
  /** Versioning enabled (`VersioningConfiguration.Status: Enabled`). */
  readonly versioned: boolean;
  /** Object Lock enabled (`ObjectLockEnabled`); it implies versioning. */
  readonly objectLock: boolean;
  /** Retention every new version gets unless its request sets one (Object Lock buckets only). */
  readonly defaultRetention?: DefaultRetention;
}

/** A checksum the uploader sent and the server verified (algorithm as S3 names it, e.g. CRC32). */
export interface StoredChecksum {
  readonly algorithm: string;
  readonly value: string;
}

export interface NewObject {
  readonly body: Buffer;
  /** Representation headers (content-type, ...) and `x-amz-meta-*`, returned as stored. */
  readonly headers: Readonly<Record<string, string>>;
  readonly tags: Readonly<Record<string, string>>;
  readonly checksum?: StoredChecksum;
}

export interface ObjectVersion extends NewObject {
  readonly kind: 'object';
  readonly key: string;
  readonly versionId: string;
  /** Epoch milliseconds. */
  readonly lastModified: number;
  /** The MD5 of the body in hex, quoted, as S3 sends it. */
  readonly etag: string;
  readonly retention?: Retention;
}

export interface DeleteMarker {
  readonly kind: 'marker';
  readonly key: string;
  readonly versionId: string;
  readonly lastModified: number;
}

export type Version = ObjectVersion | DeleteMarker;

/** A version as ListObjectVersions shows it: with whether it is its key's current one. */
export type ListedVersion = Version & { readonly isLatest: boolean };

/** What a deletion did: the version it removed or the marker it added. */
export interface Deletion {
  readonly versionId?: string;
  readonly deleteMarker: boolean;
}

/** A bucket written to disk: its settings and every version, bodies in base64. */
export interface BucketSnapshot {
  readonly name: string;
  readonly versioning?: VersioningStatus;
  readonly objectLock: boolean;
  readonly defaultRetention?: DefaultRetention;
  /** In key order, newest first within a key. */
  readonly versions: readonly VersionSnapshot[];
}

export type VersionSnapshot = DeleteMarker | (Omit<ObjectVersion, 'body'> & { readonly base64: string });

interface Bucket {
  versioning?: VersioningStatus;
  objectLock: boolean;
  defaultRetention?: DefaultRetention;
  /** Per key, its versions and delete markers, newest first; a key with none is absent. */
  readonly keys: Map<string, Version[]>;
}

export const NULL_VERSION_ID = 'null';

export class S3Store {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly now: () => number = Date.now) {}

  bucketNames(): string[] {
    return [...this.buckets.keys()];
  }

  /**
   * Creates the bucket or brings it to this configuration, as a deployment does: Object Lock
   * cannot be turned off again, and a bucket that was ever versioned can only be suspended.
   */
  deployBucket(name: string, configuration: BucketConfiguration): void {
    const bucket: Bucket = this.buckets.get(name) ?? { objectLock: false, keys: new Map() };
    bucket.objectLock ||= configuration.objectLock;
    if (configuration.versioned || bucket.objectLock) bucket.versioning = 'Enabled';
    else if (bucket.versioning !== undefined) bucket.versioning = 'Suspended';
    bucket.defaultRetention = bucket.objectLock ? configuration.defaultRetention : undefined;
    this.buckets.set(name, bucket);
  }

  /** CreateBucket: a new, empty bucket; one with Object Lock has versioning enabled. */
  createBucket(name: string, objectLock: boolean): void {
    if (this.buckets.has(name)) {
      throw new S3Error(
        409,
        'BucketAlreadyOwnedByYou',
        'Your previous request to create the named bucket succeeded and you already own it.',
      );
    }
    this.buckets.set(name, {
      objectLock,
      ...(objectLock ? { versioning: 'Enabled' as const } : {}),
      keys: new Map(),
    });
  }

  /** DeleteBucket: only an empty bucket (no object version, no delete marker) goes. */
  deleteBucket(name: string): void {
    const bucket = this.bucket(name);
    if (bucket.keys.size > 0) {
      throw new S3Error(
        409,
        'BucketNotEmpty',
        'The bucket you tried to delete is not empty. You must delete all versions in the bucket.',
      );
    }
    this.buckets.delete(name);
  }

  /** HeadBucket: NoSuchBucket unless it exists. */
  headBucket(name: string): void {
    this.bucket(name);
  }

  versioning(bucketName: string): VersioningStatus | undefined {
    return this.bucket(bucketName).versioning;
  }

  setVersioning(bucketName: string, status: VersioningStatus): void {
    const bucket = this.bucket(bucketName);
    if (bucket.objectLock && status === 'Suspended') {
      throw new S3Error(
        409,
        'InvalidBucketState',
        'An Object Lock configuration is present on this bucket, so the versioning state cannot be changed.',
      );
    }
    bucket.versioning = status;
  }

  /** The bucket's default retention, if any; ObjectLockConfigurationNotFoundError without Object Lock. */
  objectLockConfiguration(bucketName: string): { readonly defaultRetention?: DefaultRetention } {
    const bucket = this.bucket(bucketName);
    if (!bucket.objectLock) {
      throw new S3Error(
        404,
        'ObjectLockConfigurationNotFoundError',
        'Object Lock configuration does not exist for this bucket',
      );
    }
    return bucket.defaultRetention === undefined ? {} : { defaultRetention: bucket.defaultRetention };
  }

  /** Enables Object Lock (on a versioned bucket) and sets or clears its default retention. */
  setObjectLockConfiguration(bucketName: string, defaultRetention: DefaultRetention | undefined): void {
    const bucket = this.bucket(bucketName);
    if (!bucket.objectLock && bucket.versioning !== 'Enabled') {
      throw new S3Error(
        409,
        'InvalidBucketState',
        "Versioning must be 'Enabled' on the bucket to apply a Object Lock configuration",
      );
    }
    bucket.objectLock = true;
    bucket.defaultRetention = defaultRetention;
  }

  /** The retention a new version gets: the requested one (Object Lock buckets only), else the default. */
  retentionForNewVersion(bucketName: string, requested: Retention | undefined): Retention | undefined {
    const bucket = this.bucket(bucketName);
    if (requested !== undefined && !bucket.objectLock) {
      throw invalidRequest('Bucket is missing Object Lock Configuration');
    }
    if (requested !== undefined || bucket.defaultRetention === undefined) return requested;
    return defaultRetentionFrom(bucket.defaultRetention, this.now());
  }

  /** Stores a new version (or replaces the "null" version when versioning is not enabled). */
  putObject(
    bucketName: string,
    key: string,
    object: NewObject,
    retention: Retention | undefined,
  ): ObjectVersion {
    const bucket = this.bucket(bucketName);
    const version: ObjectVersion = {
      ...object,
      kind: 'object',
      key,
      versionId: this.claimVersionId(bucket, key),
      lastModified: this.now(),
      etag: `"${createHash('md5').update(object.body).digest('hex')}"`,
      ...(retention === undefined ? {} : { retention }),
    };
    this.addVersion(bucket, version);
    return version;
  }

  /** The version a request names: the given one, else the current one (possibly a delete marker). */
  version(bucketName: string, key: string, versionId: string | undefined): Version {
    const versions = this.bucket(bucketName).keys.get(key);
    if (versionId === undefined) {
      const current = versions?.[0];
      if (current === undefined) throw noSuchKey();
      return current;
    }
    const found = versions?.find((version) => version.versionId === versionId);
    if (found === undefined) throw noSuchVersion();
    return found;
  }

  /**
   * DeleteObject. Without a version id: a versioned bucket gets a delete marker, an unversioned
   * one loses the object. With one: that version or marker is removed for good, unless its
   * retention forbids it (403 AccessDenied). A version that does not exist deletes nothing.
   */
  deleteObject(
    bucketName: string,
    key: string,
    versionId: string | undefined,
    bypassGovernance: boolean,
  ): Deletion {
    const bucket = this.bucket(bucketName);
    if (versionId !== undefined) {
      const removed = this.removeVersion(bucket, key, versionId, bypassGovernance);
      return { versionId, deleteMarker: removed?.kind === 'marker' };
    }
    if (bucket.versioning === undefined) {
      this.removeVersion(bucket, key, NULL_VERSION_ID, bypassGovernance);
      return { deleteMarker: false };
    }
    const marker: DeleteMarker = {
      kind: 'marker',
      key,
      versionId: this.claimVersionId(bucket, key),
      lastModified: this.now(),
    };
    this.addVersion(bucket, marker);
    return { versionId: marker.versionId, deleteMarker: true };
  }

  /** Current objects that are not deleted, in key order (what ListObjectsV2 lists). */
  currentObjects(bucketName: string): ObjectVersion[] {
    return this.sortedKeys(this.bucket(bucketName)).flatMap(([, versions]) =>
      versions[0]?.kind === 'object' ? [versions[0]] : [],
    );
  }

  /** Every version and delete marker, in key order, newest first within a key. */
  allVersions(bucketName: string): ListedVersion[] {
    return this.sortedKeys(this.bucket(bucketName)).flatMap(([, versions]) =>
      versions.map((version, index) => ({ ...version, isLatest: index === 0 })),
    );
  }

  /** GetObjectRetention; NoSuchObjectLockConfiguration when the version has none. */
  retention(bucketName: string, key: string, versionId: string | undefined): Retention {
    const version = this.lockableVersion(bucketName, key, versionId);
    if (version.retention === undefined) {
      throw new S3Error(
        404,
        'NoSuchObjectLockConfiguration',
        'The specified object does not have a ObjectLock configuration',
      );
    }
    return version.retention;
  }

  /** PutObjectRetention: sets, extends, shortens or removes a version's retention, as the lock allows. */
  putRetention(
    bucketName: string,
    key: string,
    versionId: string | undefined,
    retention: Retention | undefined,
    bypassGovernance: boolean,
  ): void {
    const version = this.lockableVersion(bucketName, key, versionId);
    checkRetentionChange(version.retention, retention, this.now(), bypassGovernance);
    const { retention: _previous, ...unlocked } = version;
    const updated: ObjectVersion = retention === undefined ? unlocked : { ...unlocked, retention };
    const versions = this.bucket(bucketName).keys.get(key) ?? [];
    versions[versions.indexOf(version)] = updated;
  }

  snapshot(bucketName: string): BucketSnapshot {
    const bucket = this.bucket(bucketName);
    return {
      name: bucketName,
      ...(bucket.versioning === undefined ? {} : { versioning: bucket.versioning }),
      objectLock: bucket.objectLock,
      ...(bucket.defaultRetention === undefined ? {} : { defaultRetention: bucket.defaultRetention }),
      versions: this.sortedKeys(bucket).flatMap(([, versions]) =>
        versions.map((version): VersionSnapshot => {
          if (version.kind === 'marker') return version;
          const { body, ...rest } = version;
          return { ...rest, base64: body.toString('base64') };
        }),
      ),
    };
  }

  /** Puts a snapshot back: the bucket as it was, every version and marker in its place. */
  restore(snapshot: BucketSnapshot): void {
    const keys = new Map<string, Version[]>();
    for (const saved of snapshot.versions) {
      const version: Version =
        saved.kind === 'marker'
          ? saved
          : (({ base64, ...rest }) => ({ ...rest, body: Buffer.from(base64, 'base64') }))(saved);
      keys.set(version.key, [...(keys.get(version.key) ?? []), version]);
    }
    this.buckets.set(snapshot.name, {
      objectLock: snapshot.objectLock,
      ...(snapshot.versioning === undefined ? {} : { versioning: snapshot.versioning }),
      ...(snapshot.defaultRetention === undefined ? {} : { defaultRetention: snapshot.defaultRetention }),
      keys,
    });
  }

  private bucket(name: string): Bucket {
    const bucket = this.buckets.get(name);
    if (bucket === undefined) throw noSuchBucket();
    return bucket;
  }

  /** An object version Object Lock settings apply to (not a delete marker, in an Object Lock bucket). */
  private lockableVersion(bucketName: string, key: string, versionId: string | undefined): ObjectVersion {
    if (!this.bucket(bucketName).objectLock)
      throw invalidRequest('Bucket is missing Object Lock Configuration');
    const version = this.version(bucketName, key, versionId);
    if (version.kind === 'marker') {
      throw new S3Error(
        405,
        'MethodNotAllowed',
        'The specified method is not allowed against this resource.',
      );
    }
    return version;
  }

  /**
   * The id of a version (or marker) about to be added: a fresh one under enabled versioning;
   * otherwise "null", and the key's current "null" version makes way for the new one.
   */
  private claimVersionId(bucket: Bucket, key: string): string {
    if (bucket.versioning === 'Enabled') return randomBytes(24).toString('base64url');
    this.removeVersion(bucket, key, NULL_VERSION_ID, false);
    return NULL_VERSION_ID;
  }

  private addVersion(bucket: Bucket, version: Version): void {
    bucket.keys.set(version.key, [version, ...(bucket.keys.get(version.key) ?? [])]);
  }

  private removeVersion(
    bucket: Bucket,
    key: string,
    versionId: string,
    bypassGovernance: boolean,
  ): Version | undefined {
    const versions = bucket.keys.get(key) ?? [];
    const found = versions.find((version) => version.versionId === versionId);
    if (found === undefined) return undefined;
    if (found.kind === 'object') checkDeletable(found.retention, this.now(), bypassGovernance);
    const remaining = versions.filter((version) => version !== found);
    if (remaining.length === 0) bucket.keys.delete(key);
    else bucket.keys.set(key, remaining);
    return found;
  }

  private sortedKeys(bucket: Bucket): [string, Version[]][] {
    return [...bucket.keys].sort(([a], [b]) => compareKeys(a, b));
  }
}

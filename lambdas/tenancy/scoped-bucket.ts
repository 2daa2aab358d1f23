/**
 * ScopedBucket: the tenant bucket as one session sees it.
 *
 * Every object key is `objectPrefix(owner, visibility)` + a validated relative
 * key; relative keys that are empty, absolute or contain `.`/`..`/empty
 * segments are refused, so no key can step outside the owner's prefix.
 * Listings return keys relative to that prefix.
 */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { ScopedKeyError } from './errors.js';
import { type KeyOwner, objectPrefix, type Visibility } from './key-layout.js';
import type { TenantSession } from './tenant-session.js';

const MAX_RELATIVE_KEY_LENGTH = 900;
const FORBIDDEN_SEGMENTS = new Set(['', '.', '..']);

export interface StoredObject {
  readonly body: Uint8Array;
  readonly contentType?: string;
}

export interface ObjectListing {
  readonly keys: readonly string[];
  readonly cursor?: string;
}

/** Checks a caller's relative key; throws ScopedKeyError when it could escape or is malformed. */
export function checkedRelativeKey(key: string): string {
  if (key.length === 0 || key.length > MAX_RELATIVE_KEY_LENGTH) {
    throw new ScopedKeyError(`object keys must be 1–${MAX_RELATIVE_KEY_LENGTH} characters`);
  }
  if (key.startsWith('/')) throw new ScopedKeyError('object keys must be relative');
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we refuse.
  if (/[\u0000-\u001f\u007f\\]/.test(key))
    throw new ScopedKeyError('object keys must not contain control characters or "\\"');
  if (key.split('/').some((segment) => FORBIDDEN_SEGMENTS.has(segment))) {
    throw new ScopedKeyError('object keys must not contain empty, "." or ".." segments');
  }
  return key;
}

export class ScopedBucket {
  constructor(
    private readonly client: S3Client,
    private readonly bucketName: string,
    private readonly owner: KeyOwner,
  ) {}

  /** The scoped bucket of a tenant session. */
  static of(session: TenantSession, bucketName: string): ScopedBucket {
    return new ScopedBucket(session.s3, bucketName, session.owner);
  }

  async put(
    visibility: Visibility,
    key: string,
    body: Uint8Array | string,
    contentType?: string,
  ): Promise<void> {
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucketName,
        Key: this.#objectKey(visibility, key),
        Body: body,
        ...(contentType === undefined ? {} : { ContentType: contentType }),
      }),
    );
  }

  /** The object, or undefined when there is none. */
  async get(visibility: Visibility, key: string): Promise<StoredObject | undefined> {
    try {
      const output = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucketName, Key: this.#objectKey(visibility, key) }),
      );
      const body = output.Body === undefined ? new Uint8Array() : await output.Body.transformToByteArray();
      return output.ContentType === undefined ? { body } : { body, contentType: output.ContentType };
    } catch (err) {
      if (err instanceof NoSuchKey) return undefined;
      throw err;
    }
  }

  async delete(visibility: Visibility, key: string): Promise<void> {
    await this.client.send(
      new DeleteObjectCommand({ Bucket: this.bucketName, Key: this.#objectKey(visibility, key) }),
    );
  }

  /** One page of keys (relative to the owner's prefix) under an optional relative prefix. */
  async list(
    visibility: Visibility,
    options: { prefix?: string; cursor?: string; limit?: number } = {},
  ): Promise<ObjectListing> {
    const root = objectPrefix(this.owner, visibility);
    // A listing prefix may end in "/" (a folder); validate it without that trailing slash.
    const relative =
      options.prefix === undefined ? '' : checkedRelativeKey(options.prefix.replace(/\/$/, ''));
    const prefix = options.prefix?.endsWith('/') ? `${root}${relative}/` : `${root}${relative}`;
    const output = await this.client.send(
      new ListObjectsV2Command({
        Bucket: this.bucketName,
        Prefix: prefix,
        ...(options.cursor === undefined ? {} : { ContinuationToken: options.cursor }),
        ...(options.limit === undefined ? {} : { MaxKeys: options.limit }),
      }),
    );
    const keys = (output.Contents ?? [])
      .map((object) => object.Key)
      .filter((key): key is string => key?.startsWith(root) === true)
      .map((key) => key.slice(root.length));
    return output.NextContinuationToken === undefined
      ? { keys }
      : { keys, cursor: output.NextContinuationToken };
  }

  #objectKey(visibility: Visibility, key: string): string {
    return objectPrefix(this.owner, visibility) + checkedRelativeKey(key);
  }
}

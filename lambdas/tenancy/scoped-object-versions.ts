/**
 * Every stored version of the session owner's private objects, for erasure: a versioned bucket
 * keeps overwritten and deleted objects as noncurrent versions and delete markers, which a plain
 * delete never removes. Listing versions and deleting one are the eraser roles' alone: the user
 * eraser's on `tenants/<TenantId>/users/<UserId>/`, the tenant eraser's on `tenants/<TenantId>/`.
 */
import { DeleteObjectsCommand, ListObjectVersionsCommand, type S3Client } from '@aws-sdk/client-s3';
import { IncompleteBatchError } from './errors.js';
import { type KeyOwner, objectPrefix, S3_TENANT_ROOT } from './key-layout.js';
import type { TenantSession } from './tenant-session.js';

/** DeleteObjects takes at most 1,000 keys. */
const DELETE_BATCH = 1000;

export interface PurgedVersions {
  readonly objectVersions: number;
  readonly deleteMarkers: number;
}

export class ScopedObjectVersions {
  constructor(
    private readonly client: S3Client,
    private readonly bucketName: string,
    private readonly owner: KeyOwner,
  ) {}

  /** The versions an eraser session reaches. */
  static of(session: TenantSession, bucketName: string): ScopedObjectVersions {
    return new ScopedObjectVersions(session.s3, bucketName, session.owner);
  }

  /** Deletes every version and delete marker under the owner's private prefix; what it deleted. */
  purgePrivate(): Promise<PurgedVersions> {
    return this.#purge(objectPrefix(this.owner, 'private'));
  }

  /** Deletes every version and delete marker of the owner's whole tenant (tenant erasure). */
  purgeTenant(): Promise<PurgedVersions> {
    return this.#purge(`${S3_TENANT_ROOT}/${this.owner.tenantId}/`);
  }

  async #purge(prefix: string): Promise<PurgedVersions> {
    let objectVersions = 0;
    let deleteMarkers = 0;
    for (;;) {
      // Always the first page: what was deleted is gone, so the next page is the new first.
      const page = await this.client.send(
        new ListObjectVersionsCommand({ Bucket: this.bucketName, Prefix: prefix, MaxKeys: DELETE_BATCH }),
      );
      const versions = (page.Versions ?? []).map((entry) => ({ Key: entry.Key, VersionId: entry.VersionId }));
      const markers = (page.DeleteMarkers ?? []).map((entry) => ({
        Key: entry.Key,
        VersionId: entry.VersionId,
      }));
      const batch = [...versions, ...markers].filter((entry) => entry.Key?.startsWith(prefix) === true);
      if (batch.length === 0) return { objectVersions, deleteMarkers };
      const output = await this.client.send(
        new DeleteObjectsCommand({ Bucket: this.bucketName, Delete: { Objects: batch, Quiet: true } }),
      );
      if ((output.Errors ?? []).length > 0)
        throw new IncompleteBatchError(`DeleteObjects left ${output.Errors?.length} versions undeleted`);
      objectVersions += versions.length;
      deleteMarkers += markers.length;
    }
  }
}

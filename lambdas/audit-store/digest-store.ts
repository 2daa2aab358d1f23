/**
 * A tenant's signed digests in the digest bucket (S3 Object Lock, compliance mode): written and
 * read through the tenant's audit writer session, whose policy reaches `digests/<its tenant>/`
 * only. Each version is locked for the tenant's audit retention (the bucket's default retention
 * is the floor for any other write); compliance mode lets no one shorten it. Listing reads every
 * version of every digest, so a later version or a delete marker on top of a locked original is
 * seen, not hidden.
 */
import {
  GetObjectCommand,
  ListObjectVersionsCommand,
  type ListObjectVersionsCommandOutput,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import {
  digestObjectKey,
  digestPrefix,
  digestSeqOf,
  type SignedDigest,
  SignedDigestSchema,
} from '../audit/audit-digest.js';
import type { StoredDigest, StoredDigestVersion } from '../audit/trail-verifier.js';

interface ListedVersion {
  readonly key: string;
  readonly versionId: string;
  readonly deleteMarker: boolean;
  readonly lastModified: number;
}

export class DigestStore {
  constructor(
    private readonly s3: S3Client,
    private readonly bucketName: string,
    private readonly tenantId: string,
    /** Days each digest stays locked (the tenant's audit retention); absent: the bucket's default. */
    private readonly retentionDays?: number,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Stores digest `seq`, locked in compliance mode for the tenant's audit retention. */
  async put(seq: number, signed: SignedDigest): Promise<void> {
    const lock =
      this.retentionDays === undefined
        ? {}
        : {
            ObjectLockMode: 'COMPLIANCE' as const,
            ObjectLockRetainUntilDate: new Date(this.now().getTime() + this.retentionDays * 86_400_000),
          };
    await this.s3.send(
      new PutObjectCommand({
        Bucket: this.bucketName,
        Key: digestObjectKey(this.tenantId, seq),
        Body: JSON.stringify(signed),
        ContentType: 'application/json',
        ...lock,
      }),
    );
  }

  /** Every digest of the tenant in digest order, each with all its versions, oldest first. */
  async list(): Promise<StoredDigest[]> {
    const listed = await this.#listVersions();
    const byKey = new Map<string, ListedVersion[]>();
    for (const version of listed) byKey.set(version.key, [...(byKey.get(version.key) ?? []), version]);
    const digests: StoredDigest[] = [];
    for (const [key, versions] of byKey) {
      const seq = digestSeqOf(this.tenantId, key);
      if (seq === undefined) continue;
      const oldestFirst = versions.sort((a, b) => a.lastModified - b.lastModified);
      digests.push({ seq, versions: await Promise.all(oldestFirst.map((version) => this.#read(version))) });
    }
    return digests.sort((a, b) => a.seq - b.seq);
  }

  async #listVersions(): Promise<ListedVersion[]> {
    const listed: ListedVersion[] = [];
    let page: ListObjectVersionsCommandOutput | undefined;
    do {
      page = await this.s3.send(
        new ListObjectVersionsCommand({
          Bucket: this.bucketName,
          Prefix: digestPrefix(this.tenantId),
          ...(page?.NextKeyMarker === undefined ? {} : { KeyMarker: page.NextKeyMarker }),
          ...(page?.NextVersionIdMarker === undefined ? {} : { VersionIdMarker: page.NextVersionIdMarker }),
        }),
      );
      const entries = [
        ...(page.Versions ?? []).map((entry) => ({ entry, deleteMarker: false })),
        ...(page.DeleteMarkers ?? []).map((entry) => ({ entry, deleteMarker: true })),
      ];
      for (const { entry, deleteMarker } of entries) {
        if (entry.Key === undefined || entry.VersionId === undefined) continue;
        listed.push({
          key: entry.Key,
          versionId: entry.VersionId,
          deleteMarker,
          lastModified: entry.LastModified?.getTime() ?? 0,
        });
      }
    } while (page.IsTruncated === true);
    return listed;
  }

  async #read(version: ListedVersion): Promise<StoredDigestVersion> {
    if (version.deleteMarker) return { versionId: version.versionId, deleteMarker: true };
    const output = await this.s3.send(
      new GetObjectCommand({ Bucket: this.bucketName, Key: version.key, VersionId: version.versionId }),
    );
    const text = (await output.Body?.transformToString('utf8')) ?? '';
    return { versionId: version.versionId, deleteMarker: false, signed: signedDigestOf(text) };
  }
}

/** A stored version's content; one that is not a signed digest is kept as one no key verifies, so verification names it. */
function signedDigestOf(text: string): SignedDigest {
  try {
    const parsed = SignedDigestSchema.safeParse(JSON.parse(text));
    if (parsed.success) return parsed.data;
  } catch {
    // not JSON: falls through
  }
  return { body: text.slice(0, 4096) || '-', signature: '-' };
}

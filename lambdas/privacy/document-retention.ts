/**
 * Expiring a tenant's documents past its retention: every document created before the cutoff —
 * the tenant's shared ones and each member's private ones — is deleted the way a user's delete
 * does it (vectors, the object, then its metadata, audited), so nothing of it is left: the object
 * becomes a noncurrent version that the bucket's lifecycle rule removes a day later.
 */
import type { DocumentLibrary, DocumentSummary } from '../documents/document-library.js';

export interface DocumentRetentionTargets {
  /** The tenant's shared documents, as a tenant admin sees them. */
  readonly shared: Pick<DocumentLibrary, 'list' | 'delete'>;
  /** A member's library (their private documents and the tenant's). */
  readonly forMember: (userId: string) => Promise<Pick<DocumentLibrary, 'list' | 'delete'>>;
  readonly memberIds: readonly string[];
}

async function allOf(library: Pick<DocumentLibrary, 'list'>): Promise<DocumentSummary[]> {
  const documents: DocumentSummary[] = [];
  let cursor: string | undefined;
  do {
    const page = await library.list(cursor === undefined ? {} : { cursor });
    documents.push(...page.documents);
    cursor = page.cursor;
  } while (cursor !== undefined);
  return documents;
}

/** Deletes every document created before `cutoff`; how many. */
export async function expireDocuments(targets: DocumentRetentionTargets, cutoff: Date): Promise<number> {
  const expired = (documents: DocumentSummary[], visibility: DocumentSummary['visibility']) =>
    documents.filter(
      (document) => document.visibility === visibility && new Date(document.createdAt) < cutoff,
    );
  let deleted = 0;
  for (const document of expired(await allOf(targets.shared), 'tenant')) {
    await targets.shared.delete(document.id);
    deleted += 1;
  }
  for (const userId of targets.memberIds) {
    const library = await targets.forMember(userId);
    for (const document of expired(await allOf(library), 'private')) {
      await library.delete(document.id);
      deleted += 1;
    }
  }
  return deleted;
}

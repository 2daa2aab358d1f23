/**
 * The tenant's document library: upload (object + metadata + chunk vectors,
 * all or nothing), list, read, delete (every vector of the document), and
 * semantic search over what the caller may see: tenant-visible documents plus
 * their own private ones.
 *
 * Where data lives (the scoped clients put it under the owner's keys):
 *   object    ScopedBucket  <visibility prefix>documents/<id>
 *   metadata  ScopedTable   <visibility partition>documents, sk doc#<id>
 *   vectors   ScopedVectorIndex key <id>#<chunk>, metadata documentId/title/chunk/text
 * IAM keeps tenants apart; the visibility prefixes keep users' private
 * documents apart; this module adds the role rule for tenant-visible writes.
 */
import { randomUUID } from 'node:crypto';
import * as z from 'zod';
import type { DataAudit } from '../audit/request-audit.js';
import { authorizeAction } from '../authorization/action-table.js';
import { ScopedKeyError } from '../tenancy/errors.js';
import type { Visibility } from '../tenancy/key-layout.js';
import type { RequestContext } from '../tenancy/request-context.js';
import type { ScopedBucket } from '../tenancy/scoped-bucket.js';
import type { ItemAddress, ScopedTable } from '../tenancy/scoped-table.js';
import type { ScopedVectorIndex, VectorMatch } from '../tenancy/scoped-vector-index.js';
import { chunkText } from './chunking.js';
import { DocumentNotFoundError } from './errors.js';

export const MAX_DOCUMENT_BYTES = 200 * 1024;
export const MAX_SEARCH_TOP_K = 20;
export const DEFAULT_SEARCH_TOP_K = 5;
export const DOCUMENTS_COLLECTION = 'documents';
const DOCUMENT_SK_PREFIX = 'doc#';
/** PutVectors and DeleteVectors take at most 500 vectors per call. */
const VECTOR_BATCH = 500;

export const VisibilitySchema = z.enum(['tenant', 'private']);
export const DocumentIdSchema = z.uuid();
export const DocumentTitleSchema = z.string().trim().min(1).max(200);

export const NewDocumentSchema = z
  .object({
    title: DocumentTitleSchema,
    content: z
      .string()
      .max(MAX_DOCUMENT_BYTES)
      .refine((text) => text.trim().length > 0, 'content must not be empty')
      .refine((text) => Buffer.byteLength(text, 'utf8') <= MAX_DOCUMENT_BYTES, 'content exceeds 200 KB'),
    visibility: VisibilitySchema,
  })
  .strict()
  .meta({ id: 'NewDocument', description: 'A text or markdown document to store, chunk, embed and index' });
export type NewDocument = z.infer<typeof NewDocumentSchema>;

export const DocumentSummarySchema = z
  .object({
    id: DocumentIdSchema,
    title: z.string(),
    visibility: VisibilitySchema,
    chunks: z.number().int().nonnegative(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'DocumentSummary', description: 'A document without its content' });
export type DocumentSummary = z.infer<typeof DocumentSummarySchema>;

export const StoredDocumentSchema = DocumentSummarySchema.extend({ content: z.string() }).meta({
  id: 'StoredDocument',
  description: 'A document with its content',
});
export type StoredDocument = z.infer<typeof StoredDocumentSchema>;

export const SearchMatchSchema = z
  .object({
    documentId: DocumentIdSchema,
    title: z.string(),
    chunk: z.number().int().nonnegative(),
    text: z.string(),
    score: z.number(),
  })
  .meta({ id: 'SearchMatch', description: 'A passage of a document that matches a search' });
export type SearchMatch = z.infer<typeof SearchMatchSchema>;

const StoredMetadataSchema = z.object({
  title: z.string(),
  visibility: VisibilitySchema,
  chunks: z.number().int().nonnegative(),
  createdAt: z.string(),
});
const ChunkMetadataSchema = z.object({
  documentId: z.string(),
  title: z.string(),
  chunk: z.number().int().nonnegative(),
  text: z.string(),
});
/** Where a listing continues: which partition (tenant first, then private) and the cursor inside it. */
const ListPositionSchema = z.object({ v: VisibilitySchema, c: z.string().optional() });
type ListPosition = z.infer<typeof ListPositionSchema>;
const DEFAULT_PAGE_SIZE = 50;

/** Turns texts into vectors (ScopedEmbedder satisfies it). */
export interface Embedder {
  embed(texts: readonly string[]): Promise<{ readonly vectors: number[][] }>;
}

export interface DocumentStores {
  readonly table: Pick<ScopedTable, 'put' | 'get' | 'delete' | 'query'>;
  readonly bucket: Pick<ScopedBucket, 'put' | 'get' | 'delete'>;
  readonly vectors: Pick<ScopedVectorIndex, 'put' | 'query' | 'delete'>;
  readonly embedder: Embedder;
  /** Uploads and deletes are audited (fail closed). */
  readonly audit: DataAudit;
}

export interface DocumentLibraryOptions {
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** @default randomUUID */
  readonly newId?: () => string;
}

export interface DocumentPage {
  readonly documents: DocumentSummary[];
  readonly cursor?: string;
}

function metadataAddress(visibility: Visibility, id: string): ItemAddress {
  return { visibility, collection: DOCUMENTS_COLLECTION, sk: `${DOCUMENT_SK_PREFIX}${id}` };
}

function objectKey(id: string): string {
  return `${DOCUMENTS_COLLECTION}/${id}`;
}

function vectorAddresses(visibility: Visibility, id: string, chunks: number) {
  return Array.from({ length: chunks }, (_, chunk) => ({ key: `${id}#${chunk}`, visibility }));
}

function batches<T>(items: readonly T[]): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += VECTOR_BATCH)
    result.push(items.slice(start, start + VECTOR_BATCH));
  return result;
}

function encodeCursor(position: ListPosition): string {
  return Buffer.from(JSON.stringify(position), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string | undefined): ListPosition {
  if (cursor === undefined) return { v: 'tenant' };
  try {
    return ListPositionSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch (err) {
    throw new ScopedKeyError('invalid cursor', { cause: err });
  }
}

function nextPhase(visibility: Visibility): ListPosition | undefined {
  return visibility === 'tenant' ? { v: 'private' } : undefined;
}

export class DocumentLibrary {
  readonly #now: () => Date;
  readonly #newId: () => string;

  constructor(
    private readonly context: Pick<RequestContext, 'tenantId' | 'roles'>,
    private readonly stores: DocumentStores,
    options: DocumentLibraryOptions = {},
  ) {
    this.#now = options.now ?? (() => new Date());
    this.#newId = options.newId ?? randomUUID;
  }

  /** Stores, chunks and indexes a document; on any failure nothing of it remains. */
  async upload(document: NewDocument): Promise<DocumentSummary> {
    const { title, content, visibility } = NewDocumentSchema.parse(document);
    authorizeAction(this.context, `documents.write.${visibility}`);
    const id = this.#newId();
    const chunks = chunkText(content);
    // Embed before writing anything: the most failure-prone step then leaves nothing to undo.
    const { vectors } = await this.stores.embedder.embed(chunks);
    const summary: DocumentSummary = {
      id,
      title,
      visibility,
      chunks: chunks.length,
      createdAt: this.#now().toISOString(),
    };
    await this.stores.audit.write(
      { kind: 'data_write', action: 'documents.upload', resource: `document/${id}` },
      () => this.#store(summary, content, chunks, vectors),
    );
    return summary;
  }

  /** Writes object, metadata and vectors; on any failure, undoes what was written. */
  async #store(
    summary: DocumentSummary,
    content: string,
    chunks: readonly string[],
    vectors: readonly number[][],
  ): Promise<void> {
    const { id, title, visibility } = summary;
    const undo: Array<() => Promise<unknown>> = [];
    try {
      await this.stores.bucket.put(visibility, objectKey(id), content, 'text/markdown; charset=utf-8');
      undo.push(() => this.stores.bucket.delete(visibility, objectKey(id)));
      const { id: _id, ...metadata } = summary;
      await this.stores.table.put(metadataAddress(visibility, id), metadata);
      undo.push(() => this.stores.table.delete(metadataAddress(visibility, id)));
      // A failed batch may have stored part of the vectors: undo deletes every key of the document.
      undo.push(() => this.#deleteVectors(visibility, id, chunks.length));
      const records = chunks.map((text, chunk) => ({
        key: `${id}#${chunk}`,
        visibility,
        data: vectors[chunk] ?? [],
        metadata: { documentId: id, title, chunk, text },
      }));
      for (const batch of batches(records)) await this.stores.vectors.put(batch);
    } catch (err) {
      for (const step of undo.reverse()) {
        // Best effort: the original failure is what the caller must see.
        await step().catch(() => undefined);
      }
      throw err;
    }
  }

  /** One page: tenant-visible documents first, then the caller's private ones. */
  async list(options: { limit?: number; cursor?: string } = {}): Promise<DocumentPage> {
    const limit = options.limit ?? DEFAULT_PAGE_SIZE;
    let position: ListPosition | undefined = decodeCursor(options.cursor);
    const documents: DocumentSummary[] = [];
    while (position !== undefined && documents.length < limit) {
      const page = await this.stores.table.query(
        { visibility: position.v, collection: DOCUMENTS_COLLECTION },
        {
          skBeginsWith: DOCUMENT_SK_PREFIX,
          limit: limit - documents.length,
          ...(position.c === undefined ? {} : { cursor: position.c }),
        },
      );
      documents.push(...page.items.map((item) => toSummary(item.sk, item.attributes)));
      position = page.cursor !== undefined ? { v: position.v, c: page.cursor } : nextPhase(position.v);
    }
    return position === undefined ? { documents } : { documents, cursor: encodeCursor(position) };
  }

  /** A document with its content; throws DocumentNotFoundError when the caller cannot see it. */
  async get(id: string): Promise<StoredDocument> {
    const summary = await this.#find(id);
    const object = await this.stores.bucket.get(summary.visibility, objectKey(summary.id));
    if (object === undefined) throw new DocumentNotFoundError();
    return { ...summary, content: new TextDecoder().decode(object.body) };
  }

  /** Removes the object, the metadata and every vector of a document. */
  async delete(id: string): Promise<void> {
    const summary = await this.#find(id);
    authorizeAction(this.context, `documents.delete.${summary.visibility}`);
    await this.stores.audit.write(
      { kind: 'data_delete', action: 'documents.delete', resource: `document/${summary.id}` },
      async () => {
        await this.#deleteVectors(summary.visibility, summary.id, summary.chunks);
        await this.stores.bucket.delete(summary.visibility, objectKey(summary.id));
        // Metadata goes last: if anything above failed, the document can still be found and deleted again.
        await this.stores.table.delete(metadataAddress(summary.visibility, summary.id));
      },
    );
  }

  /** The chunks closest to `query` among tenant-visible documents and the caller's own. */
  async search(query: string, topK: number): Promise<SearchMatch[]> {
    const { vectors } = await this.stores.embedder.embed([query]);
    const matches = await this.stores.vectors.query({ vector: vectors[0] ?? [], topK });
    return matches.flatMap(toSearchMatch);
  }

  async #find(id: string): Promise<DocumentSummary> {
    // A malformed id names no document: the same answer as a missing one.
    if (!DocumentIdSchema.safeParse(id).success) throw new DocumentNotFoundError();
    const [own, shared] = await Promise.all([
      this.stores.table.get(metadataAddress('private', id)),
      this.stores.table.get(metadataAddress('tenant', id)),
    ]);
    const found = own ?? shared;
    if (found === undefined) throw new DocumentNotFoundError();
    return toSummary(found.sk, found.attributes);
  }

  async #deleteVectors(visibility: Visibility, id: string, chunks: number): Promise<void> {
    for (const batch of batches(vectorAddresses(visibility, id, chunks)))
      await this.stores.vectors.delete(batch);
  }
}

function toSummary(sk: string, attributes: Record<string, unknown>): DocumentSummary {
  return { id: sk.slice(DOCUMENT_SK_PREFIX.length), ...StoredMetadataSchema.parse(attributes) };
}

function toSearchMatch(match: VectorMatch): SearchMatch[] {
  const metadata = ChunkMetadataSchema.safeParse(match.metadata);
  if (!metadata.success) return [];
  return [{ ...metadata.data, score: 1 - (match.distance ?? 1) }];
}

/**
 * A small S3 Vectors server: the operations the platform uses (CreateIndex, GetIndex, PutVectors,
 * GetVectors, QueryVectors, ListVectors, DeleteVectors) on the restJson1 wire shape of
 * `@aws-sdk/client-s3vectors` (`POST /<Operation>`, JSON body). Exact top-K by the index's
 * distance metric; no approximate search. Optional JSON persistence.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { type EmulatorResponse, jsonResponse, namedJsonError } from './emulator-response.js';
import { type Metadata, matchesFilter, VectorFilterError } from './vector-filter.js';

type DistanceMetric = 'cosine' | 'euclidean';

interface StoredVector {
  readonly key: string;
  readonly data: readonly number[];
  readonly metadata?: Metadata;
}

interface StoredIndex {
  readonly vectorBucketName: string;
  readonly indexName: string;
  readonly indexArn: string;
  readonly creationTime: number;
  readonly dataType: string;
  readonly dimension: number;
  readonly distanceMetric: DistanceMetric;
  readonly metadataConfiguration?: unknown;
  readonly vectors: Map<string, StoredVector>;
}

const MAX_TOP_K = 100;
const DEFAULT_PAGE_SIZE = 500;

/** Thrown by an operation to answer with a named S3 Vectors error. */
class VectorsError extends Error {
  constructor(
    readonly status: number,
    readonly errorName: string,
    message: string,
  ) {
    super(message);
    this.name = 'VectorsError';
  }
}

export interface S3VectorsEmulatorOptions {
  /** ARN prefix for vector buckets: `arn:aws:s3vectors:<region>:<account>:bucket/`. */
  readonly bucketArnPrefix: string;
  /** JSON file to load at start and save at stop; in memory only when absent. */
  readonly dataFile?: string;
}

/** Where an index-scoped request points, resolved from `vectorBucketName`+`indexName` or `indexArn`. */
export interface IndexLocation {
  readonly vectorBucketName: string;
  readonly indexName: string;
}

/** Resolves the index a request body names; undefined when it names none consistently. */
export function indexLocationOf(
  body: Record<string, unknown>,
  bucketArnPrefix: string,
): IndexLocation | undefined {
  const { indexArn, vectorBucketName, indexName } = body;
  if (typeof indexArn === 'string') {
    if (!indexArn.startsWith(bucketArnPrefix)) return undefined;
    const match = /^([^/]+)\/index\/([^/]+)$/.exec(indexArn.slice(bucketArnPrefix.length));
    if (match?.[1] === undefined || match[2] === undefined) return undefined;
    return { vectorBucketName: match[1], indexName: match[2] };
  }
  if (typeof vectorBucketName === 'string' && typeof indexName === 'string')
    return { vectorBucketName, indexName };
  return undefined;
}

export class S3VectorsEmulator {
  private readonly buckets = new Map<string, Map<string, StoredIndex>>();

  constructor(private readonly options: S3VectorsEmulatorOptions) {
    if (options.dataFile !== undefined) this.load(options.dataFile);
  }

  /** Creates a vector bucket (the template's, at start-up). */
  createVectorBucket(name: string): void {
    if (!this.buckets.has(name)) this.buckets.set(name, new Map());
  }

  /** Deletes a vector bucket that holds no index (ConflictException otherwise, as S3 Vectors answers). */
  deleteVectorBucket(name: string): void {
    if (this.bucket(name).size > 0)
      throw new VectorsError(
        409,
        'ConflictException',
        `vector bucket ${name} is not empty: delete its indexes first`,
      );
    this.buckets.delete(name);
  }

  /** Saves the state when persistence is on. */
  save(): void {
    const file = this.options.dataFile;
    if (file === undefined) return;
    const state = [...this.buckets].map(([bucket, indexes]) => ({
      bucket,
      indexes: [...indexes.values()].map((index) => ({ ...index, vectors: [...index.vectors.values()] })),
    }));
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(state));
  }

  /** What an index holds (keys and metadata), for inspection; undefined when there is no such index. */
  contents(
    vectorBucketName: string,
    indexName: string,
  ): { readonly key: string; readonly metadata?: Metadata }[] | undefined {
    const index = this.buckets.get(vectorBucketName)?.get(indexName);
    if (index === undefined) return undefined;
    return [...index.vectors.values()].map(({ key, metadata }) => ({
      key,
      ...(metadata === undefined ? {} : { metadata }),
    }));
  }

  /** Handles one operation (`POST /<operation>` with a JSON body). */
  handle(operation: string, body: Record<string, unknown>): EmulatorResponse {
    try {
      return jsonResponse(200, this.dispatch(operation, body));
    } catch (err) {
      if (err instanceof VectorsError) return namedJsonError(err.status, err.errorName, err.message);
      if (err instanceof VectorFilterError) return namedJsonError(400, 'ValidationException', err.message);
      throw err;
    }
  }

  private dispatch(operation: string, body: Record<string, unknown>): unknown {
    switch (operation) {
      case 'CreateIndex':
        return this.createIndex(body);
      case 'GetIndex':
        return { index: describeIndex(this.index(body)) };
      case 'DeleteIndex': {
        const index = this.index(body);
        this.bucket(index.vectorBucketName).delete(index.indexName);
        return {};
      }
      case 'PutVectors':
        return this.putVectors(body);
      case 'GetVectors':
        return this.getVectors(body);
      case 'QueryVectors':
        return this.queryVectors(body);
      case 'ListVectors':
        return this.listVectors(body);
      case 'DeleteVectors':
        for (const key of stringList(body.keys, 'keys')) this.index(body).vectors.delete(key);
        return {};
      default:
        throw new VectorsError(400, 'ValidationException', `operation ${operation} is not emulated`);
    }
  }

  private createIndex(body: Record<string, unknown>): unknown {
    const location = this.location(body);
    const indexes = this.bucket(location.vectorBucketName);
    if (indexes.has(location.indexName)) {
      throw new VectorsError(409, 'ConflictException', `index ${location.indexName} already exists`);
    }
    const { dimension, distanceMetric, dataType } = body;
    if (typeof dimension !== 'number' || !Number.isInteger(dimension) || dimension < 1 || dimension > 4096) {
      throw new VectorsError(400, 'ValidationException', 'dimension must be an integer in 1..4096');
    }
    if (distanceMetric !== 'cosine' && distanceMetric !== 'euclidean') {
      throw new VectorsError(400, 'ValidationException', 'distanceMetric must be cosine or euclidean');
    }
    if (dataType !== 'float32')
      throw new VectorsError(400, 'ValidationException', 'dataType must be float32');
    const indexArn = `${this.options.bucketArnPrefix}${location.vectorBucketName}/index/${location.indexName}`;
    indexes.set(location.indexName, {
      ...location,
      indexArn,
      creationTime: Math.floor(Date.now() / 1000),
      dataType,
      dimension,
      distanceMetric,
      metadataConfiguration: body.metadataConfiguration,
      vectors: new Map(),
    });
    return { indexArn };
  }

  private putVectors(body: Record<string, unknown>): unknown {
    const index = this.index(body);
    if (!Array.isArray(body.vectors) || body.vectors.length === 0 || body.vectors.length > 500) {
      throw new VectorsError(400, 'ValidationException', 'vectors must hold 1..500 entries');
    }
    const parsed = body.vectors.map((vector: unknown) => parseVector(vector, index.dimension));
    for (const vector of parsed) index.vectors.set(vector.key, vector);
    return {};
  }

  private getVectors(body: Record<string, unknown>): unknown {
    const index = this.index(body);
    const vectors = stringList(body.keys, 'keys').flatMap((key) => {
      const vector = index.vectors.get(key);
      return vector === undefined ? [] : [present(vector, body)];
    });
    return { vectors };
  }

  private queryVectors(body: Record<string, unknown>): unknown {
    const index = this.index(body);
    const { topK } = body;
    if (typeof topK !== 'number' || !Number.isInteger(topK) || topK < 1 || topK > MAX_TOP_K) {
      throw new VectorsError(400, 'ValidationException', `topK must be an integer in 1..${MAX_TOP_K}`);
    }
    const query = floatData(body.queryVector, index.dimension);
    const ranked = [...index.vectors.values()]
      .filter((vector) => matchesFilter(vector.metadata ?? {}, body.filter))
      .map((vector) => ({ vector, distance: distance(index.distanceMetric, query, vector.data) }))
      .sort((a, b) => a.distance - b.distance)
      .slice(0, topK);
    return {
      distanceMetric: index.distanceMetric,
      vectors: ranked.map(({ vector, distance: value }) => ({
        key: vector.key,
        ...(body.returnDistance === true ? { distance: value } : {}),
        ...(body.returnMetadata === true && vector.metadata !== undefined
          ? { metadata: vector.metadata }
          : {}),
      })),
    };
  }

  private listVectors(body: Record<string, unknown>): unknown {
    const index = this.index(body);
    const pageSize = typeof body.maxResults === 'number' ? body.maxResults : DEFAULT_PAGE_SIZE;
    const keys = [...index.vectors.keys()].sort();
    const after = body.nextToken;
    const start = typeof after === 'string' ? keys.findIndex((key) => key > after) : 0;
    const page = start < 0 ? [] : keys.slice(start, start + pageSize);
    const last = page.at(-1);
    const more = start >= 0 && start + pageSize < keys.length;
    return {
      vectors: page.flatMap((key) => {
        const vector = index.vectors.get(key);
        return vector === undefined ? [] : [present(vector, body)];
      }),
      ...(more && last !== undefined ? { nextToken: last } : {}),
    };
  }

  private location(body: Record<string, unknown>): IndexLocation {
    const location = indexLocationOf(body, this.options.bucketArnPrefix);
    if (location === undefined) {
      throw new VectorsError(
        400,
        'ValidationException',
        'name the index by vectorBucketName+indexName or indexArn',
      );
    }
    return location;
  }

  private bucket(name: string): Map<string, StoredIndex> {
    const indexes = this.buckets.get(name);
    if (indexes === undefined)
      throw new VectorsError(404, 'NotFoundException', `vector bucket ${name} not found`);
    return indexes;
  }

  private index(body: Record<string, unknown>): StoredIndex {
    const location = this.location(body);
    const index = this.bucket(location.vectorBucketName).get(location.indexName);
    if (index === undefined)
      throw new VectorsError(404, 'NotFoundException', `index ${location.indexName} not found`);
    return index;
  }

  private load(file: string): void {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      return; // first run: nothing saved yet
    }
    const state = JSON.parse(text) as {
      bucket: string;
      indexes: (StoredIndex & { vectors: StoredVector[] })[];
    }[];
    for (const { bucket, indexes } of state) {
      this.buckets.set(
        bucket,
        new Map(
          indexes.map((index) => [
            index.indexName,
            { ...index, vectors: new Map(index.vectors.map((vector) => [vector.key, vector])) },
          ]),
        ),
      );
    }
  }
}

function describeIndex(index: StoredIndex): unknown {
  const { vectors: _vectors, ...description } = index;
  return description;
}

function present(vector: StoredVector, body: Record<string, unknown>): unknown {
  return {
    key: vector.key,
    ...(body.returnData === true ? { data: { float32: vector.data } } : {}),
    ...(body.returnMetadata === true && vector.metadata !== undefined ? { metadata: vector.metadata } : {}),
  };
}

function parseVector(value: unknown, dimension: number): StoredVector {
  if (typeof value !== 'object' || value === null)
    throw new VectorsError(400, 'ValidationException', 'bad vector');
  const { key, data, metadata } = value as Record<string, unknown>;
  if (typeof key !== 'string' || key.length === 0 || key.length > 1024) {
    throw new VectorsError(400, 'ValidationException', 'vector key must be 1..1024 characters');
  }
  if (
    metadata !== undefined &&
    (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata))
  ) {
    throw new VectorsError(400, 'ValidationException', 'metadata must be an object');
  }
  return {
    key,
    data: floatData(data, dimension),
    ...(metadata === undefined ? {} : { metadata: metadata as Metadata }),
  };
}

function floatData(value: unknown, dimension: number): number[] {
  const float32 =
    typeof value === 'object' && value !== null ? (value as { float32?: unknown }).float32 : undefined;
  if (
    !Array.isArray(float32) ||
    float32.length !== dimension ||
    !float32.every((x) => typeof x === 'number')
  ) {
    throw new VectorsError(
      400,
      'ValidationException',
      `vector data must be float32 of dimension ${dimension}`,
    );
  }
  return float32;
}

function stringList(value: unknown, field: string): string[] {
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw new VectorsError(400, 'ValidationException', `${field} must be a list of strings`);
  }
  return value;
}

/** Distance where smaller is closer: cosine distance (1 - cosine similarity) or Euclidean distance. */
function distance(metric: DistanceMetric, a: readonly number[], b: readonly number[]): number {
  if (metric === 'euclidean') return Math.sqrt(a.reduce((sum, x, i) => sum + (x - (b[i] ?? 0)) ** 2, 0));
  let dot = 0;
  let normA = 0;
  let normB = 0;
  a.forEach((x, i) => {
    const y = b[i] ?? 0;
    dot += x * y;
    normA += x * x;
    normB += y * y;
  });
  const norms = Math.sqrt(normA) * Math.sqrt(normB);
  return norms === 0 ? 1 : 1 - dot / norms;
}

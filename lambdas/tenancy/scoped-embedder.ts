/**
 * ScopedEmbedder: text embeddings (Titan Text Embeddings v2 body shape)
 * through the tenant session's Bedrock client, so embedding calls are made —
 * and billed — as the tenant, like chat calls.
 */
import { type BedrockRuntimeClient, InvokeModelCommand } from '@aws-sdk/client-bedrock-runtime';
import * as z from 'zod';
import { EmbeddingResponseError } from './errors.js';
import { VECTOR_DIMENSION } from './scoped-vector-index.js';
import type { TenantSession } from './tenant-session.js';

/** Titan v2 answers one text per call; a few in flight keep a document upload quick without bursting quotas. */
const MAX_PARALLEL_CALLS = 4;

const TitanEmbeddingSchema = z.object({
  embedding: z.array(z.number()).length(VECTOR_DIMENSION),
  inputTextTokenCount: z.number().int().nonnegative(),
});

export interface Embeddings {
  readonly vectors: number[][];
  readonly inputTokens: number;
}

export class ScopedEmbedder {
  constructor(
    private readonly client: BedrockRuntimeClient,
    readonly modelId: string,
  ) {}

  /** The scoped embedder of a tenant session. */
  static of(session: TenantSession, modelId: string): ScopedEmbedder {
    return new ScopedEmbedder(session.bedrock, modelId);
  }

  /** One normalised 1024-dimension vector per text, in order. */
  async embed(texts: readonly string[], options: { abortSignal?: AbortSignal } = {}): Promise<Embeddings> {
    const results: Array<z.infer<typeof TitanEmbeddingSchema>> = new Array(texts.length);
    let next = 0;
    const worker = async () => {
      for (let index = next++; index < texts.length; index = next++) {
        results[index] = await this.#embedOne(texts[index] ?? '', options.abortSignal);
      }
    };
    await Promise.all(Array.from({ length: Math.min(MAX_PARALLEL_CALLS, texts.length) }, worker));
    return {
      vectors: results.map((result) => result.embedding),
      inputTokens: results.reduce((sum, result) => sum + result.inputTextTokenCount, 0),
    };
  }

  async #embedOne(
    inputText: string,
    abortSignal?: AbortSignal,
  ): Promise<z.infer<typeof TitanEmbeddingSchema>> {
    const output = await this.client.send(
      new InvokeModelCommand({
        modelId: this.modelId,
        contentType: 'application/json',
        accept: 'application/json',
        body: JSON.stringify({ inputText, dimensions: VECTOR_DIMENSION, normalize: true }),
      }),
      abortSignal === undefined ? {} : { abortSignal },
    );
    const parsed = TitanEmbeddingSchema.safeParse(JSON.parse(new TextDecoder().decode(output.body)));
    if (!parsed.success) throw new EmbeddingResponseError('the embedding model answered an unexpected shape');
    return parsed.data;
  }
}

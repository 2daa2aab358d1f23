/**
 * An Embedder whose calls go through the request's ModelCallGuard: reserved
 * against the budget, retried on throttling (the same model only — another
 * model's vectors would not match the index), settled and metered.
 */

import { estimateTokens } from '../admission/budget-guard.js';
import { timedExternally } from '../observability/request-timing.js';
import type { ModelCallGuard } from './model-call-guard.js';

/** Embedding calls are numbered from here, apart from the chat turns' indexes (0, 1, … = the step). */
export const EMBEDDING_CALL_INDEX_BASE = 1000;

/** The embedding model as the guard needs it (ScopedEmbedder satisfies it). */
export interface CountingEmbedder {
  readonly modelId: string;
  embed(texts: readonly string[]): Promise<{ readonly vectors: number[][]; readonly inputTokens: number }>;
}

export class GuardedEmbedder {
  #nextCallIndex = EMBEDDING_CALL_INDEX_BASE;

  constructor(
    private readonly embedder: CountingEmbedder,
    private readonly guard: ModelCallGuard,
  ) {}

  /** One vector per text, in order. */
  async embed(texts: readonly string[]): Promise<{ readonly vectors: number[][] }> {
    const callIndex = this.#nextCallIndex++;
    const admission = await this.guard.admit(
      { modelId: this.embedder.modelId, inputTokens: estimateTokens(texts), maxOutputTokens: 0 },
      { fallback: false },
    );
    const startedAt = Date.now();
    let embeddings: Awaited<ReturnType<CountingEmbedder['embed']>>;
    let modelId: string;
    try {
      ({ result: embeddings, modelId } = await timedExternally(() =>
        this.guard.call(admission, () => this.embedder.embed(texts)),
      ));
    } catch (err) {
      await this.guard.abandon(admission);
      throw err;
    }
    await this.guard.complete(admission, {
      callIndex,
      modelId,
      inputTokens: embeddings.inputTokens,
      outputTokens: 0,
      latencyMs: Date.now() - startedAt,
    });
    return embeddings;
  }
}

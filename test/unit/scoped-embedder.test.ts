import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { describe, expect, it } from 'vitest';
import { EmbeddingResponseError } from '../../lambdas/tenancy/errors.js';
import { ScopedEmbedder } from '../../lambdas/tenancy/scoped-embedder.js';
import { captureShapedCommands, metadata, offlineClientConfig } from './support/fake-sdk.js';
import { titanEmbeddingAnswer, wordEmbedding } from './support/memory-cloud.js';

function fakeEmbedder(answer = titanEmbeddingAnswer) {
  const client = new BedrockRuntimeClient(offlineClientConfig);
  const sent = captureShapedCommands(client, answer);
  return { embedder: new ScopedEmbedder(client, 'amazon.titan-embed-text-v2:0'), sent };
}

describe('ScopedEmbedder', () => {
  it('asks the embedding model for one normalised 1024-dimension vector per text, in order', async () => {
    const { embedder, sent } = fakeEmbedder();

    const result = await embedder.embed(['alpha', 'beta', 'gamma', 'delta', 'epsilon']);

    expect(result.vectors).toEqual(
      ['alpha', 'beta', 'gamma', 'delta', 'epsilon'].map((text) => wordEmbedding(text)),
    );
    // The fake counts ceil(length / 4) tokens per text: 2 + 1 + 2 + 2 + 2.
    expect(result.inputTokens).toBe(9);
    expect(sent).toHaveLength(5);
    expect(sent[0]).toMatchObject({
      name: 'InvokeModelCommand',
      input: { modelId: 'amazon.titan-embed-text-v2:0', contentType: 'application/json' },
    });
    const body = sent[0]?.input && 'body' in sent[0].input ? sent[0].input.body : undefined;
    expect(JSON.parse(String(body))).toEqual({ inputText: 'alpha', dimensions: 1024, normalize: true });
  });

  it('refuses an answer that is not a 1024-dimension embedding', async () => {
    const { embedder } = fakeEmbedder(() => ({
      ...metadata,
      body: new TextEncoder().encode(JSON.stringify({ embedding: [1, 2], inputTextTokenCount: 1 })),
    }));

    await expect(embedder.embed(['x'])).rejects.toBeInstanceOf(EmbeddingResponseError);
  });
});

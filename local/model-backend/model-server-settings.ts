/**
 * `npm start` flags and environment for the model server:
 *
 *   --model-endpoint URL     BULKHEAD_MODEL_ENDPOINT     the server's OpenAI API base, e.g. http://127.0.0.1:11434/v1
 *   --model-name NAME        BULKHEAD_MODEL_NAME         its chat model (default: the first it lists)
 *   --embedding-model NAME   BULKHEAD_EMBEDDING_MODEL    its embedding model (default: the stand-in embeds)
 *                            BULKHEAD_MODEL_API_KEY      sent as a Bearer token (an environment variable only: no key in shell history)
 *
 * A flag wins over its variable.
 */
import type { ModelServerOptions } from './openai-compatible-model.js';

/** The `parseArgs` options of the flags above. */
export const MODEL_SERVER_FLAGS = {
  'model-endpoint': { type: 'string' },
  'model-name': { type: 'string' },
  'embedding-model': { type: 'string' },
} as const;

export interface ModelServerFlags {
  readonly 'model-endpoint'?: string;
  readonly 'model-name'?: string;
  readonly 'embedding-model'?: string;
}

/** The model server to use, or undefined for the stand-in; throws a named message for a bad combination. */
export function modelServerSettings(
  flags: ModelServerFlags,
  env: Readonly<Record<string, string | undefined>>,
): ModelServerOptions | undefined {
  const nonEmpty = (value: string | undefined) =>
    value === undefined || value.trim() === '' ? undefined : value.trim();
  const endpoint = nonEmpty(flags['model-endpoint'] ?? env.BULKHEAD_MODEL_ENDPOINT);
  const modelName = nonEmpty(flags['model-name'] ?? env.BULKHEAD_MODEL_NAME);
  const embeddingModel = nonEmpty(flags['embedding-model'] ?? env.BULKHEAD_EMBEDDING_MODEL);
  const apiKey = nonEmpty(env.BULKHEAD_MODEL_API_KEY);
  if (endpoint === undefined) {
    if (modelName !== undefined || embeddingModel !== undefined)
      throw new Error(
        '--model-name and --embedding-model need --model-endpoint (or BULKHEAD_MODEL_ENDPOINT)',
      );
    return undefined;
  }
  if (!URL.canParse(endpoint) || !/^https?:$/.test(new URL(endpoint).protocol))
    throw new Error(`--model-endpoint ${endpoint} is not an http(s) URL (e.g. http://127.0.0.1:11434/v1)`);
  return {
    endpoint,
    ...(modelName === undefined ? {} : { modelName }),
    ...(embeddingModel === undefined ? {} : { embeddingModel }),
    ...(apiKey === undefined ? {} : { apiKey }),
  };
}

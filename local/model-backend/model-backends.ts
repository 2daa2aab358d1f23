/** Which backend answers the local cloud's model calls, and the start banner's line saying so. */
import type { StandInModel } from '../emulators/stand-in-model.js';
import type { ModelBackend } from './model-backend.js';
import { type ModelServerOptions, OpenAiCompatibleModel } from './openai-compatible-model.js';

export interface ChosenModelBackend {
  readonly backend: ModelBackend;
  /** e.g. `OpenAI-compatible server http://127.0.0.1:11434/v1, model llama3.2 (embeddings: stand-in)`. */
  readonly description: string;
}

/**
 * The stand-in model, or — with a model server — that server for Converse and ConverseStream,
 * and for embeddings too when it names an embedding model (else the stand-in embeds).
 */
export async function chooseModelBackend(
  standIn: StandInModel,
  server: ModelServerOptions | undefined,
): Promise<ChosenModelBackend> {
  if (server === undefined) return { backend: standIn, description: 'stand-in model (deterministic echo)' };
  const model = await OpenAiCompatibleModel.connect(server, standIn.record);
  const embedder = server.embeddingModel === undefined ? standIn : model;
  return {
    backend: {
      converse: (...args) => model.converse(...args),
      embed: (...args) => embedder.embed(...args),
    },
    description: `OpenAI-compatible server ${server.endpoint}, model ${model.modelName} (embeddings: ${
      server.embeddingModel ?? 'stand-in'
    })`,
  };
}

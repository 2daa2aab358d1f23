/**
 * What answers the Bedrock calls the front door has let through (SigV4 verified, IAM allowed):
 * the stand-in model by default, or an OpenAI-compatible server (`--model-endpoint`). Only this
 * changes between them; the front door, its IAM evaluation and the platform's metering do not.
 */
import type { EmulatorResponse } from '../emulators/emulator-response.js';
import type { ModelCaller } from './model-record.js';

/** An answer whose body is written as it is produced (ConverseStream from a model that streams). */
export interface StreamedModelResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** Never throws: a failure after the headers are sent becomes an exception event in the stream. */
  readonly stream: AsyncIterable<Uint8Array>;
}

export type ModelResponse = EmulatorResponse | StreamedModelResponse;

export interface ModelBackend {
  /** Converse (`streaming` false) or ConverseStream, with the request body as the SDK sent it. */
  converse(
    modelId: string,
    streaming: boolean,
    body: Record<string, unknown>,
    caller: ModelCaller,
  ): Promise<ModelResponse>;
  /** InvokeModel with a Titan Text Embeddings body (`inputText`, `dimensions`, `normalize`). */
  embed(modelId: string, body: Record<string, unknown>, caller: ModelCaller): Promise<ModelResponse>;
}

/**
 * A model backend that translates the front door's Bedrock calls to any OpenAI-compatible server
 * (Ollama, llama.cpp, vLLM, LM Studio): Converse → `POST /chat/completions`, ConverseStream →
 * the same with `stream: true` (server-sent events, relayed as ConverseStream events as they
 * arrive), Titan embeddings → `POST /embeddings`. Every call is recorded like the stand-in's
 * (model-record.ts), and `/model/fail-next` applies to it too. Whatever Bedrock model id the
 * platform asks for, the server's one chat model answers: the platform still meters and prices
 * the call under the id it asked for, as it would in the cloud.
 */
import { ParseError } from 'eventsource-parser';
import { EventSourceParserStream } from 'eventsource-parser/stream';
import * as z from 'zod';
import { VECTOR_DIMENSION } from '../../lambdas/tenancy/scoped-vector-index.js';
import { jsonResponse, namedJsonError } from '../emulators/emulator-response.js';
import { EVENT_STREAM_CONTENT_TYPE, eventFrame, exceptionFrame } from './bedrock-event-stream.js';
import type { ModelBackend, ModelResponse, StreamedModelResponse } from './model-backend.js';
import { failureResponse, type ModelCaller, type ModelOutcome, type ModelRecord } from './model-record.js';
import { faultOfNoAnswer, faultOfStatus, ModelServerFault, malformedAnswer } from './model-server-faults.js';
import {
  ChatCompletion,
  ChatCompletionChunk,
  ConverseAnswerAssembler,
  estimateTokens,
} from './openai-chat-answer.js';
import { chatRequestOf, converseRequestOf, offeredToolNames } from './openai-chat-request.js';

export interface ModelServerOptions {
  /** The server's OpenAI API base URL, e.g. `http://127.0.0.1:11434/v1` (Ollama). */
  readonly endpoint: string;
  /** The model the server answers chat with. @default the first model of the server's `GET /models` */
  readonly modelName?: string;
  /** Sent as `Authorization: Bearer <key>`. @default none */
  readonly apiKey?: string;
  /** The server's embedding model (its vectors must have the index's 1024 dimensions). @default none: the stand-in embeds */
  readonly embeddingModel?: string;
  /** How long to wait for an answer to begin, and between the pieces of a streamed one. @default 120_000 ms */
  readonly timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 120_000;
/** The longest server-sent event kept in memory. */
const MAX_EVENT_CHARACTERS = 1_000_000;

const ModelList = z.object({ data: z.array(z.object({ id: z.string() })) });
const EmbeddingAnswer = z.object({
  data: z.array(z.object({ embedding: z.array(z.number()) })).min(1),
  usage: z.object({ prompt_tokens: z.number().int().nonnegative() }).nullish(),
});
const ErrorAnswer = z.object({
  error: z.union([z.string(), z.object({ message: z.string() })]),
});

/** Aborts a request when the server stays silent for `ms`; re-armed each time it says something. */
class Silence {
  readonly controller = new AbortController();
  timedOut = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly ms: number) {
    this.rearm();
  }

  rearm(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.controller.abort();
    }, this.ms);
  }

  /** Stops the timer; `abort` also drops the request (when its answer is no longer wanted). */
  end(abort = false): void {
    clearTimeout(this.timer);
    if (abort) this.controller.abort();
  }
}

export class OpenAiCompatibleModel implements ModelBackend {
  private readonly endpoint: string;

  private constructor(
    private readonly options: ModelServerOptions,
    /** The server's chat model. */
    readonly modelName: string,
    private readonly record: ModelRecord,
  ) {
    this.endpoint = options.endpoint.replace(/\/+$/, '');
  }

  /**
   * The backend for a server; asks the server for its models when no model name is given, and
   * checks the embedding model's vector size once, so a wrong one stops the start with a named
   * message instead of failing every document upload.
   */
  static async connect(options: ModelServerOptions, record: ModelRecord): Promise<OpenAiCompatibleModel> {
    const modelName = options.modelName ?? (await firstModelOf(options));
    const model = new OpenAiCompatibleModel(options, modelName, record);
    if (options.embeddingModel !== undefined) await model.checkEmbeddingSize(options.embeddingModel);
    return model;
  }

  async converse(
    modelId: string,
    streaming: boolean,
    body: Record<string, unknown>,
    caller: ModelCaller,
  ): Promise<ModelResponse> {
    const operation = streaming ? 'converse-stream' : 'converse';
    const secretMark = this.record.secretMarkOf(body);
    const record = (offered: readonly string[], outcome: ModelOutcome) =>
      this.record.record(operation, modelId, caller, offered, { ...secretMark, ...outcome });
    const injected = this.record.takeFailure(modelId, caller);
    if (injected !== undefined) {
      record([], { failure: injected });
      return failureResponse(injected);
    }
    let offered: string[] = [];
    const silence = new Silence(this.timeoutMs());
    /** Once the stream is relayed, the relay owns the silence timer. */
    let relaying = false;
    try {
      const request = converseRequestOf(body);
      offered = offeredToolNames(request);
      const chat = chatRequestOf(request, this.modelName, streaming);
      // The tool definitions are prompt tokens too (the model reads every schema).
      const assembler = new ConverseAnswerAssembler(JSON.stringify([chat.messages, chat.tools ?? []]).length);
      const response = await this.post('/chat/completions', chat, silence);
      if (streaming) {
        relaying = true;
        return this.relay(response, assembler, silence, (outcome) => record(offered, outcome));
      }
      const answer = ChatCompletion.safeParse(await this.readJson(response, silence));
      if (!answer.success) throw malformedAnswer('no choices with a message');
      const [choice] = answer.data.choices;
      if (answer.data.usage != null) assembler.addChunk({ choices: [], usage: answer.data.usage });
      assembler.add(choice?.message ?? {}, choice?.finish_reason);
      const output = assembler.output();
      record(offered, successOutcome(assembler));
      return jsonResponse(200, output);
    } catch (err) {
      const fault = faultOfNoAnswer(err, silence.timedOut, this.endpoint);
      record(offered, failureOutcome(fault));
      return fault.response();
    } finally {
      if (!relaying) silence.end();
    }
  }

  /** Titan Text Embeddings v2 (`inputText`, `dimensions`, `normalize`) → `POST /embeddings`. */
  async embed(modelId: string, body: Record<string, unknown>, caller: ModelCaller): Promise<ModelResponse> {
    const record = (outcome: ModelOutcome) => this.record.record('invoke', modelId, caller, [], outcome);
    const injected = this.record.takeFailure(modelId, caller);
    if (injected !== undefined) {
      record({ failure: injected });
      return failureResponse(injected);
    }
    const embeddingModel = this.options.embeddingModel;
    const { inputText, dimensions, normalize } = body;
    if (embeddingModel === undefined || typeof inputText !== 'string' || inputText.length === 0) {
      record({});
      return namedJsonError(
        400,
        'ValidationException',
        embeddingModel === undefined ? 'no embedding model is configured' : 'inputText is required',
      );
    }
    const expected = typeof dimensions === 'number' ? dimensions : VECTOR_DIMENSION;
    try {
      const { embedding, inputTokens } = await this.embedText(embeddingModel, inputText, expected);
      record({ usage: { inputTokens, outputTokens: 0 } });
      return jsonResponse(200, {
        embedding: normalize === false ? embedding : unitLength(embedding),
        inputTextTokenCount: inputTokens,
      });
    } catch (err) {
      const fault = faultOfNoAnswer(err, false, this.endpoint);
      record(failureOutcome(fault));
      return fault.response();
    }
  }

  /** One vector of `expected` dimensions from the server; a ModelServerFault otherwise. */
  private async embedText(
    embeddingModel: string,
    inputText: string,
    expected: number,
  ): Promise<{ embedding: number[]; inputTokens: number }> {
    const silence = new Silence(this.timeoutMs());
    try {
      const response = await this.post('/embeddings', { model: embeddingModel, input: inputText }, silence);
      const answer = EmbeddingAnswer.safeParse(await this.readJson(response, silence));
      if (!answer.success) throw malformedAnswer('no data[0].embedding');
      const embedding = answer.data.data[0]?.embedding ?? [];
      if (embedding.length !== expected) {
        throw new ModelServerFault(
          'ValidationException',
          `the embedding model ${embeddingModel} answers ${embedding.length}-dimension vectors; ${expected} were asked for (the vector index has ${VECTOR_DIMENSION}). Choose an embedding model with ${VECTOR_DIMENSION} dimensions (e.g. mxbai-embed-large or bge-m3), or leave --embedding-model out to embed with the stand-in`,
        );
      }
      return { embedding, inputTokens: answer.data.usage?.prompt_tokens ?? estimateTokens(inputText.length) };
    } catch (err) {
      throw faultOfNoAnswer(err, silence.timedOut, this.endpoint);
    } finally {
      silence.end();
    }
  }

  private async checkEmbeddingSize(embeddingModel: string): Promise<void> {
    try {
      await this.embedText(embeddingModel, 'bulkhead checks the embedding size', VECTOR_DIMENSION);
    } catch (err) {
      const said = err instanceof Error ? err.message : String(err);
      throw new Error(`--embedding-model ${embeddingModel} cannot be used: ${said}`, { cause: err });
    }
  }

  /** The server's streamed answer as ConverseStream events, each sent on as soon as it is translated. */
  private relay(
    response: Response,
    assembler: ConverseAnswerAssembler,
    silence: Silence,
    record: (outcome: ModelOutcome) => void,
  ): StreamedModelResponse {
    const endpoint = this.endpoint;
    async function* frames(): AsyncGenerator<Uint8Array> {
      let done = false;
      try {
        const events = (response.body ?? emptyStream())
          .pipeThrough(new TextDecoderStream())
          .pipeThrough(
            new EventSourceParserStream({ onError: 'terminate', maxBufferSize: MAX_EVENT_CHARACTERS }),
          );
        for await (const event of events) {
          silence.rearm();
          if (event.data === '[DONE]') break;
          for (const translated of assembler.addChunk(chunkOf(event.data))) yield eventFrame(translated);
        }
        if (!assembler.finished) throw malformedAnswer('the stream ended before a finish_reason');
        for (const translated of assembler.finish()) yield eventFrame(translated);
        done = true;
        record(successOutcome(assembler));
      } catch (err) {
        const fault =
          err instanceof ParseError
            ? malformedAnswer(`the event stream is not server-sent events (${err.message})`)
            : faultOfNoAnswer(err, silence.timedOut, endpoint);
        done = true;
        record(failureOutcome(fault));
        yield exceptionFrame(fault.streamException(), fault.message);
      } finally {
        // Not done: the caller went away mid-answer, so the server's answer is dropped too.
        silence.end(!done);
      }
    }
    return { status: 200, headers: { 'content-type': EVENT_STREAM_CONTENT_TYPE }, stream: frames() };
  }

  private async post(path: string, body: unknown, silence: Silence): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(`${this.endpoint}${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(this.options.apiKey === undefined ? {} : { authorization: `Bearer ${this.options.apiKey}` }),
        },
        body: JSON.stringify(body),
        signal: silence.controller.signal,
      });
    } catch (err) {
      throw faultOfNoAnswer(err, silence.timedOut, this.endpoint);
    }
    silence.rearm();
    if (!response.ok) {
      const text = await response.text().catch(() => '');
      throw faultOfStatus(response.status, errorMessageOf(text));
    }
    return response;
  }

  private async readJson(response: Response, silence: Silence): Promise<unknown> {
    let text: string;
    try {
      text = await response.text();
    } catch (err) {
      throw faultOfNoAnswer(err, silence.timedOut, this.endpoint);
    }
    try {
      return JSON.parse(text);
    } catch {
      throw malformedAnswer('the body is not JSON');
    }
  }

  private timeoutMs(): number {
    return this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }
}

/** The first model the server lists (`GET /models`); a named error when it cannot say. */
async function firstModelOf(options: ModelServerOptions): Promise<string> {
  const url = `${options.endpoint.replace(/\/+$/, '')}/models`;
  const hint = 'start the model server, or name its model with --model-name (BULKHEAD_MODEL_NAME)';
  let listed: unknown;
  try {
    const response = await fetch(url, {
      headers: options.apiKey === undefined ? {} : { authorization: `Bearer ${options.apiKey}` },
      signal: AbortSignal.timeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
    });
    if (!response.ok) throw new Error(`it answered ${response.status}`);
    listed = await response.json();
  } catch (err) {
    throw new Error(`the model server did not list its models at ${url} (${String(err)}): ${hint}`, {
      cause: err,
    });
  }
  const first = ModelList.safeParse(listed).data?.data[0]?.id;
  if (first === undefined) throw new Error(`the model server at ${url} lists no models: ${hint}`);
  return first;
}

/** One `data:` payload of a stream: a chunk, or the server's error sent mid-stream. */
function chunkOf(data: string): z.infer<typeof ChatCompletionChunk> {
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    throw malformedAnswer(`an event is not JSON: ${data.slice(0, 100)}`);
  }
  const error = ErrorAnswer.safeParse(json);
  if (error.success) {
    const said = typeof error.data.error === 'string' ? error.data.error : error.data.error.message;
    throw new ModelServerFault('ModelErrorException', `the model server failed mid-answer: ${said}`);
  }
  const chunk = ChatCompletionChunk.safeParse(json);
  if (!chunk.success) throw malformedAnswer(`an event is not a chat completion chunk: ${data.slice(0, 100)}`);
  return chunk.data;
}

/** The message of an OpenAI-style error body (`{error: {message}}`, `{error: "..."}`), or the text itself. */
function errorMessageOf(text: string): string {
  try {
    const error = ErrorAnswer.safeParse(JSON.parse(text));
    if (error.success)
      return typeof error.data.error === 'string' ? error.data.error : error.data.error.message;
  } catch {
    // Not JSON: the text is the message.
  }
  return text.trim();
}

function successOutcome(assembler: ConverseAnswerAssembler): ModelOutcome {
  const { inputTokens, outputTokens } = assembler.usage();
  const tool = assembler.requestedTool();
  return {
    usage: { inputTokens, outputTokens },
    ...(tool === undefined ? {} : { requestedTool: { name: tool, injected: false } }),
  };
}

function failureOutcome(fault: ModelServerFault): ModelOutcome {
  return { failure: fault.bedrockName === 'ThrottlingException' ? 'throttle' : 'fail' };
}

function unitLength(vector: readonly number[]): number[] {
  const norm = Math.sqrt(vector.reduce((sum, x) => sum + x * x, 0));
  return norm === 0 ? [...vector] : vector.map((x) => x / norm);
}

function emptyStream(): ReadableStream<Uint8Array> {
  return new ReadableStream({ start: (controller) => controller.close() });
}

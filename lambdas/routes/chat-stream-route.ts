/**
 * POST /v1/chat/stream: the chat as Server-Sent Events. Same identity, body
 * schema and error mapping as the JSON API; events are `text` (a delta),
 * `tool` ({ name, status }), then `done` (the /v1/chat payload) — or `error`
 * (the error body) if the chat fails after the stream has started.
 */
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { ModelResponseError } from '../agent/errors.js';
import { chatEvents } from '../conversations/chat.js';
import { parseEndpointBody } from '../http/endpoint.js';
import { errorResponse } from '../http/error-response.js';
import { MethodNotAllowedError, RouteNotFoundError } from '../http/errors.js';
import { jsonLogger, type Logger, redactIdentity } from '../observability/logger.js';
import type { RequestTelemetry } from '../observability/telemetry.js';
import type { RequestContext } from '../tenancy/request-context.js';
import { postChatStream } from './api-endpoints.js';
import { chatDependencies, type WorkspaceRuntime } from './workspace.js';

/** A response body being written. */
export interface ResponseWriter {
  write(chunk: string): void;
  end(): void;
}

/** Sends the status line and headers, then returns the body writer (Lambda's HttpResponseStream.from). */
export type OpenResponse = (statusCode: number, headers: Record<string, string>) => ResponseWriter;

export interface ChatStreamOptions {
  readonly runtime: WorkspaceRuntime;
  resolveContext(event: APIGatewayProxyEvent): Promise<RequestContext>;
  /** Counts the request against rate limits; throws (e.g. RateLimitedError) to refuse it. */
  admit?(context: RequestContext): Promise<void>;
  /** Per-request logger and metrics, once the context is known. */
  readonly telemetry?: { forRequest(context: RequestContext): RequestTelemetry };
  /** Logs what happens before the context is known (and everything without telemetry). @default jsonLogger */
  readonly logger?: Logger;
}

export const EVENT_STREAM_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
} as const;

/** One Server-Sent Event. */
export function serverSentEvent(name: string, data: unknown): string {
  return `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** Streams one chat turn for an API Gateway event. */
export function createChatStreamHandler(options: ChatStreamOptions) {
  const baseLogger = options.logger ?? jsonLogger;
  return async (event: APIGatewayProxyEvent, open: OpenResponse, remainingTimeMs: () => number) => {
    const startedAt = Date.now();
    const requestId = event.requestContext?.requestId ?? randomUUID();
    let context: RequestContext | undefined;
    let telemetry: RequestTelemetry | undefined;
    let writer: ResponseWriter | undefined;
    let status = 200;
    const failure = (err: unknown) =>
      errorResponse(err, requestId, {
        logger: telemetry ?? baseLogger,
        fields: { tenantTag: context?.tenantTag, method: event.httpMethod, resource: event.resource },
        ...(context === undefined ? {} : { redact: redactIdentity(context) }),
      });
    try {
      context = await options.resolveContext(event);
      telemetry = options.telemetry?.forRequest(context);
      await options.admit?.(context);
      if (event.path !== postChatStream.path) throw new RouteNotFoundError(event.httpMethod, event.path);
      if (event.httpMethod.toUpperCase() !== postChatStream.method)
        throw new MethodNotAllowedError(event.httpMethod, [postChatStream.method]);
      const body = parseEndpointBody(postChatStream.body, event);
      const dependencies = await chatDependencies(
        options.runtime,
        { context, logger: telemetry ?? baseLogger },
        { remainingTimeMs: remainingTimeMs(), streaming: true },
      );
      for await (const chatEvent of chatEvents(dependencies, body)) {
        // The stream opens with the first event, so a failure before it (an unknown session,
        // a refused model call) still gets its own status code and JSON error body.
        writer ??= open(200, { ...EVENT_STREAM_HEADERS });
        const { type, ...data } = chatEvent;
        writer.write(serverSentEvent(type, type === 'done' ? chatEvent.result : data));
      }
      if (writer === undefined) throw new ModelResponseError('the chat ended without events');
      writer.end();
    } catch (err) {
      const response = failure(err);
      status = writer === undefined ? response.statusCode : status;
      const errorWriter = writer ?? open(response.statusCode, stringHeaders(response.headers));
      errorWriter.write(writer === undefined ? response.body : `event: error\ndata: ${response.body}\n\n`);
      errorWriter.end();
    }
    telemetry?.finish(status, Date.now() - startedAt);
  };
}

function stringHeaders(headers: APIGatewayProxyResult['headers']): Record<string, string> {
  return Object.fromEntries(Object.entries(headers ?? {}).map(([name, value]) => [name, String(value)]));
}

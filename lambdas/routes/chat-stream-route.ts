/**
 * POST /v1/chat/stream: the chat as Server-Sent Events, through the same
 * request pipeline as every other route (identity, action, admission, error
 * mapping); only the writer streams. Events are `text` (a delta), `tool`
 * ({ name, status }), then `done` (the /v1/chat payload) — or `error` (the
 * error body) if the chat fails after the stream has started.
 */
import { chatEvents } from '../conversations/chat.js';
import {
  createStreamingHttpHandler,
  type HttpHandlerOptions,
  type StreamingHttpHandler,
} from '../http/http-handler.js';
import { eventStream, type ServerSentEventMessage } from '../http/route-result.js';
import { Router } from '../http/router.js';
import type { RequestContext } from '../tenancy/request-context.js';
import { postChatStream } from './api-endpoints.js';
import {
  chatDependencies,
  type TenantFunctionRuntime,
  tenantPipeline,
  type WorkspaceRuntime,
} from './workspace.js';

/** The streaming chat function's one route. */
export function chatStreamRouter(runtime: WorkspaceRuntime): Router<RequestContext> {
  return new Router<RequestContext>().implement(postChatStream, async (request) => {
    const dependencies = await chatDependencies(runtime, request, {
      remainingTimeMs: request.remainingTimeMs(),
      streaming: true,
    });
    async function* events(): AsyncGenerator<ServerSentEventMessage> {
      for await (const chatEvent of chatEvents(dependencies, request.body)) {
        const { type, ...data } = chatEvent;
        yield { name: type, data: type === 'done' ? chatEvent.result : data };
      }
    }
    return eventStream(events());
  });
}

/** The streaming chat function: its route, rate limits, telemetry and denial audit over a runtime. */
export function createChatStreamHandler(
  runtime: TenantFunctionRuntime,
  options: Pick<HttpHandlerOptions, 'logger' | 'environmentBinding' | 'corsOrigins'> = {},
): StreamingHttpHandler {
  return createStreamingHttpHandler(tenantPipeline(runtime, chatStreamRouter(runtime), options));
}

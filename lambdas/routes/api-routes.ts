/**
 * The tenant API (`/v1/...`). An adapter: the endpoint declarations parse the
 * request, the domain does the work, identity comes only from the context.
 */
import { chat } from '../conversations/chat.js';
import { DEFAULT_SEARCH_TOP_K } from '../documents/document-library.js';
import { buildOpenApiDocument, type OpenApiDocument } from '../http/openapi.js';
import { jsonResponse, noContent } from '../http/response.js';
import { Router } from '../http/router.js';
import type { RequestContext } from '../tenancy/request-context.js';
import * as api from './api-endpoints.js';
import { CONTROL_ENDPOINTS } from './control-endpoints.js';
import {
  chatDependencies,
  documentsFor,
  memoryFor,
  sessionsFor,
  type WorkspaceRuntime,
} from './workspace.js';

export const API_TITLE = 'bulkhead';
export const API_VERSION = '1.0.0';

/** The endpoints the tenant API function serves (the router registers exactly these). */
export const TENANT_API_ENDPOINTS = [
  api.getMe,
  api.listMemory,
  api.rememberFact,
  api.forgetFact,
  api.postChat,
  api.listSessions,
  api.listSessionMessages,
  api.deleteSession,
  api.uploadDocument,
  api.listDocuments,
  api.getDocument,
  api.deleteDocument,
  api.searchDocuments,
  api.getOpenApi,
];

/** The document for the whole API: the tenant API, the streaming chat and the control API. */
export function apiDocument(): OpenApiDocument {
  return buildOpenApiDocument({
    title: API_TITLE,
    version: API_VERSION,
    endpoints: [...TENANT_API_ENDPOINTS, api.postChatStream, ...CONTROL_ENDPOINTS],
  });
}

/** The tenant API's routes over a runtime. */
export function apiRouter(runtime: WorkspaceRuntime): Router<RequestContext> {
  return new Router<RequestContext>()
    .implement(api.getMe, async ({ context }) =>
      jsonResponse(200, {
        tenantId: context.tenantId,
        userId: context.userId,
        roles: context.roles,
        tier: context.tier,
        tenantTag: context.tenantTag,
      }),
    )
    .implement(api.listMemory, async ({ context }) =>
      jsonResponse(200, { facts: await (await memoryFor(runtime, context)).list() }),
    )
    .implement(api.rememberFact, async ({ context, body }) =>
      jsonResponse(201, await (await memoryFor(runtime, context)).remember(body.fact)),
    )
    .implement(api.forgetFact, async ({ context, params }) => {
      await (await memoryFor(runtime, context)).forget(params.id ?? '');
      return noContent();
    })
    .implement(api.postChat, async ({ context, body, remainingTimeMs }) => {
      const dependencies = await chatDependencies(runtime, context, {
        remainingTimeMs: remainingTimeMs(),
        streaming: false,
      });
      return jsonResponse(200, await chat(dependencies, body));
    })
    .implement(api.listSessions, async ({ context, query }) =>
      jsonResponse(200, await (await sessionsFor(runtime, context)).list(query)),
    )
    .implement(api.listSessionMessages, async ({ context, params, query }) =>
      jsonResponse(200, await (await sessionsFor(runtime, context)).messages(params.id ?? '', query)),
    )
    .implement(api.deleteSession, async ({ context, params }) => {
      await (await sessionsFor(runtime, context)).delete(params.id ?? '');
      return noContent();
    })
    .implement(api.uploadDocument, async ({ context, body }) =>
      jsonResponse(201, await (await documentsFor(runtime, context)).upload(body)),
    )
    .implement(api.listDocuments, async ({ context, query }) =>
      jsonResponse(200, await (await documentsFor(runtime, context)).list(query)),
    )
    .implement(api.getDocument, async ({ context, params }) =>
      jsonResponse(200, await (await documentsFor(runtime, context)).get(params.id ?? '')),
    )
    .implement(api.deleteDocument, async ({ context, params }) => {
      await (await documentsFor(runtime, context)).delete(params.id ?? '');
      return noContent();
    })
    .implement(api.searchDocuments, async ({ context, body }) => {
      const library = await documentsFor(runtime, context);
      return jsonResponse(200, {
        matches: await library.search(body.query, body.topK ?? DEFAULT_SEARCH_TOP_K),
      });
    })
    .implement(api.getOpenApi, async () => jsonResponse(200, apiDocument()));
}

/**
 * The tenant API (`/v1/...`). An adapter: the endpoint declarations parse the
 * request, the domain does the work, identity comes only from the context.
 */

import { BudgetGuard } from '../admission/budget-guard.js';
import { budgetStatus } from '../admission/budget-status.js';
import { deadlineSignal } from '../agent/agent-loop.js';
import { AgentSettingsStore } from '../agent/agent-settings.js';
import type { ApprovalDecision } from '../agent/approvals.js';
import { runToolUse, type ToolCall } from '../agent/tool-runner.js';
import { auditExport } from '../audit/audit-export.js';
import { signatureCheckWith, verifyTrail } from '../audit/trail-verifier.js';
import { checkConnector } from '../connectors/connector-check.js';
import { type ConnectorName, ConnectorNameSchema, viewOf } from '../connectors/connector-definition.js';
import { ConnectorNotFoundError } from '../connectors/errors.js';
import { chat } from '../conversations/chat.js';
import { DEFAULT_SEARCH_TOP_K } from '../documents/document-library.js';
import { createHttpHandler, type HttpHandler, type HttpHandlerOptions } from '../http/http-handler.js';
import { jsonResponse, noContent } from '../http/response.js';
import { Router } from '../http/router.js';
import { readTenantCosts } from '../metering/tenant-costs.js';
import { monthOf } from '../metering/usage-keys.js';
import { exportUserData } from '../privacy/user-export.js';
import type { RequestContext } from '../tenancy/request-context.js';
import * as api from './api-endpoints.js';
import { pageOf } from './paging.js';
import {
  approvalsFor,
  auditFor,
  chatDependencies,
  connectionsFor,
  connectorsFor,
  DEADLINE_SAFETY_MARGIN_MS,
  documentsFor,
  memoryFor,
  sessionsFor,
  type TenantFunctionRuntime,
  tenantPipeline,
  toolServicesFor,
  userDataSourcesFor,
  type WorkspaceRuntime,
} from './workspace.js';

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
        actor: await runtime.actorTag(context),
      }),
    )
    .implement(api.listMemory, async (request) =>
      jsonResponse(200, { facts: await (await memoryFor(runtime, request)).list() }),
    )
    .implement(api.rememberFact, async (request) =>
      jsonResponse(201, await (await memoryFor(runtime, request)).remember(request.body.fact)),
    )
    .implement(api.forgetFact, async (request) => {
      await (await memoryFor(runtime, request)).forget(request.params.id ?? '');
      return noContent();
    })
    .implement(api.postChat, async (request) => {
      const dependencies = await chatDependencies(runtime, request, {
        remainingTimeMs: request.remainingTimeMs(),
        streaming: false,
      });
      return jsonResponse(200, await chat(dependencies, request.body));
    })
    .implement(api.listSessions, async (request) => {
      const page = await pageOf(runtime, request, api.listSessions);
      const sessions = await sessionsFor(runtime, request);
      return jsonResponse(200, page.sealed(await sessions.list(page.query)));
    })
    .implement(api.listSessionMessages, async (request) => {
      const id = request.params.id ?? '';
      const page = await pageOf(runtime, request, api.listSessionMessages, id);
      const sessions = await sessionsFor(runtime, request);
      return jsonResponse(200, page.sealed(await sessions.messages(id, page.query)));
    })
    .implement(api.deleteSession, async (request) => {
      await (await sessionsFor(runtime, request)).delete(request.params.id ?? '');
      return noContent();
    })
    .implement(api.uploadDocument, async (request) =>
      jsonResponse(201, await (await documentsFor(runtime, request)).upload(request.body)),
    )
    .implement(api.listDocuments, async (request) => {
      const page = await pageOf(runtime, request, api.listDocuments);
      const library = await documentsFor(runtime, request);
      return jsonResponse(200, page.sealed(await library.list(page.query)));
    })
    .implement(api.getDocument, async (request) =>
      jsonResponse(200, await (await documentsFor(runtime, request)).get(request.params.id ?? '')),
    )
    .implement(api.deleteDocument, async (request) => {
      await (await documentsFor(runtime, request)).delete(request.params.id ?? '');
      return noContent();
    })
    .implement(api.searchDocuments, async (request) => {
      const library = await documentsFor(runtime, request);
      return jsonResponse(200, {
        matches: await library.search(request.body.query, request.body.topK ?? DEFAULT_SEARCH_TOP_K),
      });
    })
    .implement(api.listAudit, async (request) => {
      const page = await pageOf(runtime, request, api.listAudit);
      return jsonResponse(
        200,
        page.sealed(await (await runtime.auditTrail(request.context)).page(page.query)),
      );
    })
    .implement(api.verifyAudit, async ({ context }) => {
      const access = await runtime.auditAccess(context);
      const [evidence, publicKey] = await Promise.all([access.evidence(), access.publicKey()]);
      return jsonResponse(
        200,
        verifyTrail(evidence, signatureCheckWith(publicKey), access.retentionWindow(new Date())),
      );
    })
    .implement(api.exportAudit, async ({ context }) => {
      const access = await runtime.auditAccess(context);
      const [evidence, publicKey] = await Promise.all([access.evidence(), access.publicKey()]);
      return jsonResponse(200, auditExport(evidence, publicKey, new Date(), access.retentionDays));
    })
    .implement(api.getCosts, async ({ context, query }) => {
      const month = query.month ?? monthOf(new Date());
      const { prices } = runtime.modelCatalog;
      const [table, limits] = await Promise.all([runtime.table(context), runtime.budgetLimits(context)]);
      // The budget as admission counts it: the same limits and shard counters the model call guard uses.
      const [costs, used] = await Promise.all([
        readTenantCosts(table, month, prices.version),
        new BudgetGuard(table, { prices }).used(limits, month),
      ]);
      return jsonResponse(200, { ...costs, budget: budgetStatus(limits, used) });
    })
    .implement(api.getAgentSettings, async ({ context }) =>
      jsonResponse(200, await new AgentSettingsStore(await runtime.table(context)).get()),
    )
    .implement(api.putAgentSettings, async (request) => {
      const [table, audit] = await Promise.all([runtime.table(request.context), auditFor(runtime, request)]);
      const stored = await new AgentSettingsStore(table).replace(
        request.body,
        audit,
        runtime.modelCatalog.chatModels,
      );
      return jsonResponse(200, stored);
    })
    .implement(api.listApprovals, async (request) =>
      jsonResponse(200, { approvals: await (await approvalsFor(runtime, request)).pending() }),
    )
    .implement(api.decideApproval, async (request) => {
      const { context, body } = request;
      const id = request.params.id ?? '';
      const call = await (await approvalsFor(runtime, request)).decide(id, body.decision);
      let toolCall: ToolCall = { name: call.tool, status: 'refused' };
      if (body.decision === 'approve') {
        // The recorded call, exactly once, through every check a tool call gets (role, settings, input).
        const guard = await runtime.modelCallGuard(context, request.logger);
        const { services, settings, tools } = await toolServicesFor(runtime, request, guard);
        const toolUse = { toolUseId: id, name: call.tool, input: call.input };
        toolCall = (await runToolUse(context, toolUse, services, { settings, tools })).call;
      }
      if (call.sessionId !== undefined)
        await (await sessionsFor(runtime, request)).append(
          call.sessionId,
          decisionMessages(body.decision, toolCall),
        );
      return jsonResponse(200, { id, decision: body.decision, toolCall });
    })
    .implement(api.listConnectors, async (request) =>
      jsonResponse(200, { connectors: (await (await connectorsFor(runtime, request)).list()).map(viewOf) }),
    )
    .implement(api.createConnector, async (request) =>
      jsonResponse(201, viewOf(await (await connectorsFor(runtime, request)).create(request.body))),
    )
    .implement(api.getConnector, async (request) =>
      jsonResponse(
        200,
        viewOf(await (await connectorsFor(runtime, request)).get(connectorNameOf(request.params))),
      ),
    )
    .implement(api.replaceConnector, async (request) => {
      const connectors = await connectorsFor(runtime, request);
      return jsonResponse(
        200,
        viewOf(await connectors.replace(connectorNameOf(request.params), request.body)),
      );
    })
    .implement(api.deleteConnector, async (request) => {
      await (await connectorsFor(runtime, request)).delete(connectorNameOf(request.params));
      return noContent();
    })
    .implement(api.testConnector, async (request) => {
      const [connectors, secrets, guard] = await Promise.all([
        connectorsFor(runtime, request),
        runtime.tenantSecrets(request.context),
        runtime.connectorCallGuard(request.context, request.logger),
      ]);
      const connector = await connectors.get(connectorNameOf(request.params));
      return jsonResponse(
        200,
        await checkConnector(connector, {
          secrets,
          policy: runtime.outboundPolicy,
          guard,
          // Each step is bounded by the connector's timeout (up to 30 s); the whole test by the request's time.
          signal: deadlineSignal(request.remainingTimeMs(), DEADLINE_SAFETY_MARGIN_MS),
        }),
      );
    })
    .implement(api.connectConnector, async (request) =>
      jsonResponse(
        200,
        await (await connectionsFor(runtime, request)).begin(connectorNameOf(request.params), {
          redirectUri: request.body?.redirectUri,
        }),
      ),
    )
    .implement(api.oauthCallback, async (request) =>
      jsonResponse(200, await (await connectionsFor(runtime, request)).complete(request.query)),
    )
    .implement(api.listConnections, async (request) =>
      jsonResponse(200, { connections: await (await connectionsFor(runtime, request)).list() }),
    )
    .implement(api.revokeConnection, async (request) => {
      await (await connectionsFor(runtime, request)).revoke(connectorNameOf(request.params));
      return noContent();
    })
    .implement(api.exportMyData, async (request) =>
      jsonResponse(200, await exportUserData(request.context, await userDataSourcesFor(runtime, request))),
    );
}

/** How a decision is told in the chat session that asked for it: the model reads it next turn. */
function decisionMessages(decision: ApprovalDecision, call: ToolCall) {
  return [
    { role: 'user', text: `I ${decision === 'approve' ? 'approved' : 'denied'} the ${call.name} call.` },
    {
      role: 'assistant',
      text:
        decision === 'approve'
          ? `The approved ${call.name} call ran once: ${call.status}.`
          : `The ${call.name} call was denied by the user and did not run.`,
    },
  ] as const;
}

/** The connector a path names; a name that cannot be one is a connector that does not exist. */
function connectorNameOf(params: Readonly<Record<string, string | undefined>>): ConnectorName {
  const name = ConnectorNameSchema.safeParse(params.name);
  if (!name.success) throw new ConnectorNotFoundError();
  return name.data;
}

/** The tenant API function: its routes, rate limits, telemetry and denial audit over a runtime. */
export function createApiHandler(
  runtime: TenantFunctionRuntime,
  options: Pick<HttpHandlerOptions, 'logger' | 'environmentBinding' | 'corsOrigins'> = {},
): HttpHandler {
  return createHttpHandler(tenantPipeline(runtime, apiRouter(runtime), options));
}

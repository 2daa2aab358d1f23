/**
 * The tenant API's endpoint declarations: request and response schemas for
 * each route. The router parses requests with them and the OpenAPI document
 * is generated from them.
 */
import * as z from 'zod';
import { AgentSettingsSchema } from '../agent/agent-settings.js';
import { ApprovalDecisionSchema, PendingApprovalSchema } from '../agent/approvals.js';
import { AuditRecordSchema } from '../audit/audit-chain.js';
import { AuditExportSchema } from '../audit/audit-export.js';
import { TRAIL_PROBLEMS } from '../audit/trail-verifier.js';
import { ConnectionViewSchema, OAuthCallbackQuerySchema } from '../connections/connections.js';
import {
  ConnectorBodySchema,
  ConnectorViewSchema,
  NewConnectorSchema,
} from '../connectors/connector-definition.js';
import { ChatRequestSchema, ChatResponseSchema } from '../conversations/chat.js';
import { SessionMessageSchema, SessionSummarySchema } from '../conversations/chat-sessions.js';
import {
  DocumentSummarySchema,
  MAX_SEARCH_TOP_K,
  NewDocumentSchema,
  SearchMatchSchema,
  StoredDocumentSchema,
} from '../documents/document-library.js';
import {
  endpoint,
  INVALID_CURSOR_ERROR,
  MODEL_CALL_ERRORS,
  NO_BODY,
  NO_QUERY,
  PageQuerySchema,
  RATE_LIMITED_ERROR,
} from '../http/endpoint.js';
import { FactTextSchema, MemoryFactSchema } from '../memory/long-term-memory.js';
import { MonthSchema, TenantCostsSchema } from '../metering/tenant-costs.js';
import { UserExportSchema } from '../privacy/user-export.js';
import { TenantIdSchema, UserIdSchema } from '../tenancy/key-layout.js';
import { RoleSchema, TenantTagSchema, TierSchema } from '../tenancy/request-context.js';

const cursor = z.string().optional().describe('Pass back to get the next page; absent on the last page');
const noContent = { 204: { description: 'Done' } } as const;

export const getMe = endpoint({
  method: 'GET',
  path: '/v1/me',
  action: 'identity.read',
  summary: 'The caller’s identity as the platform sees it',
  body: NO_BODY,
  query: NO_QUERY,
  errors: RATE_LIMITED_ERROR,
  responses: {
    200: {
      description: 'The request context',
      schema: z.object({
        tenantId: TenantIdSchema,
        userId: UserIdSchema,
        roles: z.array(RoleSchema),
        tier: TierSchema,
        tenantTag: TenantTagSchema,
        /** The caller's opaque id in the audit trail. */
        actor: z.string(),
      }),
    },
  },
});

export const listMemory = endpoint({
  method: 'GET',
  path: '/v1/memory',
  action: 'memory.read',
  summary: 'The caller’s remembered facts',
  body: NO_BODY,
  query: NO_QUERY,
  errors: RATE_LIMITED_ERROR,
  responses: {
    200: { description: 'Facts, oldest first', schema: z.object({ facts: z.array(MemoryFactSchema) }) },
  },
});

export const rememberFact = endpoint({
  method: 'PUT',
  path: '/v1/memory',
  action: 'memory.write',
  summary: 'Remember a fact for the caller',
  body: z.object({ fact: FactTextSchema }).strict(),
  query: NO_QUERY,
  errors: RATE_LIMITED_ERROR,
  responses: { 201: { description: 'The stored fact', schema: MemoryFactSchema } },
});

export const forgetFact = endpoint({
  method: 'DELETE',
  path: '/v1/memory/{id}',
  action: 'memory.delete',
  summary: 'Forget one of the caller’s facts',
  body: NO_BODY,
  query: NO_QUERY,
  errors: RATE_LIMITED_ERROR,
  responses: noContent,
});

export const postChat = endpoint({
  method: 'POST',
  path: '/v1/chat',
  action: 'chat.converse',
  summary: 'Send a message to the agent (starts a session when sessionId is absent)',
  body: ChatRequestSchema,
  query: NO_QUERY,
  errors: MODEL_CALL_ERRORS,
  responses: { 200: { description: 'The agent’s reply', schema: ChatResponseSchema } },
});

export const listSessions = endpoint({
  method: 'GET',
  path: '/v1/sessions',
  action: 'sessions.read',
  summary: 'The caller’s chat sessions, newest first',
  body: NO_BODY,
  query: PageQuerySchema,
  errors: { ...RATE_LIMITED_ERROR, ...INVALID_CURSOR_ERROR },
  responses: {
    200: { description: 'One page', schema: z.object({ sessions: z.array(SessionSummarySchema), cursor }) },
  },
});

export const listSessionMessages = endpoint({
  method: 'GET',
  path: '/v1/sessions/{id}/messages',
  action: 'sessions.read',
  summary: 'Messages of one of the caller’s sessions, oldest first',
  body: NO_BODY,
  query: PageQuerySchema,
  errors: { ...RATE_LIMITED_ERROR, ...INVALID_CURSOR_ERROR },
  responses: {
    200: { description: 'One page', schema: z.object({ messages: z.array(SessionMessageSchema), cursor }) },
  },
});

export const deleteSession = endpoint({
  method: 'DELETE',
  path: '/v1/sessions/{id}',
  action: 'sessions.delete',
  summary: 'Delete one of the caller’s sessions and its messages',
  body: NO_BODY,
  query: NO_QUERY,
  errors: RATE_LIMITED_ERROR,
  responses: noContent,
});

export const uploadDocument = endpoint({
  method: 'POST',
  path: '/v1/documents',
  action: 'documents.write.private',
  summary: 'Upload a text/markdown document (tenant-visible needs analyst or admin)',
  body: NewDocumentSchema,
  query: NO_QUERY,
  errors: MODEL_CALL_ERRORS,
  responses: { 201: { description: 'The stored document', schema: DocumentSummarySchema } },
});

export const listDocuments = endpoint({
  method: 'GET',
  path: '/v1/documents',
  action: 'documents.read',
  summary: 'Tenant-visible documents, then the caller’s private ones',
  body: NO_BODY,
  query: PageQuerySchema,
  errors: { ...RATE_LIMITED_ERROR, ...INVALID_CURSOR_ERROR },
  responses: {
    200: { description: 'One page', schema: z.object({ documents: z.array(DocumentSummarySchema), cursor }) },
  },
});

export const getDocument = endpoint({
  method: 'GET',
  path: '/v1/documents/{id}',
  action: 'documents.read',
  summary: 'One document with its content',
  body: NO_BODY,
  query: NO_QUERY,
  errors: RATE_LIMITED_ERROR,
  responses: { 200: { description: 'The document', schema: StoredDocumentSchema } },
});

export const deleteDocument = endpoint({
  method: 'DELETE',
  path: '/v1/documents/{id}',
  action: 'documents.delete.private',
  summary: 'Delete a document: object, metadata and every vector',
  body: NO_BODY,
  query: NO_QUERY,
  errors: RATE_LIMITED_ERROR,
  responses: noContent,
});

export const searchDocuments = endpoint({
  method: 'POST',
  path: '/v1/search',
  action: 'documents.search',
  summary: 'Semantic search over tenant-visible documents and the caller’s private ones',
  body: z
    .object({
      query: z.string().trim().min(1).max(1000),
      topK: z.number().int().min(1).max(MAX_SEARCH_TOP_K).optional(),
    })
    .strict(),
  query: NO_QUERY,
  errors: MODEL_CALL_ERRORS,
  responses: {
    200: { description: 'Best matches first', schema: z.object({ matches: z.array(SearchMatchSchema) }) },
  },
});

export const getOpenApi = endpoint({
  method: 'GET',
  path: '/v1/openapi.json',
  action: 'api.describe',
  summary: 'This API’s OpenAPI 3.1 document',
  body: NO_BODY,
  query: NO_QUERY,
  errors: RATE_LIMITED_ERROR,
  responses: { 200: { description: 'The document', schema: z.record(z.string(), z.unknown()) } },
});

/** The streaming chat (served by the streaming function; Server-Sent Events, not JSON). */
export const postChatStream = endpoint({
  method: 'POST',
  path: '/v1/chat/stream',
  action: 'chat.converse',
  summary: 'Like /v1/chat, as Server-Sent Events: `text`, `tool`, then `done` with the /v1/chat payload',
  body: ChatRequestSchema,
  query: NO_QUERY,
  errors: MODEL_CALL_ERRORS,
  responses: { 200: { description: 'text/event-stream' } },
});

export const listAudit = endpoint({
  method: 'GET',
  path: '/v1/audit',
  action: 'audit.read',
  summary: 'The tenant’s audit trail, oldest first (tenant admin; own tenant only)',
  body: NO_BODY,
  query: PageQuerySchema,
  errors: { ...RATE_LIMITED_ERROR, ...INVALID_CURSOR_ERROR, 403: 'forbidden: the admin role is required' },
  responses: {
    200: { description: 'One page', schema: z.object({ records: z.array(AuditRecordSchema), cursor }) },
  },
});

const TrailVerdictSchema = z.object({
  ok: z.boolean(),
  records: z.number().int().nonnegative().optional().describe('Records verified (when ok)'),
  digests: z.number().int().nonnegative().optional().describe('Signed digests verified (when ok)'),
  unsignedRecords: z
    .number()
    .int()
    .nonnegative()
    .optional()
    .describe('Records newer than the last digest: chained, not yet signed (when ok)'),
  problem: z.enum(TRAIL_PROBLEMS).optional().describe('What broke (when not ok)'),
  message: z.string().optional(),
  chain: z.number().int().nonnegative().optional(),
  digest: z.number().int().positive().optional(),
  expectedSeq: z.number().int().nonnegative().optional(),
});

export const verifyAudit = endpoint({
  method: 'GET',
  path: '/v1/audit/verify',
  action: 'audit.read',
  summary:
    'Verifies the tenant’s audit trail: every chain, and every signed digest against the records it vouches for (tenant admin; own tenant only)',
  body: NO_BODY,
  query: NO_QUERY,
  errors: { ...RATE_LIMITED_ERROR, 403: 'forbidden: the admin role is required' },
  responses: {
    200: {
      description: 'The verdict; on a break, the first problem found, named',
      schema: TrailVerdictSchema,
    },
  },
});

export const exportAudit = endpoint({
  method: 'GET',
  path: '/v1/audit/export',
  action: 'audit.read',
  summary:
    'The tenant’s whole audit trail with its signed digests and the public key, for the standalone verifier (`npm run audit -- verify`) (tenant admin; own tenant only)',
  body: NO_BODY,
  query: NO_QUERY,
  errors: { ...RATE_LIMITED_ERROR, 403: 'forbidden: the admin role is required' },
  responses: { 200: { description: 'The export', schema: AuditExportSchema } },
});

export const getCosts = endpoint({
  method: 'GET',
  path: '/v1/costs',
  action: 'costs.read',
  summary:
    'The tenant’s model costs for a month: totals and by model, user and day (tenant admin; own tenant only)',
  body: NO_BODY,
  query: z
    .object({ month: MonthSchema.optional().describe('YYYY-MM (UTC); default: the current month') })
    .strict(),
  errors: {
    ...RATE_LIMITED_ERROR,
    400: 'bad_request: month is not YYYY-MM',
    403: 'forbidden: the admin role is required',
  },
  responses: { 200: { description: 'The month’s costs', schema: TenantCostsSchema } },
});

export const getAgentSettings = endpoint({
  method: 'GET',
  path: '/v1/agent/settings',
  action: 'agent.settings.read',
  summary:
    'The tenant’s agent settings: instructions, switched-off tools, role → tool map, step limit, model (tenant admin)',
  body: NO_BODY,
  query: NO_QUERY,
  errors: RATE_LIMITED_ERROR,
  responses: { 200: { description: 'The settings ({} when none are set)', schema: AgentSettingsSchema } },
});

export const putAgentSettings = endpoint({
  method: 'PUT',
  path: '/v1/agent/settings',
  action: 'agent.settings.write',
  summary:
    'Replace the tenant’s agent settings (tenant admin). They only narrow what the roles allow; the model must be one the platform grants; audited.',
  body: AgentSettingsSchema,
  query: NO_QUERY,
  errors: { ...RATE_LIMITED_ERROR, 422: 'model_not_allowed: the platform does not grant that model' },
  responses: { 200: { description: 'The stored settings', schema: AgentSettingsSchema } },
});

const CONNECTOR_ERRORS = {
  ...RATE_LIMITED_ERROR,
  422: 'invalid_connector_url | connector_unusable | invalid_connector | invalid_tool_schema: the URL is refused, the connector could not be reached or answered wrongly during discovery, an exposed tool is not offered, or a tool schema does not compile',
} as const;

export const listConnectors = endpoint({
  method: 'GET',
  path: '/v1/connectors',
  action: 'connectors.manage',
  summary: 'The tenant’s connectors (tenant admin); secrets are never shown',
  body: NO_BODY,
  query: NO_QUERY,
  errors: RATE_LIMITED_ERROR,
  responses: {
    200: {
      description: 'Connectors, by name',
      schema: z.object({ connectors: z.array(ConnectorViewSchema) }),
    },
  },
});

export const createConnector = endpoint({
  method: 'POST',
  path: '/v1/connectors',
  action: 'connectors.manage',
  summary:
    'Register an MCP server (Streamable HTTP) or an HTTP API as a connector (tenant admin): its tools are discovered now, the exposed ones mapped to roles; an API key goes to the tenant’s own secret',
  body: NewConnectorSchema,
  query: NO_QUERY,
  errors: {
    ...CONNECTOR_ERRORS,
    409: 'connector_conflict: the name is taken, or the tenant has the most connectors it may',
  },
  responses: { 201: { description: 'The registered connector', schema: ConnectorViewSchema } },
});

export const getConnector = endpoint({
  method: 'GET',
  path: '/v1/connectors/{name}',
  action: 'connectors.manage',
  summary: 'One of the tenant’s connectors (tenant admin)',
  body: NO_BODY,
  query: NO_QUERY,
  errors: { ...RATE_LIMITED_ERROR, 404: 'not_found: no such connector in this tenant' },
  responses: { 200: { description: 'The connector', schema: ConnectorViewSchema } },
});

export const replaceConnector = endpoint({
  method: 'PUT',
  path: '/v1/connectors/{name}',
  action: 'connectors.manage',
  summary:
    'Replace a connector’s definition (tenant admin); tools are discovered again; an API key left out keeps the stored one',
  body: ConnectorBodySchema,
  query: NO_QUERY,
  errors: { ...CONNECTOR_ERRORS, 404: 'not_found: no such connector in this tenant' },
  responses: { 200: { description: 'The connector as stored', schema: ConnectorViewSchema } },
});

export const deleteConnector = endpoint({
  method: 'DELETE',
  path: '/v1/connectors/{name}',
  action: 'connectors.manage',
  summary: 'Remove a connector and its key (tenant admin)',
  body: NO_BODY,
  query: NO_QUERY,
  errors: { ...RATE_LIMITED_ERROR, 404: 'not_found: no such connector in this tenant' },
  responses: noContent,
});

export const connectConnector = endpoint({
  method: 'POST',
  path: '/v1/connectors/{name}/connect',
  action: 'connections.manage',
  summary:
    'Start connecting the caller’s own account to a per-user OAuth connector: the sign-in URL (authorization code + PKCE; the state is single-use, bound to the caller and the connector, valid 10 minutes)',
  body: NO_BODY,
  query: NO_QUERY,
  errors: {
    ...RATE_LIMITED_ERROR,
    404: 'not_found: no such connector in this tenant',
    422: 'not_per_user: the connector does not use per-user OAuth',
  },
  responses: {
    200: {
      description:
        'Open authorizeUrl in a browser; the authorization server sends the user to /v1/oauth/callback',
      schema: z.object({ authorizeUrl: z.string(), expiresAt: z.iso.datetime() }),
    },
  },
});

export const oauthCallback = endpoint({
  method: 'GET',
  path: '/v1/oauth/callback',
  action: 'connections.manage',
  summary:
    'Complete a sign-in (the authorization server’s redirect, forwarded with the same user’s token): the state must be the caller’s, unused and fresh; the code is exchanged with the PKCE verifier and the tokens sealed in the vault',
  body: NO_BODY,
  query: OAuthCallbackQuerySchema,
  errors: {
    ...RATE_LIMITED_ERROR,
    400: 'invalid_state | oauth_grant_refused: unknown, used or expired state; the server refused the code or verifier',
  },
  responses: { 200: { description: 'The connection (never a token)', schema: ConnectionViewSchema } },
});

export const listConnections = endpoint({
  method: 'GET',
  path: '/v1/me/connections',
  action: 'connections.read',
  summary: 'The caller’s connections: connector, scopes, expiry, status — never a token',
  body: NO_BODY,
  query: NO_QUERY,
  errors: RATE_LIMITED_ERROR,
  responses: {
    200: { description: 'Connections', schema: z.object({ connections: z.array(ConnectionViewSchema) }) },
  },
});

export const revokeConnection = endpoint({
  method: 'DELETE',
  path: '/v1/me/connections/{name}',
  action: 'connections.manage',
  summary: 'Revoke a connection: the token is revoked at the server where it can be, and forgotten',
  body: NO_BODY,
  query: NO_QUERY,
  errors: { ...RATE_LIMITED_ERROR, 404: 'not_found: the caller has no such connection' },
  responses: noContent,
});

export const exportMyData = endpoint({
  method: 'GET',
  path: '/v1/me/export',
  action: 'data.export',
  summary:
    'Everything the platform keeps for the caller, as one JSON document: sessions with their messages, memory, private documents with their text, pending approvals, connections (never a token), this month’s usage',
  body: NO_BODY,
  query: NO_QUERY,
  errors: RATE_LIMITED_ERROR,
  responses: { 200: { description: 'The export', schema: UserExportSchema } },
});

export const listApprovals = endpoint({
  method: 'GET',
  path: '/v1/approvals',
  action: 'approvals.read',
  summary: 'The caller’s tool calls waiting for their approval (unexpired, undecided)',
  body: NO_BODY,
  query: NO_QUERY,
  errors: RATE_LIMITED_ERROR,
  responses: {
    200: {
      description: 'Pending approvals, oldest first',
      schema: z.object({ approvals: z.array(PendingApprovalSchema) }),
    },
  },
});

export const decideApproval = endpoint({
  method: 'POST',
  path: '/v1/approvals/{id}',
  action: 'approvals.decide',
  summary:
    'Approve (the recorded call runs once, with every usual check) or deny one of the caller’s pending tool calls; single-use. The decision and its outcome are added to the chat session that asked, so the model hears them on the next turn.',
  body: ApprovalDecisionSchema,
  query: NO_QUERY,
  errors: {
    ...RATE_LIMITED_ERROR,
    404: 'not_found: no such approval of the caller',
    409: 'approval_closed: already decided or expired',
  },
  responses: {
    200: {
      description: 'The decision and, when approved, how the call went',
      schema: z.object({
        id: z.string(),
        decision: z.enum(['approve', 'deny']),
        toolCall: z.object({
          name: z.string(),
          status: z.enum(['success', 'refused', 'invalid', 'failed', 'connection_required']),
        }),
      }),
    },
  },
});

/**
 * The tenant API's endpoint declarations: request and response schemas for
 * each route. The router parses requests with them and the OpenAPI document
 * is generated from them.
 */
import * as z from 'zod';
import { BudgetStatusSchema } from '../admission/budget-status.js';
import { AgentSettingsSchema } from '../agent/agent-settings.js';
import { ApprovalDecisionSchema, PendingApprovalSchema } from '../agent/approvals.js';
import { AuditRecordSchema } from '../audit/audit-chain.js';
import { AuditExportSchema } from '../audit/audit-export.js';
import { TRAIL_PROBLEMS } from '../audit/trail-verifier.js';
import { ConnectionViewSchema, OAuthCallbackQuerySchema } from '../connections/connections.js';
import { ConnectorCheckSchema } from '../connectors/connector-check.js';
import {
  ConnectorBodySchema,
  ConnectorNameSchema,
  ConnectorViewSchema,
  NewConnectorSchema,
} from '../connectors/connector-definition.js';
import { ChatRequestSchema, ChatResponseSchema } from '../conversations/chat.js';
import {
  SessionIdSchema,
  SessionMessageSchema,
  SessionSummarySchema,
} from '../conversations/chat-sessions.js';
import {
  DocumentIdSchema,
  DocumentSummarySchema,
  MAX_SEARCH_TOP_K,
  NewDocumentSchema,
  SearchMatchSchema,
  StoredDocumentSchema,
} from '../documents/document-library.js';
import {
  ErrorBodySchema,
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
/** The ids the platform gives facts and approvals (UUIDs; any other value is simply not found). */
const FactIdSchema = z.uuid();
const ApprovalIdSchema = z.uuid();

export const getMe = endpoint({
  operationId: 'getMe',
  method: 'GET',
  path: '/v1/me',
  action: 'identity.read',
  tag: 'Identity',
  summary: 'Who am I',
  description: 'The caller’s identity as the platform sees it',
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
  operationId: 'listMemory',
  method: 'GET',
  path: '/v1/memory',
  action: 'memory.read',
  tag: 'Memory',
  summary: 'List my remembered facts',
  description: 'The caller’s remembered facts',
  body: NO_BODY,
  query: NO_QUERY,
  errors: RATE_LIMITED_ERROR,
  responses: {
    200: { description: 'Facts, oldest first', schema: z.object({ facts: z.array(MemoryFactSchema) }) },
  },
});

export const rememberFact = endpoint({
  operationId: 'rememberFact',
  method: 'PUT',
  path: '/v1/memory',
  action: 'memory.write',
  tag: 'Memory',
  summary: 'Remember a fact',
  description: 'Remember a fact for the caller',
  body: z.object({ fact: FactTextSchema }).strict(),
  query: NO_QUERY,
  errors: RATE_LIMITED_ERROR,
  responses: { 201: { description: 'The stored fact', schema: MemoryFactSchema } },
});

export const forgetFact = endpoint({
  operationId: 'forgetFact',
  method: 'DELETE',
  path: '/v1/memory/{id}',
  action: 'memory.delete',
  tag: 'Memory',
  summary: 'Forget a fact',
  description: 'Forget one of the caller’s facts',
  pathParameters: { id: FactIdSchema },
  body: NO_BODY,
  query: NO_QUERY,
  errors: { ...RATE_LIMITED_ERROR, 404: 'not_found: the caller has no such fact' },
  responses: noContent,
});

export const postChat = endpoint({
  operationId: 'postChat',
  method: 'POST',
  path: '/v1/chat',
  action: 'chat.converse',
  tag: 'Chat',
  summary: 'Chat with the agent',
  description: 'Send a message to the agent (starts a session when sessionId is absent)',
  body: ChatRequestSchema,
  query: NO_QUERY,
  errors: { ...MODEL_CALL_ERRORS, 404: 'not_found: sessionId names no session of the caller' },
  responses: { 200: { description: 'The agent’s reply', schema: ChatResponseSchema } },
});

export const listSessions = endpoint({
  operationId: 'listSessions',
  method: 'GET',
  path: '/v1/sessions',
  action: 'sessions.read',
  tag: 'Sessions',
  summary: 'List my chat sessions',
  description: 'The caller’s chat sessions, newest first',
  body: NO_BODY,
  query: PageQuerySchema,
  errors: { ...RATE_LIMITED_ERROR, ...INVALID_CURSOR_ERROR },
  responses: {
    200: { description: 'One page', schema: z.object({ sessions: z.array(SessionSummarySchema), cursor }) },
  },
});

export const listSessionMessages = endpoint({
  operationId: 'listSessionMessages',
  method: 'GET',
  path: '/v1/sessions/{id}/messages',
  action: 'sessions.read',
  tag: 'Sessions',
  summary: 'List the messages of a session',
  description: 'Messages of one of the caller’s sessions, oldest first',
  pathParameters: { id: SessionIdSchema },
  body: NO_BODY,
  query: PageQuerySchema,
  errors: {
    ...RATE_LIMITED_ERROR,
    ...INVALID_CURSOR_ERROR,
    404: 'not_found: the caller has no such session',
  },
  responses: {
    200: { description: 'One page', schema: z.object({ messages: z.array(SessionMessageSchema), cursor }) },
  },
});

export const deleteSession = endpoint({
  operationId: 'deleteSession',
  method: 'DELETE',
  path: '/v1/sessions/{id}',
  action: 'sessions.delete',
  tag: 'Sessions',
  summary: 'Delete a session',
  description: 'Delete one of the caller’s sessions and its messages',
  pathParameters: { id: SessionIdSchema },
  body: NO_BODY,
  query: NO_QUERY,
  errors: { ...RATE_LIMITED_ERROR, 404: 'not_found: the caller has no such session' },
  responses: noContent,
});

export const uploadDocument = endpoint({
  operationId: 'uploadDocument',
  method: 'POST',
  path: '/v1/documents',
  action: 'documents.write.private',
  tag: 'Documents',
  summary: 'Upload a document',
  description: 'Upload a text/markdown document (tenant-visible needs analyst or admin)',
  body: NewDocumentSchema,
  query: NO_QUERY,
  errors: MODEL_CALL_ERRORS,
  responses: { 201: { description: 'The stored document', schema: DocumentSummarySchema } },
});

export const listDocuments = endpoint({
  operationId: 'listDocuments',
  method: 'GET',
  path: '/v1/documents',
  action: 'documents.read',
  tag: 'Documents',
  summary: 'List documents',
  description: 'Tenant-visible documents, then the caller’s private ones',
  body: NO_BODY,
  query: PageQuerySchema,
  errors: { ...RATE_LIMITED_ERROR, ...INVALID_CURSOR_ERROR },
  responses: {
    200: { description: 'One page', schema: z.object({ documents: z.array(DocumentSummarySchema), cursor }) },
  },
});

export const getDocument = endpoint({
  operationId: 'getDocument',
  method: 'GET',
  path: '/v1/documents/{id}',
  action: 'documents.read',
  tag: 'Documents',
  summary: 'Read a document',
  description: 'One document with its content',
  pathParameters: { id: DocumentIdSchema },
  body: NO_BODY,
  query: NO_QUERY,
  errors: { ...RATE_LIMITED_ERROR, 404: 'not_found: no such document the caller may read' },
  responses: { 200: { description: 'The document', schema: StoredDocumentSchema } },
});

export const deleteDocument = endpoint({
  operationId: 'deleteDocument',
  method: 'DELETE',
  path: '/v1/documents/{id}',
  action: 'documents.delete.private',
  tag: 'Documents',
  summary: 'Delete a document',
  description: 'Delete a document: object, metadata and every vector',
  pathParameters: { id: DocumentIdSchema },
  body: NO_BODY,
  query: NO_QUERY,
  errors: { ...RATE_LIMITED_ERROR, 404: 'not_found: no such document the caller may read' },
  responses: noContent,
});

export const searchDocuments = endpoint({
  operationId: 'searchDocuments',
  method: 'POST',
  path: '/v1/search',
  action: 'documents.search',
  tag: 'Documents',
  summary: 'Search documents',
  description: 'Semantic search over tenant-visible documents and the caller’s private ones',
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

const streamEvent = <Name extends string>(event: Name, data: z.ZodType, description: string) =>
  z
    .object({ event: z.literal(event), data })
    .strict()
    .describe(description);

/** One Server-Sent Event of the streamed chat: its name (`event:`) and its JSON data (`data:`). */
export const ChatStreamEventSchema = z
  .discriminatedUnion('event', [
    streamEvent('text', z.object({ text: z.string() }).strict(), 'A piece of the reply, in order'),
    streamEvent('tool', ChatResponseSchema.shape.toolCalls.element, 'A tool call ran (or was refused)'),
    streamEvent(
      'approval',
      z.object({ approval: PendingApprovalSchema }).strict(),
      'A tool call waits for the user’s approval (POST /v1/approvals/{id})',
    ),
    streamEvent(
      'connection_required',
      z.object({ connection: ChatResponseSchema.shape.connectionRequired.unwrap() }).strict(),
      'A per-user connector’s tool needs the user to connect first: open authorizeUrl',
    ),
    streamEvent('done', ChatResponseSchema, 'The turn ended: the /v1/chat payload; the stream closes'),
    streamEvent('error', ErrorBodySchema, 'The turn failed after the stream started; the stream closes'),
  ])
  .meta({ id: 'ChatStreamEvent', description: 'One message of the POST /v1/chat/stream event stream' });

/** The streaming chat (served by the streaming function; Server-Sent Events, not JSON). */
export const postChatStream = endpoint({
  operationId: 'postChatStream',
  method: 'POST',
  path: '/v1/chat/stream',
  action: 'chat.converse',
  tag: 'Chat',
  summary: 'Chat with the agent, streamed',
  description:
    'Like /v1/chat, as Server-Sent Events (Lambda response streaming in AWS): `text` deltas as the model writes, ' +
    '`tool` as tools run, `approval` or `connection_required` when a call waits for the user, then `done` with the ' +
    '/v1/chat payload — or `error` (the error body) if the turn fails after the stream started. A failure before ' +
    'the first event is an ordinary JSON error with its status.',
  body: ChatRequestSchema,
  query: NO_QUERY,
  errors: { ...MODEL_CALL_ERRORS, 404: 'not_found: sessionId names no session of the caller' },
  responses: {
    200: {
      description:
        'An event stream: each message is `event: <name>` then `data: <JSON>`; the schema describes one message',
      mediaType: 'text/event-stream',
      schema: ChatStreamEventSchema,
    },
  },
});

export const listAudit = endpoint({
  operationId: 'listAudit',
  method: 'GET',
  path: '/v1/audit',
  action: 'audit.read',
  tag: 'Audit',
  summary: 'List the audit trail',
  description: 'The tenant’s audit trail, oldest first (tenant admin; own tenant only)',
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
  operationId: 'verifyAudit',
  method: 'GET',
  path: '/v1/audit/verify',
  action: 'audit.read',
  tag: 'Audit',
  summary: 'Verify the audit trail',
  description:
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
  operationId: 'exportAudit',
  method: 'GET',
  path: '/v1/audit/export',
  action: 'audit.read',
  tag: 'Audit',
  summary: 'Export the audit trail',
  description:
    'The tenant’s whole audit trail with its signed digests and the public key, for the standalone verifier (`npm run audit -- verify`) (tenant admin; own tenant only)',
  body: NO_BODY,
  query: NO_QUERY,
  errors: { ...RATE_LIMITED_ERROR, 403: 'forbidden: the admin role is required' },
  responses: { 200: { description: 'The export', schema: AuditExportSchema } },
});

/** What `GET /v1/costs` answers: the month's costs and the tenant's budget for it. */
export const CostReportSchema = TenantCostsSchema.extend({ budget: BudgetStatusSchema }).meta({
  id: 'CostReport',
  description:
    'One tenant’s model costs for a month (totals, by model, user and day) and its monthly budget, used and remaining',
});

export const getCosts = endpoint({
  operationId: 'getCosts',
  method: 'GET',
  path: '/v1/costs',
  action: 'costs.read',
  tag: 'Costs',
  summary: 'Read the tenant’s costs',
  description:
    'The tenant’s model costs for a month: totals and by model, user and day, and the monthly budget used and remaining as admission enforces it (tenant admin; own tenant only)',
  body: NO_BODY,
  query: z
    .object({ month: MonthSchema.optional().describe('YYYY-MM (UTC); default: the current month') })
    .strict(),
  errors: {
    ...RATE_LIMITED_ERROR,
    400: 'bad_request: month is not YYYY-MM',
    403: 'forbidden: the admin role is required',
  },
  responses: { 200: { description: 'The month’s costs and budget', schema: CostReportSchema } },
});

export const getAgentSettings = endpoint({
  operationId: 'getAgentSettings',
  method: 'GET',
  path: '/v1/agent/settings',
  action: 'agent.settings.read',
  tag: 'Agent settings',
  summary: 'Read the agent settings',
  description:
    'The tenant’s agent settings: instructions, switched-off tools, role → tool map, step limit, model (tenant admin)',
  body: NO_BODY,
  query: NO_QUERY,
  errors: RATE_LIMITED_ERROR,
  responses: { 200: { description: 'The settings ({} when none are set)', schema: AgentSettingsSchema } },
});

export const putAgentSettings = endpoint({
  operationId: 'putAgentSettings',
  method: 'PUT',
  path: '/v1/agent/settings',
  action: 'agent.settings.write',
  tag: 'Agent settings',
  summary: 'Replace the agent settings',
  description:
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
  operationId: 'listConnectors',
  method: 'GET',
  path: '/v1/connectors',
  action: 'connectors.manage',
  tag: 'Connectors',
  summary: 'List connectors',
  description: 'The tenant’s connectors (tenant admin); secrets are never shown',
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
  operationId: 'createConnector',
  method: 'POST',
  path: '/v1/connectors',
  action: 'connectors.manage',
  tag: 'Connectors',
  summary: 'Register a connector',
  description:
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
  operationId: 'getConnector',
  method: 'GET',
  path: '/v1/connectors/{name}',
  action: 'connectors.manage',
  tag: 'Connectors',
  summary: 'Read a connector',
  description: 'One of the tenant’s connectors (tenant admin)',
  pathParameters: { name: ConnectorNameSchema },
  body: NO_BODY,
  query: NO_QUERY,
  errors: { ...RATE_LIMITED_ERROR, 404: 'not_found: no such connector in this tenant' },
  responses: { 200: { description: 'The connector', schema: ConnectorViewSchema } },
});

export const replaceConnector = endpoint({
  operationId: 'replaceConnector',
  method: 'PUT',
  path: '/v1/connectors/{name}',
  action: 'connectors.manage',
  tag: 'Connectors',
  summary: 'Replace a connector',
  description:
    'Replace a connector’s definition (tenant admin); tools are discovered again; an API key left out keeps the stored one',
  pathParameters: { name: ConnectorNameSchema },
  body: ConnectorBodySchema,
  query: NO_QUERY,
  errors: { ...CONNECTOR_ERRORS, 404: 'not_found: no such connector in this tenant' },
  responses: { 200: { description: 'The connector as stored', schema: ConnectorViewSchema } },
});

export const deleteConnector = endpoint({
  operationId: 'deleteConnector',
  method: 'DELETE',
  path: '/v1/connectors/{name}',
  action: 'connectors.manage',
  tag: 'Connectors',
  summary: 'Remove a connector',
  description: 'Remove a connector and its key (tenant admin)',
  pathParameters: { name: ConnectorNameSchema },
  body: NO_BODY,
  query: NO_QUERY,
  errors: { ...RATE_LIMITED_ERROR, 404: 'not_found: no such connector in this tenant' },
  responses: noContent,
});

export const testConnector = endpoint({
  operationId: 'testConnector',
  method: 'POST',
  path: '/v1/connectors/{name}/test',
  action: 'connectors.manage',
  tag: 'Connectors',
  summary: 'Test a connector',
  description:
    'Reach a stored connector as the agent would and store nothing (tenant admin): with no auth or the tenant’s API key, list its tools with the stored credential (an HTTP API is first sent one GET at its base URL); for a per-user OAuth connector (no tenant credential reaches it), read its authorization server’s metadata at its issuer (RFC 8414, else OpenID discovery). A connector that cannot be reached or answers wrongly is a 200 with `ok: false` and the reason, never an error. Each test is a connector call: it counts against the tenant’s connector calls per minute (429 `rate_limited` when over) and is metered',
  pathParameters: { name: ConnectorNameSchema },
  body: NO_BODY,
  query: NO_QUERY,
  errors: { ...RATE_LIMITED_ERROR, 404: 'not_found: no such connector in this tenant' },
  responses: { 200: { description: 'What the test found', schema: ConnectorCheckSchema } },
});

export const connectConnector = endpoint({
  operationId: 'connectConnector',
  method: 'POST',
  path: '/v1/connectors/{name}/connect',
  action: 'connections.manage',
  tag: 'Connections',
  summary: 'Start connecting my account',
  description:
    'Start connecting the caller’s own account to a per-user OAuth connector: the sign-in URL (authorization code + PKCE; the state is single-use, bound to the caller and the connector, valid 10 minutes). A web console names its own callback page as `redirectUri`; the page forwards `code` and `state` to GET /v1/oauth/callback with the user’s token',
  pathParameters: { name: ConnectorNameSchema },
  body: z
    .object({
      redirectUri: z
        .string()
        .max(2_048)
        .optional()
        .describe(
          'Where the authorization server sends the user back: exactly `<a browser (CORS) origin of this deployment>/console/oauth/callback`, which the connector’s authorization server must allow. Default: the platform’s /v1/oauth/callback',
        ),
    })
    .strict()
    .optional(),
  query: NO_QUERY,
  errors: {
    ...RATE_LIMITED_ERROR,
    404: 'not_found: no such connector in this tenant',
    422: 'not_per_user | redirect_uri_not_allowed: the connector does not use per-user OAuth; redirectUri is not a console callback of this deployment’s origins',
  },
  responses: {
    200: {
      description:
        'Open authorizeUrl in a browser; the authorization server sends the user to redirectUri (default /v1/oauth/callback)',
      schema: z.object({ authorizeUrl: z.string(), expiresAt: z.iso.datetime() }),
    },
  },
});

export const oauthCallback = endpoint({
  operationId: 'oauthCallback',
  method: 'GET',
  path: '/v1/oauth/callback',
  action: 'connections.manage',
  tag: 'Connections',
  summary: 'Complete a sign-in',
  description:
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
  operationId: 'listConnections',
  method: 'GET',
  path: '/v1/me/connections',
  action: 'connections.read',
  tag: 'Connections',
  summary: 'List my connections',
  description: 'The caller’s connections: connector, scopes, expiry, status — never a token',
  body: NO_BODY,
  query: NO_QUERY,
  errors: RATE_LIMITED_ERROR,
  responses: {
    200: { description: 'Connections', schema: z.object({ connections: z.array(ConnectionViewSchema) }) },
  },
});

export const revokeConnection = endpoint({
  operationId: 'revokeConnection',
  method: 'DELETE',
  path: '/v1/me/connections/{name}',
  action: 'connections.manage',
  tag: 'Connections',
  summary: 'Revoke a connection',
  description: 'Revoke a connection: the token is revoked at the server where it can be, and forgotten',
  pathParameters: { name: ConnectorNameSchema },
  body: NO_BODY,
  query: NO_QUERY,
  errors: { ...RATE_LIMITED_ERROR, 404: 'not_found: the caller has no such connection' },
  responses: noContent,
});

export const exportMyData = endpoint({
  operationId: 'exportMyData',
  method: 'GET',
  path: '/v1/me/export',
  action: 'data.export',
  tag: 'Privacy',
  summary: 'Export my data',
  description:
    'Everything the platform keeps for the caller, as one JSON document: sessions with their messages, memory, private documents with their text, pending approvals, connections (never a token), this month’s usage',
  body: NO_BODY,
  query: NO_QUERY,
  errors: RATE_LIMITED_ERROR,
  responses: { 200: { description: 'The export', schema: UserExportSchema } },
});

export const listApprovals = endpoint({
  operationId: 'listApprovals',
  method: 'GET',
  path: '/v1/approvals',
  action: 'approvals.read',
  tag: 'Approvals',
  summary: 'List my pending approvals',
  description: 'The caller’s tool calls waiting for their approval (unexpired, undecided)',
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
  operationId: 'decideApproval',
  method: 'POST',
  path: '/v1/approvals/{id}',
  action: 'approvals.decide',
  tag: 'Approvals',
  summary: 'Approve or deny a tool call',
  description:
    'Approve (the recorded call runs once, with every usual check) or deny one of the caller’s pending tool calls; single-use. The decision and its outcome are added to the chat session that asked, so the model hears them on the next turn.',
  pathParameters: { id: ApprovalIdSchema },
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

/** The endpoints the tenant API function serves (its router registers exactly these). */
export const TENANT_API_ENDPOINTS = [
  getMe,
  listMemory,
  rememberFact,
  forgetFact,
  postChat,
  listSessions,
  listSessionMessages,
  deleteSession,
  uploadDocument,
  listDocuments,
  getDocument,
  deleteDocument,
  searchDocuments,
  listAudit,
  verifyAudit,
  exportAudit,
  getCosts,
  getAgentSettings,
  putAgentSettings,
  listApprovals,
  decideApproval,
  listConnectors,
  createConnector,
  getConnector,
  replaceConnector,
  deleteConnector,
  testConnector,
  connectConnector,
  oauthCallback,
  listConnections,
  revokeConnection,
  exportMyData,
];

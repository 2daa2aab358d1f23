/**
 * The API's OpenAPI document: the tenant API, the streaming chat and the control API in one,
 * served without a token at `GET /v1/openapi.json` by the control function (the one function
 * both the pool API and the silo API route to without tenant isolation).
 */
import * as z from 'zod';
import { type AnyEndpoint, endpoint, NO_BODY, NO_QUERY, PUBLIC } from '../http/endpoint.js';
import { buildOpenApiDocument, type OpenApiDocument, type OpenApiServer } from '../http/openapi.js';
import { postChatStream, TENANT_API_ENDPOINTS } from './api-endpoints.js';
import { CONTROL_ENDPOINTS } from './control-endpoints.js';

export const API_TITLE = 'bulkhead';
export const API_VERSION = '1.0.0';

export const getOpenApi = endpoint({
  operationId: 'getOpenApi',
  method: 'GET',
  path: '/v1/openapi.json',
  action: PUBLIC,
  tag: 'API description',
  summary: 'This OpenAPI document',
  description:
    'This API’s OpenAPI 3.1 document, generated from the same zod schemas the handlers parse with. ' +
    'Its `servers` entry is the URL it was fetched from.',
  body: NO_BODY,
  query: NO_QUERY,
  responses: {
    200: {
      description: 'The document',
      schema: z.record(z.string(), z.unknown()).describe('An OpenAPI 3.1 document'),
    },
  },
});

/** One tag per area of the API, in the order a newcomer meets them. */
export const API_TAGS = [
  { name: 'Identity', description: 'Who the caller is, as the platform sees the verified token.' },
  {
    name: 'Chat',
    description:
      'Turns with the tenant’s agent: tools filtered by role, answers grounded in the caller’s documents, metered against the tenant’s budget.',
  },
  { name: 'Sessions', description: 'The caller’s own chat sessions and their messages.' },
  { name: 'Memory', description: 'Facts the agent remembers for the caller (user-private).' },
  {
    name: 'Documents',
    description: 'Tenant-visible and private documents: stored, chunked, embedded and searched.',
  },
  { name: 'Approvals', description: 'Tool calls waiting for their user’s decision.' },
  {
    name: 'Connectors',
    description: 'The tenant’s MCP servers and HTTP APIs the agent may call (tenant admin).',
  },
  { name: 'Connections', description: 'The caller’s own OAuth connections to per-user connectors.' },
  {
    name: 'Agent settings',
    description: 'The tenant’s instructions, tools, role map and model (tenant admin).',
  },
  { name: 'Audit', description: 'The tenant’s hash-chained, signed audit trail (tenant admin).' },
  { name: 'Costs', description: 'The tenant’s model costs by month (tenant admin).' },
  { name: 'Privacy', description: 'A copy of everything the platform keeps for the caller.' },
  { name: 'Tenants', description: 'Onboarding, settings, suspension and offboarding of tenants (operator).' },
  {
    name: 'Users',
    description: 'Roles, export and erasure of one user of a tenant (operator or tenant admin).',
  },
  { name: 'Platform costs', description: 'Every tenant’s model costs (operator).' },
  { name: 'API description', description: 'This document.' },
] as const;

/** Where the document says the API lives when no request names it (a relative URL: resolve it against the URL the document came from). */
const RELATIVE_SERVER: OpenApiServer = {
  url: '/',
  description: 'The API this document was fetched from (its stage URL, or a custom domain)',
};

/** Built once per process: only `servers` depends on the request. */
let built: OpenApiDocument | undefined;

/** Every endpoint of both APIs, in the document's order. */
export const DOCUMENTED_ENDPOINTS: readonly AnyEndpoint[] = [
  ...TENANT_API_ENDPOINTS,
  postChatStream,
  ...CONTROL_ENDPOINTS,
  getOpenApi,
];

/** The whole API's document; `serverUrl` is the API's base URL as the caller reached it. */
export function apiDocument(serverUrl?: string): OpenApiDocument {
  built ??= buildDocument();
  return {
    ...built,
    servers:
      serverUrl === undefined
        ? [RELATIVE_SERVER]
        : [{ url: serverUrl, description: 'This API, as the document was fetched from it' }],
  };
}

function buildDocument(): OpenApiDocument {
  return buildOpenApiDocument({
    info: {
      title: API_TITLE,
      version: API_VERSION,
      description:
        'A multi-tenant backend for AI agents. Every request runs on an AWS session tagged with the ' +
        'caller’s tenant and user, so IAM keeps tenant data apart. The token alone names the tenant and ' +
        'the user: no body field, query parameter or header can.\n\n' +
        'Errors are always `{ "error": { "code", "message", "requestId" } }`. Writes accept an ' +
        '`Idempotency-Key`. Listings are paginated with opaque cursors. 429, 503 and 504 come with ' +
        '`Retry-After`.',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    servers: [RELATIVE_SERVER],
    tags: API_TAGS,
    endpoints: DOCUMENTED_ENDPOINTS,
    securityDescription:
      'An ID token of the configured issuer (a Cognito user pool, or any OIDC issuer) as ' +
      '`Authorization: Bearer <JWT>`. The API’s TOKEN authorizer verifies its signature (JWKS), ' +
      'issuer, audience and expiry; its claims name the tenant, the user and the roles.',
  });
}

/**
 * What a connector is: an outside system (an MCP server over Streamable HTTP,
 * or an HTTP API described by an operation list) whose tools a tenant's agent
 * may call. The tenant admin chooses which of its tools are exposed, to which
 * roles, and which always wait for approval; limits bound every call.
 *
 * Three shapes: what an admin sends (`ConnectorBodySchema`), what is stored
 * (`StoredConnectorSchema`: no secret, only the secret's name, plus the tool
 * specs discovered at registration) and what the API shows
 * (`ConnectorViewSchema`: no secret name either).
 */
import * as z from 'zod';
import { RoleSchema } from '../tenancy/request-context.js';

/** Lowercase, digits and hyphens: part of every namespaced tool name and of the secret's name. */
export const ConnectorNameSchema = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,23}$/, 'connector names are 1–24 lowercase letters, digits and hyphens');
export type ConnectorName = z.infer<typeof ConnectorNameSchema>;

/**
 * A connector's own tool name, as the model may see it after the namespace:
 * Bedrock allows `[a-zA-Z0-9_-]{1,64}` and `<connector>__<tool>` must fit.
 */
export const RemoteToolNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,38}$/, 'tool names are 1–38 letters, digits, _ and -');

/** Between a connector's name and its tool's: `tracker__list_tickets` (a connector name has no `_`). */
export const TOOL_NAMESPACE_SEPARATOR = '__';

export function namespacedToolName(connector: ConnectorName, tool: string): string {
  return `${connector}${TOOL_NAMESPACE_SEPARATOR}${tool}`;
}

export const MAX_CONNECTORS_PER_TENANT = 20;
export const MAX_EXPOSED_TOOLS = 32;
/** A tool's input schema, as JSON text, at most this long (the stored record stays far below 400 KB). */
export const MAX_INPUT_SCHEMA_CHARS = 8_000;

export const CONNECTOR_LIMITS = {
  timeoutMs: { min: 500, max: 30_000, default: 10_000 },
  maxResponseBytes: { min: 1_024, max: 1_048_576, default: 262_144 },
} as const;

const TenantRoleSchema = RoleSchema.exclude(['operator']);

const ExposedToolSchema = z
  .object({
    name: RemoteToolNameSchema,
    /** The roles whose agents are offered the tool (deny by default: a tool no role has is offered to none). */
    roles: z.array(TenantRoleSchema).min(1).max(3),
    /** Every call waits for its user's approval, untrusted content or not. */
    requiresApproval: z.boolean().optional(),
  })
  .strict();
export type ExposedTool = z.infer<typeof ExposedToolSchema>;

const HeaderNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9-]{1,64}$/, 'a header name')
  .refine(
    (name) => !['host', 'content-length', 'content-type', 'mcp-session-id'].includes(name.toLowerCase()),
    {
      message: 'that header is the transport’s',
    },
  );

const EndpointUrlSchema = z.string().min(1).max(2_048);
const OAuthScopeSchema = z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]{1,128}$/, 'an OAuth scope');

/** Per-user OAuth 2.0 (authorization code + PKCE): each user connects their own account. */
const OAuthUserShape = {
  type: z.literal('oauth_user'),
  authorizationUrl: EndpointUrlSchema,
  tokenUrl: EndpointUrlSchema,
  revocationUrl: EndpointUrlSchema.optional(),
  /** The server's issuer identifier (RFC 9207), when it differs from the token URL's origin. */
  issuer: EndpointUrlSchema.optional(),
  clientId: z.string().min(1).max(256),
  scopes: z.array(OAuthScopeSchema).max(20).default([]),
  /** RFC 8707 resource indicator (the audience of the access tokens). */
  resource: EndpointUrlSchema.optional(),
};

/**
 * `none`; a tenant API key (sent as `Authorization: Bearer <key>`, or raw in a named header); or
 * per-user OAuth, whose client secret (when the client has one) is kept like an API key.
 */
const AuthBodySchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('none') }).strict(),
  z
    .object({
      type: z.literal('api_key'),
      header: HeaderNameSchema.default('authorization'),
      scheme: z.enum(['bearer', 'raw']).default('bearer'),
      /** Write-only: kept in Secrets Manager, never stored here or shown again. Omit on update to keep it. */
      value: z.string().min(8).max(4_096).optional(),
    })
    .strict(),
  z
    .object({
      ...OAuthUserShape,
      /** Write-only, like an API key. Omit for a public client (PKCE alone), or on update to keep it. */
      clientSecret: z.string().min(1).max(4_096).optional(),
    })
    .strict(),
]);

/** A JSON Schema object for a tool's input (Converse requires `type: object` at the top). */
export const ToolInputJsonSchema = z
  .record(z.string(), z.unknown())
  .refine((schema) => schema.type === 'object', { message: 'an input schema must have type "object"' })
  .refine((schema) => JSON.stringify(schema).length <= MAX_INPUT_SCHEMA_CHARS, {
    message: `an input schema may be at most ${MAX_INPUT_SCHEMA_CHARS} characters of JSON`,
  });

const HttpOperationSchema = z
  .object({
    name: RemoteToolNameSchema,
    description: z.string().trim().min(1).max(1_000),
    method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']),
    /** Appended to the connector URL; `{param}` segments are filled from the input (URL-encoded). */
    path: z
      .string()
      .max(512)
      .regex(/^\/[A-Za-z0-9._~!$&'()*+,;=:@%{}/-]*$/, 'a path starting with /'),
    inputSchema: ToolInputJsonSchema,
    /** It only reads: no approval once untrusted content entered the turn. @default false (assume side effects) */
    readOnly: z.boolean().optional(),
  })
  .strict();
export type HttpOperation = z.infer<typeof HttpOperationSchema>;

const LimitsShape = {
  timeoutMs: z
    .number()
    .int()
    .min(CONNECTOR_LIMITS.timeoutMs.min)
    .max(CONNECTOR_LIMITS.timeoutMs.max)
    .default(CONNECTOR_LIMITS.timeoutMs.default),
  maxResponseBytes: z
    .number()
    .int()
    .min(CONNECTOR_LIMITS.maxResponseBytes.min)
    .max(CONNECTOR_LIMITS.maxResponseBytes.max)
    .default(CONNECTOR_LIMITS.maxResponseBytes.default),
};

const CommonBodyShape = {
  description: z.string().trim().min(1).max(500).optional(),
  /** https in the cloud; http to loopback only in the local cloud. */
  url: z.string().min(1).max(2_048),
  auth: AuthBodySchema,
  tools: z.array(ExposedToolSchema).min(1).max(MAX_EXPOSED_TOOLS),
  ...LimitsShape,
};

/** Each tool listed once, each operation named once. */
function uniqueNames(
  body: { readonly tools: readonly { name: string }[]; readonly operations?: readonly { name: string }[] },
  ctx: z.RefinementCtx,
): void {
  const unique = (names: readonly string[], path: string, message: string) => {
    if (new Set(names).size !== names.length) ctx.addIssue({ code: 'custom', path: [path], message });
  };
  unique(
    body.tools.map((tool) => tool.name),
    'tools',
    'each tool may be listed once',
  );
  unique(
    (body.operations ?? []).map((operation) => operation.name),
    'operations',
    'each operation name may appear once',
  );
}

const McpBodySchema = z.object({ kind: z.literal('mcp'), ...CommonBodyShape });
const HttpBodySchema = z.object({
  kind: z.literal('http'),
  ...CommonBodyShape,
  operations: z.array(HttpOperationSchema).min(1).max(MAX_EXPOSED_TOOLS),
});

/** What a tenant admin sends to replace a connector. */
export const ConnectorBodySchema = z
  .discriminatedUnion('kind', [McpBodySchema.strict(), HttpBodySchema.strict()])
  .superRefine(uniqueNames)
  .meta({ id: 'ConnectorBody', description: 'A connector’s new definition (its name is in the path)' });
export type ConnectorBody = z.infer<typeof ConnectorBodySchema>;

/** What a tenant admin sends to register a connector. */
export const NewConnectorSchema = z
  .discriminatedUnion('kind', [
    McpBodySchema.extend({ name: ConnectorNameSchema }).strict(),
    HttpBodySchema.extend({ name: ConnectorNameSchema }).strict(),
  ])
  .superRefine(uniqueNames)
  .meta({
    id: 'NewConnector',
    description: 'A connector to register: an MCP server or an HTTP API, and which tools each role may call',
  });
export type NewConnector = z.infer<typeof NewConnectorSchema>;

/** A tool as discovered at registration: its spec is pinned until an admin updates the connector. */
export const DiscoveredToolSchema = z.object({
  name: RemoteToolNameSchema,
  description: z.string(),
  inputSchema: z.record(z.string(), z.unknown()),
  /** From MCP `readOnlyHint` (or an operation's `readOnly`); absent hints mean side effects. */
  sideEffects: z.boolean(),
});
export type DiscoveredTool = z.infer<typeof DiscoveredToolSchema>;

const StoredAuthSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('none') }),
  z.object({
    type: z.literal('api_key'),
    header: z.string(),
    scheme: z.enum(['bearer', 'raw']),
    /** The Secrets Manager name of the key (the value is never stored here). */
    secretName: z.string(),
  }),
  z.object({
    ...OAuthUserShape,
    scopes: z.array(z.string()),
    /** The Secrets Manager name of the client secret, for a confidential client. */
    secretName: z.string().optional(),
  }),
]);
export type StoredAuth = z.infer<typeof StoredAuthSchema>;

export const StoredConnectorSchema = z.object({
  name: ConnectorNameSchema,
  kind: z.enum(['mcp', 'http']),
  description: z.string().optional(),
  url: z.string(),
  auth: StoredAuthSchema,
  tools: z.array(ExposedToolSchema),
  operations: z.array(HttpOperationSchema).optional(),
  discovered: z.array(DiscoveredToolSchema),
  timeoutMs: z.number().int(),
  maxResponseBytes: z.number().int(),
  updatedAt: z.iso.datetime(),
});
export type StoredConnector = z.infer<typeof StoredConnectorSchema>;

/** What the API shows of a connector: no secret, no secret name. */
export const ConnectorViewSchema = z
  .object({
    name: ConnectorNameSchema,
    kind: z.enum(['mcp', 'http']),
    description: z.string().optional(),
    url: z.string(),
    auth: z.discriminatedUnion('type', [
      z.object({ type: z.literal('none') }),
      z.object({ type: z.literal('api_key'), header: z.string(), scheme: z.enum(['bearer', 'raw']) }),
      z.object({ ...OAuthUserShape, scopes: z.array(z.string()), confidentialClient: z.boolean() }),
    ]),
    tools: z.array(
      z.object({
        name: z.string(),
        /** The name the agent sees: `<connector>__<tool>`. */
        agentToolName: z.string(),
        description: z.string(),
        roles: z.array(RoleSchema),
        requiresApproval: z.boolean(),
        sideEffects: z.boolean(),
      }),
    ),
    timeoutMs: z.number().int(),
    maxResponseBytes: z.number().int(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'ConnectorView', description: 'A connector as the API shows it: never a secret' });
export type ConnectorView = z.infer<typeof ConnectorViewSchema>;

function authView(auth: StoredAuth): ConnectorView['auth'] {
  switch (auth.type) {
    case 'none':
      return auth;
    case 'api_key':
      return { type: 'api_key', header: auth.header, scheme: auth.scheme };
    case 'oauth_user': {
      const { secretName, ...shown } = auth;
      return { ...shown, confidentialClient: secretName !== undefined };
    }
  }
}

export function viewOf(connector: StoredConnector): ConnectorView {
  const { auth, discovered, operations: _operations, tools, ...rest } = connector;
  return {
    ...rest,
    auth: authView(auth),
    tools: tools.map((tool) => {
      const spec = discovered.find((candidate) => candidate.name === tool.name);
      return {
        name: tool.name,
        agentToolName: namespacedToolName(connector.name, tool.name),
        description: spec?.description ?? '',
        roles: tool.roles,
        requiresApproval: tool.requiresApproval ?? false,
        sideEffects: spec?.sideEffects ?? true,
      };
    }),
  };
}

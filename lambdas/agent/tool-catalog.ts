/**
 * The agent's tools and the per-role catalog. `catalogFor` filters BEFORE the
 * model sees anything; the tool runner checks the role again on execution.
 */
import * as z from 'zod';
import { mayTake } from '../authorization/action-table.js';
import { DEFAULT_SEARCH_TOP_K, DocumentIdSchema, MAX_SEARCH_TOP_K } from '../documents/document-library.js';
import { FactTextSchema } from '../memory/long-term-memory.js';
import { hasAnyRole, type RequestContext } from '../tenancy/request-context.js';
import { type AgentSettings, NO_AGENT_SETTINGS, settingsAllowTool } from './agent-settings.js';
import type { ToolSpecification } from './converse-model.js';
import { toJsonValue } from './json-value.js';
import { type AgentTool, zodInput } from './tool.js';

const MAX_RECALLED_FACTS = 20;

const searchDocuments: AgentTool<{ query: string; topK?: number | undefined }> = {
  name: 'search_documents',
  sideEffects: false,
  description:
    'Semantic search over the documents the user may read. Returns matching passages with their document id, title and chunk number.',
  action: 'documents.search',
  ...zodInput(
    z
      .object({
        query: z.string().trim().min(1).max(1000).describe('What to look for'),
        topK: z.number().int().min(1).max(MAX_SEARCH_TOP_K).optional().describe('How many passages'),
      })
      .strict(),
  ),
  async run(_context, input, services) {
    const matches = await services.documents.search(input.query, input.topK ?? DEFAULT_SEARCH_TOP_K);
    return {
      data: toJsonValue({ matches }),
      citations: matches.map(({ documentId, title, chunk }) => ({ documentId, title, chunk })),
    };
  },
};

const recall: AgentTool<{ query?: string | undefined }> = {
  name: 'recall',
  sideEffects: false,
  description: 'Recalls facts the user asked you to remember, optionally only those matching some words.',
  action: 'memory.read',
  ...zodInput(
    z
      .object({ query: z.string().trim().max(200).optional().describe('Words the facts should contain') })
      .strict(),
  ),
  async run(_context, input, services) {
    const words = (input.query ?? '').toLowerCase().split(/\s+/).filter(Boolean);
    const facts = (await services.memory.list())
      .filter((fact) => words.length === 0 || words.some((word) => fact.fact.toLowerCase().includes(word)))
      .slice(-MAX_RECALLED_FACTS)
      .map(({ fact, createdAt }) => ({ fact, createdAt }));
    return { data: toJsonValue({ facts }) };
  },
};

const remember: AgentTool<{ fact: string }> = {
  name: 'remember',
  sideEffects: true,
  description: 'Stores a short fact about the user for later conversations.',
  action: 'memory.write',
  ...zodInput(z.object({ fact: FactTextSchema.describe('The fact to remember') }).strict()),
  async run(_context, input, services) {
    const stored = await services.memory.remember(input.fact);
    return { data: toJsonValue({ remembered: stored.fact, id: stored.id }) };
  },
};

const getMyUsage: AgentTool<Record<string, never>> = {
  name: 'get_my_usage',
  sideEffects: false,
  description: "The user's model usage this month: tokens, model calls, requests and cost in USD.",
  action: 'usage.read',
  ...zodInput(z.object({}).strict()),
  async run(_context, _input, services) {
    return { data: toJsonValue(await services.usage.current()) };
  },
};

const deleteDocument: AgentTool<{ documentId: string }> = {
  name: 'delete_document',
  sideEffects: true,
  description:
    'Deletes one document by its id: the user’s own private ones, or (admins only) a tenant-visible one.',
  action: 'documents.delete.private',
  ...zodInput(z.object({ documentId: DocumentIdSchema.describe('The document id') }).strict()),
  async run(_context, input, services) {
    await services.documents.delete(input.documentId);
    return { data: toJsonValue({ deleted: input.documentId }) };
  },
};

/** Every built-in tool (a request's tools are these plus its tenant's connector tools). */
export const TOOLS: ReadonlyArray<AgentTool<unknown>> = [
  searchDocuments,
  recall,
  remember,
  getMyUsage,
  deleteDocument,
];

/** The tools the caller's roles allow, in catalog order. */
export function catalogFor(
  context: Pick<RequestContext, 'tenantId' | 'roles'>,
  settings: AgentSettings = NO_AGENT_SETTINGS,
  tools: ReadonlyArray<AgentTool<unknown>> = TOOLS,
): ReadonlyArray<AgentTool<unknown>> {
  return tools.filter((tool) => mayOffer(context, settings, tool));
}

/**
 * The authorization table first, then what the tenant narrowed: its settings for a built-in
 * tool, its connector's role map for a connector tool.
 */
export function mayOffer(
  context: Pick<RequestContext, 'tenantId' | 'roles'>,
  settings: AgentSettings,
  tool: AgentTool<unknown>,
): boolean {
  return (
    mayTake(context, tool.action) &&
    settingsAllowTool(settings, context, tool.name) &&
    (tool.roles === undefined || hasAnyRole(context, tool.roles))
  );
}

/** Converse tool specifications for a catalog. */
export function toolSpecifications(catalog: ReadonlyArray<AgentTool<unknown>>): ToolSpecification[] {
  return catalog.map((tool) => ({
    toolSpec: { name: tool.name, description: tool.description, inputSchema: { json: tool.inputJsonSchema } },
  }));
}

/**
 * Per-tenant agent settings, set by the tenant's admins: instructions added
 * to the system prompt, built-in tools switched off, a role → tool map, a
 * lower step limit, and the chat model among those the platform grants. Settings can only NARROW what the authorization table
 * allows — a tool the caller's roles may not use stays refused whatever the
 * map says. They are tenant data: stored in the tenant-shared partition
 * (`<tenant>#t#agent-settings`) through the tenant session.
 */
import * as z from 'zod';
import type { DataAudit } from '../audit/request-audit.js';
import { hasAnyRole, type RequestContext, RoleSchema } from '../tenancy/request-context.js';
import type { ItemAddress, ScopedTable } from '../tenancy/scoped-table.js';
import { ModelNotAllowedError } from './errors.js';

export const BUILT_IN_TOOL_NAMES = [
  'search_documents',
  'recall',
  'remember',
  'get_my_usage',
  'delete_document',
] as const;
export const BuiltInToolNameSchema = z.enum(BUILT_IN_TOOL_NAMES);
export type BuiltInToolName = z.infer<typeof BuiltInToolNameSchema>;

export const MAX_INSTRUCTIONS_LENGTH = 2000;
/** Model calls per chat turn, unless a tenant asks for fewer. */
export const DEFAULT_MAX_STEPS = 6;
const TenantRoleSchema = RoleSchema.exclude(['operator']);

export const AgentSettingsSchema = z
  .object({
    /** Added to the platform's system prompt, after it (it cannot replace the platform's rules). */
    instructions: z.string().trim().min(1).max(MAX_INSTRUCTIONS_LENGTH).optional(),
    /** Built-in tools the tenant's agent never offers. */
    disabledTools: z.array(BuiltInToolNameSchema).max(BUILT_IN_TOOL_NAMES.length).optional(),
    /** Per tool, the roles that may use it (within what the authorization table allows). */
    toolRoles: z.partialRecord(BuiltInToolNameSchema, z.array(TenantRoleSchema).max(3)).optional(),
    /** Model calls per chat turn, at most the platform's limit. */
    maxSteps: z.number().int().min(1).max(DEFAULT_MAX_STEPS).optional(),
    /** The tenant's chat model, among those the platform grants (checked when set, and again when used). */
    modelId: z.string().trim().min(1).max(128).optional(),
  })
  .strict()
  .meta({
    id: 'AgentSettings',
    description: 'The tenant’s agent settings; they only narrow what the roles allow',
  });
export type AgentSettings = z.infer<typeof AgentSettingsSchema>;

/** The settings of a tenant that has set none. */
export const NO_AGENT_SETTINGS: AgentSettings = Object.freeze({});

export const AGENT_SETTINGS_COLLECTION = 'agent-settings';
const SETTINGS_ADDRESS: ItemAddress = {
  visibility: 'tenant',
  collection: AGENT_SETTINGS_COLLECTION,
  sk: 'current',
};

/** True when the tenant's settings let this caller use the tool (the authorization table decides first). */
export function settingsAllowTool(
  settings: AgentSettings,
  context: Pick<RequestContext, 'roles'>,
  toolName: string,
): boolean {
  const name = BuiltInToolNameSchema.safeParse(toolName);
  if (!name.success) return true;
  if (settings.disabledTools?.includes(name.data)) return false;
  const roles = settings.toolRoles?.[name.data];
  return roles === undefined || hasAnyRole(context, roles);
}

/** The tenant's agent settings, read and written through the tenant session. */
export class AgentSettingsStore {
  constructor(private readonly table: Pick<ScopedTable, 'get' | 'put'>) {}

  /** The stored settings, or none. */
  async get(): Promise<AgentSettings> {
    const item = await this.table.get(SETTINGS_ADDRESS);
    if (item === undefined) return NO_AGENT_SETTINGS;
    const { settings } = item.attributes;
    return AgentSettingsSchema.parse(typeof settings === 'string' ? JSON.parse(settings) : {});
  }

  /** Replaces the settings (audited, fail closed); a model the platform does not grant is refused (422). */
  async replace(
    settings: AgentSettings,
    audit: DataAudit,
    allowedModelIds: readonly string[],
  ): Promise<AgentSettings> {
    const valid = AgentSettingsSchema.parse(settings);
    if (valid.modelId !== undefined && !allowedModelIds.includes(valid.modelId))
      throw new ModelNotAllowedError(allowedModelIds);
    await audit.write({ kind: 'admin_action', action: 'agent.settings', resource: 'agent-settings' }, () =>
      this.table.put(SETTINGS_ADDRESS, { settings: JSON.stringify(valid) }),
    );
    return valid;
  }
}

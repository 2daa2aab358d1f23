/**
 * THE authorization table: every action a caller can take, on any path — a
 * REST route, the streaming chat, or an agent tool — and the roles that may
 * take it. Routes declare their action (checked by the request pipeline before
 * the body is read), tools declare theirs (the catalog and the tool runner
 * read it), and the domain checks the visibility-specific actions (a
 * tenant-visible document needs more than a private one) through the same
 * table, so the two paths cannot disagree (STYLE 21).
 *
 * Deny by default: a caller with no role holds no action. Workspace actions
 * touch a tenant's own data; the built-in platform tenant has no workspace
 * (no vector index, no documents), so its operators are refused those with a
 * 403 and use the `/v1/admin` routes instead.
 */
import {
  hasAnyRole,
  PLATFORM_TENANT_ID,
  type RequestContext,
  type Role,
} from '../tenancy/request-context.js';
import { ActionRefusedError } from './errors.js';

const TENANT_ROLES: readonly Role[] = ['reader', 'analyst', 'admin'];
const EVERY_ROLE: readonly Role[] = ['reader', 'analyst', 'admin', 'operator'];

interface ActionRule {
  /** Roles that may take the action. */
  readonly roles: readonly Role[];
  /** The action reads or changes a tenant's workspace data (refused in the platform tenant). */
  readonly workspace: boolean;
}

const workspace = (roles: readonly Role[]): ActionRule => ({ roles, workspace: true });
const platform = (roles: readonly Role[]): ActionRule => ({ roles, workspace: false });

export const ACTION_TABLE = {
  'identity.read': platform(EVERY_ROLE),
  'chat.converse': workspace(TENANT_ROLES),
  'sessions.read': workspace(TENANT_ROLES),
  'sessions.delete': workspace(TENANT_ROLES),
  'memory.read': workspace(TENANT_ROLES),
  'memory.write': workspace(TENANT_ROLES),
  'memory.delete': workspace(TENANT_ROLES),
  'documents.read': workspace(TENANT_ROLES),
  'documents.search': workspace(TENANT_ROLES),
  /** Private documents: the caller's own. */
  'documents.write.private': workspace(TENANT_ROLES),
  'documents.delete.private': workspace(TENANT_ROLES),
  /** Tenant-visible documents: everyone in the tenant reads them, so fewer may change them. */
  'documents.write.tenant': workspace(['analyst', 'admin']),
  'documents.delete.tenant': workspace(['admin']),
  'usage.read': workspace(['analyst', 'admin']),
  'audit.read': workspace(['admin']),
  'costs.read': workspace(['admin']),
  'approvals.read': workspace(TENANT_ROLES),
  'approvals.decide': workspace(TENANT_ROLES),
  /** Registering, listing, changing and removing the tenant's connectors. */
  'connectors.manage': workspace(['admin']),
  /** Calling a connector's tool (each tool further narrowed by the connector's role map). */
  'connectors.use': workspace(TENANT_ROLES),
  /** The caller's own delegated connections (per-user OAuth): connect, list, revoke. */
  'connections.read': workspace(TENANT_ROLES),
  /** A copy of everything the platform keeps for the caller (GDPR article 20). */
  'data.export': workspace(TENANT_ROLES),
  'connections.manage': workspace(TENANT_ROLES),
  'agent.settings.read': workspace(['admin']),
  'agent.settings.write': workspace(['admin']),
  'tenants.manage': platform(['operator']),
  'platform.costs.read': platform(['operator']),
  /** A tenant admin only in their own tenant and only tenant roles (checked by the route). */
  'roles.assign': platform(['operator', 'admin']),
  /** Listing a tenant's users and their assigned roles: a tenant admin only in their own tenant. */
  'users.list': platform(['operator', 'admin']),
  /** Erasing or exporting one user (GDPR articles 17, 20): a tenant admin only in their own tenant (checked by the route). */
  'users.erase': platform(['operator', 'admin']),
  'users.export': platform(['operator', 'admin']),
} as const satisfies Record<string, ActionRule>;

export type Action = keyof typeof ACTION_TABLE;

export const ACTIONS = Object.keys(ACTION_TABLE) as readonly string[];

/** Why a caller may not take an action, or undefined when they may. */
export function refusalOf(
  context: Pick<RequestContext, 'tenantId' | 'roles'>,
  action: Action,
): string | undefined {
  const rule: ActionRule = ACTION_TABLE[action];
  if (rule.workspace && context.tenantId === PLATFORM_TENANT_ID)
    return 'the platform tenant has no workspace; operators use the /v1/admin routes';
  if (!hasAnyRole(context, rule.roles)) return `${action} needs one of the roles ${rule.roles.join(', ')}`;
  return undefined;
}

/** True when the caller may take the action. */
export function mayTake(context: Pick<RequestContext, 'tenantId' | 'roles'>, action: Action): boolean {
  return refusalOf(context, action) === undefined;
}

/**
 * Throws ActionRefusedError (403) unless the caller may take the action — on `tenantId`, when the
 * route names a tenant (see OWN_TENANT_ADMIN_ACTIONS).
 */
export function authorizeAction(
  context: Pick<RequestContext, 'tenantId' | 'roles'>,
  action: Action,
  tenantId?: string,
): void {
  const refusal =
    tenantId === undefined ? refusalOf(context, action) : refusalOnTenant(context, action, tenantId);
  if (refusal !== undefined) throw new ActionRefusedError(refusal);
}

/** Actions a tenant admin may take only on their own tenant (an operator on any): the route names the tenant. */
export const OWN_TENANT_ADMIN_ACTIONS: readonly Action[] = [
  'roles.assign',
  'users.list',
  'users.erase',
  'users.export',
];

/** Why a caller may not take an action on a named tenant, or undefined when they may. */
export function refusalOnTenant(
  context: Pick<RequestContext, 'tenantId' | 'roles'>,
  action: Action,
  tenantId: string,
): string | undefined {
  const refusal = refusalOf(context, action);
  if (
    refusal !== undefined ||
    hasAnyRole(context, ['operator']) ||
    !OWN_TENANT_ADMIN_ACTIONS.includes(action)
  )
    return refusal;
  return context.tenantId === tenantId
    ? undefined
    : `a tenant admin may take ${action} only in their own tenant`;
}

/** The roles that may take an action (for documentation and the tool catalog's description). */
export function rolesFor(action: Action): readonly Role[] {
  return ACTION_TABLE[action].roles;
}

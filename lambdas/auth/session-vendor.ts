/**
 * The authorizer's half of session vending: for a verified identity whose tenant is active and
 * not held by a move, the tenant session (from the authorizer's own cache or STS) as authorizer
 * context. Vending is an optimisation, never a condition of access: when it cannot vend (tenant
 * unknown, suspended or moving, STS or the registry failing) it returns no session and the
 * functions assume the role themselves, deciding the request as they always do.
 */
import type { TenantDirectory } from '../registry/tenant-directory.js';
import { isHeld } from '../registry/tenant-record.js';
import type { TenantSessions } from '../tenancy/tenant-session.js';
import type { Identity } from './token-verifier.js';
import { vendedSessionContext } from './vended-session.js';

export interface SessionVendorOptions {
  readonly directory: Pick<TenantDirectory, 'tenant'>;
  readonly sessions: Pick<TenantSessions, 'sessionFor'>;
  tenantTag(tenantId: string): Promise<string>;
  /** Told why nothing was vended when something failed (the identity is still allowed). */
  onFailure(err: unknown): void;
}

export class SessionVendor {
  constructor(private readonly options: SessionVendorOptions) {}

  /** Context entries carrying the identity's tenant session, or none. */
  async contextFor(identity: Identity): Promise<Record<string, string>> {
    try {
      const tenant = await this.options.directory.tenant(identity.tenantId);
      if (tenant === undefined || tenant.status !== 'active' || isHeld(tenant)) return {};
      const session = await this.options.sessions.sessionFor({
        tenantId: identity.tenantId,
        userId: identity.userId,
        tenantTag: await this.options.tenantTag(identity.tenantId),
      });
      return vendedSessionContext(session);
    } catch (err) {
      this.options.onFailure(err);
      return {};
    }
  }
}

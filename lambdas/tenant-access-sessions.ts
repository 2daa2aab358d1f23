/**
 * The tenant access role's session cache, as every function that issues tenant sessions builds it
 * (the HTTP functions and the token authorizer, which vends them): each new session records its
 * user in the tenant's member directory, which tenant erasure reads instead of scanning.
 */
import { dataPlaneOf, type TenantAccessConfig } from './config.js';
import { recordMember } from './privacy/tenant-members.js';
import type { Placement } from './tenancy/key-layout.js';
import { ScopedTable } from './tenancy/scoped-table.js';
import type { SessionClientFactory } from './tenancy/session-clients.js';
import { type TenantSession, TenantSessions, type TenantSessionsOptions } from './tenancy/tenant-session.js';

export interface TenantAccessSessionsOptions {
  readonly sts: TenantSessionsOptions['sts'];
  readonly clients: SessionClientFactory;
  placementOf(tenantId: string): Promise<Placement>;
  /** @default true; unit tests that count a request's exact commands turn it off */
  readonly recordMembers?: boolean;
  /** @default DEFAULT_REFRESH_BEFORE_EXPIRY_MS */
  readonly refreshBeforeExpiryMs?: number;
}

export function tenantAccessSessions(
  config: TenantAccessConfig,
  options: TenantAccessSessionsOptions,
): TenantSessions {
  return new TenantSessions({
    sts: options.sts,
    roleArn: config.tenantRoleArn,
    placementOf: options.placementOf,
    durationSeconds: config.tenantSessionSeconds,
    clients: options.clients,
    ...(options.refreshBeforeExpiryMs === undefined
      ? {}
      : { refreshBeforeExpiryMs: options.refreshBeforeExpiryMs }),
    ...(options.recordMembers === false
      ? {}
      : {
          onCreated: (session: TenantSession) =>
            recordMember(
              ScopedTable.of(session, dataPlaneOf(config, session).tableName),
              session.owner.userId,
            ),
        }),
  });
}

/**
 * The sessions a scheduled job assumes (the digester's audit writer, the erasure job's eraser, the
 * placement job's mover): one role, the job's own STS client, SDK session clients, and each
 * tenant's placement read consistently from the registry (a job acts on tenants outside the
 * request path's cache).
 */
import { STSClient } from '@aws-sdk/client-sts';
import { traced } from '../observability/aws-client-tracing.js';
import type { TenantRegistry } from '../registry/tenant-registry.js';
import { sdkSessionClients } from '../tenancy/session-clients.js';
import { TenantSessions } from '../tenancy/tenant-session.js';

export function jobSessions(
  roleArn: string,
  durationSeconds: number,
  registry: Pick<TenantRegistry, 'placementOf'>,
): TenantSessions {
  return new TenantSessions({
    sts: traced(new STSClient({})),
    roleArn,
    durationSeconds,
    clients: sdkSessionClients,
    placementOf: (tenantId) => registry.placementOf(tenantId),
  });
}

/**
 * The platform operators' own tenant. The control API refuses callers whose tenant is not
 * active, so operators need one registry record before they can onboard anyone; in AWS a
 * deploy-time step writes it. Locally it is written the same way the control function
 * writes records: with the control function's own credentials, through the front door.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { TenantExistsError } from '../lambdas/registry/errors.js';
import { TenantRegistry } from '../lambdas/registry/tenant-registry.js';
import type { Credentials } from './front-door/principals.js';

export const OPERATOR_TENANT_ID = 'platform';

export async function ensureOperatorTenant(
  endpoint: string,
  region: string,
  controlCredentials: Credentials,
  controlTableName: string,
): Promise<void> {
  const client = new DynamoDBClient({ endpoint, region, credentials: controlCredentials });
  try {
    await new TenantRegistry(client, controlTableName).createTenant({
      tenantId: OPERATOR_TENANT_ID,
      name: 'Platform operators',
      tier: 'enterprise',
      status: 'active',
      createdAt: new Date().toISOString(),
    });
  } catch (err) {
    // A persisted registry already has it.
    if (!(err instanceof TenantExistsError)) throw err;
  } finally {
    client.destroy();
  }
}

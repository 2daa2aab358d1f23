/**
 * Lambda entry of the API Gateway TOKEN authorizer. Any failure to verify is API Gateway's 401
 * contract: throw `Error('Unauthorized')`; the reason is logged. A verified identity is allowed
 * with its tenant session vended in the context (docs/sessions.md), or without one when none can
 * be vended — the functions then assume the role themselves.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { STSClient } from '@aws-sdk/client-sts';
import type { APIGatewayAuthorizerResult, APIGatewayTokenAuthorizerEvent } from 'aws-lambda';
import { allowPolicy, bearerToken } from '../auth/authorizer-policy.js';
import { SessionVendor } from '../auth/session-vendor.js';
import { createTokenVerifier, remoteKeys } from '../auth/token-verifier.js';
import { readAuthorizerConfig } from '../config.js';
import { traced } from '../observability/aws-client-tracing.js';
import { describeError, jsonLogger } from '../observability/logger.js';
import { TenantDirectory } from '../registry/tenant-directory.js';
import { placementOf } from '../registry/tenant-record.js';
import { TenantRegistry } from '../registry/tenant-registry.js';
import { tenantTagFor } from '../tenancy/request-context.js';
import { sdkSessionClients } from '../tenancy/session-clients.js';
import { DEFAULT_REFRESH_BEFORE_EXPIRY_MS } from '../tenancy/tenant-session.js';
import { tenantTagKeyLoader } from '../tenancy/tenant-tag-key.js';
import { tenantAccessSessions } from '../tenant-access-sessions.js';

const config = readAuthorizerConfig();
const verifyToken = createTokenVerifier({
  issuer: config.issuer,
  audience: config.audience,
  keys: remoteKeys(config.jwksUrl),
  claims: config.claims,
});
const directory = new TenantDirectory(
  new TenantRegistry(traced(new DynamoDBClient({})), config.vending.controlTableName),
);
const tagKey = tenantTagKeyLoader(traced(new SecretsManagerClient({})), config.vending.tenantTagSecretArn);
const vendor = new SessionVendor({
  directory,
  sessions: tenantAccessSessions(config.vending, {
    sts: traced(new STSClient({})),
    clients: sdkSessionClients,
    placementOf: async (tenantId) => placementOf(await directory.tenant(tenantId)),
    // A vended session must outlive API Gateway's cache entry, and then the functions' refresh window.
    refreshBeforeExpiryMs: config.cacheSeconds * 1000 + DEFAULT_REFRESH_BEFORE_EXPIRY_MS,
  }),
  tenantTag: async (tenantId) => tenantTagFor(tenantId, await tagKey()),
  onFailure: (err) => jsonLogger.error('no session vended', describeError(err)),
});

export async function handler(event: APIGatewayTokenAuthorizerEvent): Promise<APIGatewayAuthorizerResult> {
  try {
    const identity = await verifyToken(bearerToken(event.authorizationToken));
    // Never throws: a session that cannot be vended is left to the functions.
    return allowPolicy(identity, event.methodArn, await vendor.contextFor(identity));
  } catch (err) {
    jsonLogger.info('token refused', describeError(err));
    throw new Error('Unauthorized');
  }
}

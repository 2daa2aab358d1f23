/**
 * Lambda entry of the API Gateway TOKEN authorizer. Any failure is API
 * Gateway's 401 contract: throw `Error('Unauthorized')`; the reason is logged.
 */
import type { APIGatewayAuthorizerResult, APIGatewayTokenAuthorizerEvent } from 'aws-lambda';
import { allowPolicy, bearerToken } from '../auth/authorizer-policy.js';
import { createTokenVerifier, remoteKeys } from '../auth/token-verifier.js';
import { readAuthorizerConfig } from '../config.js';
import { describeError, jsonLogger } from '../observability/logger.js';

const config = readAuthorizerConfig();
const verifyToken = createTokenVerifier({
  issuer: config.issuer,
  audience: config.audience,
  keys: remoteKeys(config.jwksUrl),
});

export async function handler(event: APIGatewayTokenAuthorizerEvent): Promise<APIGatewayAuthorizerResult> {
  try {
    const identity = await verifyToken(bearerToken(event.authorizationToken));
    return allowPolicy(identity, event.methodArn);
  } catch (err) {
    jsonLogger.info('token refused', describeError(err));
    throw new Error('Unauthorized');
  }
}

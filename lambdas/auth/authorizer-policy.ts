/**
 * The API Gateway TOKEN authorizer's answer: an Allow policy for the whole
 * stage (API Gateway caches the answer per token, so it must cover every
 * route the token may call) and the identity as the context the functions
 * read back in `requestContext.authorizer`.
 */
import type { APIGatewayAuthorizerResult } from 'aws-lambda';
import { InvalidTokenError } from './errors.js';
import type { Identity } from './token-verifier.js';

/** `arn:aws:execute-api:<region>:<account>:<apiId>/<stage>/<METHOD>/<path>` → `.../<apiId>/<stage>/*`. */
export function stageWildcardArn(methodArn: string): string {
  const [apiArn, stage] = methodArn.split('/');
  if (apiArn === undefined || stage === undefined || stage.length === 0 || !apiArn.startsWith('arn:')) {
    throw new InvalidTokenError('method ARN is malformed');
  }
  return `${apiArn}/${stage}/*`;
}

/** The bearer token of an `Authorization` header value. */
export function bearerToken(authorization: string | undefined): string {
  const match = /^Bearer\s+(\S+)$/i.exec(authorization?.trim() ?? '');
  if (match?.[1] === undefined) throw new InvalidTokenError('authorization header is not a bearer token');
  return match[1];
}

/**
 * The authorizer's `principalId`. API Gateway logs and traces it, so it is not
 * the user id: the identity travels only in the context the functions read.
 */
export const AUTHORIZED_PRINCIPAL = 'bulkhead-caller';

/**
 * The context key of the verified tenant id (API Gateway exposes it as
 * `context.authorizer.tenantId`; the silo API maps it to `X-Amz-Tenant-Id`).
 */
export const TENANT_ID_CONTEXT_KEY = 'tenantId';

/**
 * The Allow answer for a verified identity, with the token's expiry (API Gateway's cache may
 * outlive the token; the functions refuse it after `tokenExpiresAt`) and any vended session.
 */
export function allowPolicy(
  identity: Identity,
  methodArn: string,
  vendedSession: Record<string, string> = {},
): APIGatewayAuthorizerResult {
  return {
    principalId: AUTHORIZED_PRINCIPAL,
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: stageWildcardArn(methodArn) }],
    },
    context: {
      [TENANT_ID_CONTEXT_KEY]: identity.tenantId,
      userId: identity.userId,
      roles: identity.roles.join(','),
      tokenExpiresAt: String(identity.expiresAt),
      ...vendedSession,
    },
  };
}

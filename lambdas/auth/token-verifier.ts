/**
 * Verifies bearer tokens and turns their claims into an identity.
 *
 * Signature via the issuer's JWKS (RS256/ES256 only, so `none` and HMAC
 * tokens are refused whatever key they name), plus issuer, audience and a
 * required, unexpired `exp`. Which claims carry the user id, the tenant id and
 * the groups is configurable (claim-names.ts; Cognito's by default); groups that
 * are not platform roles are ignored.
 */
import { createRemoteJWKSet, type JWTPayload, type JWTVerifyGetKey, jwtVerify } from 'jose';
import * as z from 'zod';
import { TenantIdSchema, UserIdSchema } from '../tenancy/key-layout.js';
import { type Role, RoleSchema } from '../tenancy/request-context.js';
import { type ClaimNames, DEFAULT_CLAIM_NAMES, GroupsClaimSchema } from './claim-names.js';
import { InvalidTokenError } from './errors.js';

export const ALLOWED_ALGORITHMS = ['RS256', 'ES256'];

export interface Identity {
  readonly tenantId: string;
  readonly userId: string;
  readonly roles: readonly Role[];
  /** The token's `exp` (seconds since the epoch): nothing may accept the identity after it. */
  readonly expiresAt: number;
}

export interface TokenVerifierOptions {
  readonly issuer: string;
  readonly audience: string;
  /** Key lookup; build it once (e.g. `createRemoteJWKSet`) so keys are cached across invocations. */
  readonly keys: JWTVerifyGetKey;
  /** Which claims carry the user, the tenant and the groups. @default DEFAULT_CLAIM_NAMES */
  readonly claims?: ClaimNames;
}

const ClaimsSchema = z.object({
  user: UserIdSchema,
  tenant: TenantIdSchema,
  groups: GroupsClaimSchema.optional(),
  exp: z.number().int().positive(),
});

/** The identity carried by verified claims; throws InvalidTokenError when they are unusable. */
export function identityFromClaims(payload: JWTPayload, claims: ClaimNames = DEFAULT_CLAIM_NAMES): Identity {
  const result = ClaimsSchema.safeParse({
    user: payload[claims.user],
    tenant: payload[claims.tenant],
    groups: payload[claims.groups],
    exp: payload.exp,
  });
  if (!result.success)
    throw new InvalidTokenError('token claims are not a valid identity', { cause: result.error });
  const groups = result.data.groups ?? [];
  const roles = [...new Set(groups.flatMap((group) => RoleSchema.safeParse(group).data ?? []))];
  return {
    tenantId: result.data.tenant,
    userId: result.data.user,
    roles,
    expiresAt: result.data.exp,
  };
}

export type TokenVerifier = (token: string) => Promise<Identity>;

/** A verifier bound to one issuer, audience and key set. */
export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  return async (token) => {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, options.keys, {
        issuer: options.issuer,
        audience: options.audience,
        algorithms: ALLOWED_ALGORITHMS,
        requiredClaims: ['exp'],
      }));
    } catch (err) {
      throw new InvalidTokenError('token verification failed', { cause: err });
    }
    return identityFromClaims(payload, options.claims);
  };
}

/** The issuer's JWKS, fetched on demand and cached by jose for the life of the execution environment. */
export function remoteKeys(jwksUrl: string): JWTVerifyGetKey {
  return createRemoteJWKSet(new URL(jwksUrl));
}

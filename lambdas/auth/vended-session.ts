/**
 * A tenant session vended by the token authorizer, as it travels in the authorizer's context.
 *
 * The authorizer assumes the tenant access role once per token (tagged with the verified tenant,
 * user and the tenant's placement) and API Gateway caches its answer per token, so every function
 * in every execution environment receives the same credentials for the cache's lifetime instead
 * of calling STS itself (docs/sessions.md). The context is written only by the authorizer and read
 * only by the functions; a missing or malformed session is not an error — the function then
 * assumes the role itself.
 */
import * as z from 'zod';
import { type Placement, PlacementSchema } from '../tenancy/key-layout.js';
import type { SessionCredentials } from '../tenancy/session-clients.js';
import type { TenantSession } from '../tenancy/tenant-session.js';

/** API Gateway passes context values as strings (numbers may arrive as either). */
const VendedSessionContextSchema = z.object({
  sessionAccessKeyId: z.string().min(16).max(128),
  sessionSecretAccessKey: z.string().min(1).max(256),
  sessionToken: z.string().min(1).max(8192),
  /** Seconds since the epoch. */
  sessionExpiresAt: z.coerce.number().int().positive(),
  sessionPlacement: PlacementSchema,
});

export interface VendedSession {
  readonly placement: Placement;
  readonly credentials: SessionCredentials;
}

/** The context entries that carry `session` to the functions. */
export function vendedSessionContext(session: TenantSession): Record<string, string> {
  const { credentials } = session;
  return {
    sessionAccessKeyId: credentials.accessKeyId,
    sessionSecretAccessKey: credentials.secretAccessKey,
    sessionToken: credentials.sessionToken,
    sessionExpiresAt: String(Math.floor(credentials.expiration.getTime() / 1000)),
    sessionPlacement: session.placement,
  };
}

/** The session in an authorizer context, or undefined when it carries none (or a malformed one). */
export function vendedSessionOf(authorizerContext: unknown): VendedSession | undefined {
  const parsed = VendedSessionContextSchema.safeParse(authorizerContext);
  if (!parsed.success) return undefined;
  return {
    placement: parsed.data.sessionPlacement,
    credentials: {
      accessKeyId: parsed.data.sessionAccessKeyId,
      secretAccessKey: parsed.data.sessionSecretAccessKey,
      sessionToken: parsed.data.sessionToken,
      expiration: new Date(parsed.data.sessionExpiresAt * 1000),
    },
  };
}

/**
 * Which token claims carry the user id, the tenant id and the groups (the roles). Cognito's names
 * are the default; an external IdP names them as it likes (`uid`, `org_id`, `roles`, ...), so the
 * deployment says which (`bulkhead:claims`, passed to the authorizer as `JWT_CLAIMS`).
 */
import * as z from 'zod';

/** Top-level claim names only (no nested paths): printable, no spaces, at most 256 characters. */
export const ClaimNameSchema = z
  .string()
  .regex(/^[\x21-\x7e]{1,256}$/, 'a claim name is 1 to 256 printable characters without spaces');

/** The three names, each on its own (the settings accept any subset of them). */
export const ClaimNamesShape = z
  .object({ user: ClaimNameSchema, tenant: ClaimNameSchema, groups: ClaimNameSchema })
  .strict();

export const ClaimNamesSchema = ClaimNamesShape.refine(
  (names) => new Set([names.user, names.tenant, names.groups]).size === 3,
  {
    error: 'the user, tenant and groups claims must be three different claims',
  },
);

export type ClaimNames = z.infer<typeof ClaimNamesSchema>;

/** Cognito ID tokens: `sub`, the `custom:tenantId` attribute and `cognito:groups`. */
export const DEFAULT_CLAIM_NAMES: ClaimNames = Object.freeze({
  user: 'sub',
  tenant: 'custom:tenantId',
  groups: 'cognito:groups',
});

/**
 * The groups claim as a list: a JSON array of strings (Cognito, Okta, Entra ID), or one string of
 * names separated by commas (each trimmed), as some IdPs emit roles. Never split on spaces: a
 * group named "Former operator team" is one group (no role), not `operator`. Anything else is
 * not a groups claim.
 */
export const GroupsClaimSchema = z.union([
  z.array(z.string()),
  z.string().transform((names) =>
    names
      .split(',')
      .map((name) => name.trim())
      .filter((name) => name.length > 0),
  ),
]);

/** The `bulkhead:claims` setting as given: any subset of the names, as an object or its JSON text. */
export function parseClaimsSetting(raw: unknown): z.ZodSafeParseResult<Partial<ClaimNames>> {
  let value: unknown = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch {
      value = raw;
    }
  }
  return ClaimNamesShape.partial().safeParse(value);
}

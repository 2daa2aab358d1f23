/** The tenant registry's records: what a tenant is (tier, status, budgets) and who holds which roles. */
import * as z from 'zod';
import { RetentionOverridesSchema } from '../privacy/retention.js';
import { type Placement, PlacementSchema, TenantIdSchema, UserIdSchema } from '../tenancy/key-layout.js';
import { RoleSchema, TierSchema } from '../tenancy/request-context.js';

/** `offboarding`: refused like `suspended`, and erased once its grace period ends (unless cancelled). */
export const TENANT_STATUSES = ['active', 'suspended', 'offboarding'] as const;
export const TenantStatusSchema = z.enum(TENANT_STATUSES);
export type TenantStatus = z.infer<typeof TenantStatusSchema>;

export const TenantNameSchema = z.string().trim().min(1).max(200);

/**
 * The largest values a tenant's settings accept. Budgets are counted in
 * integer nano-USD per counter shard, so the ceiling keeps every amount, sum
 * and per-shard allowance an exact integer (well below 2^53, see the tests).
 */
export const SETTINGS_LIMITS = Object.freeze({
  monthlyBudgetUsd: 1_000_000,
  monthlyTokenBudget: 1_000_000_000_000,
  perMinute: 10_000_000,
  tokensPerMinute: 10_000_000_000,
  inFlight: 1_000_000,
});

/** Admission limits that replace the tier's defaults (each one separately); see docs/admission.md. */
export const RateLimitOverridesSchema = z.object({
  perUserPerMinute: z.number().int().min(1).max(SETTINGS_LIMITS.perMinute).optional(),
  perTenantPerMinute: z.number().int().min(1).max(SETTINGS_LIMITS.perMinute).optional(),
  tokensPerUserPerMinute: z
    .number()
    .int()
    .min(1)
    .max(SETTINGS_LIMITS.tokensPerMinute)
    .optional()
    .describe("model tokens (input + output) per minute for each of the tenant's users"),
  tokensPerTenantPerMinute: z
    .number()
    .int()
    .min(1)
    .max(SETTINGS_LIMITS.tokensPerMinute)
    .optional()
    .describe('model tokens (input + output) per minute for the whole tenant'),
  inFlightPerTenant: z
    .number()
    .int()
    .min(1)
    .max(SETTINGS_LIMITS.inFlight)
    .optional()
    .describe("the tenant's requests in flight at once, across every execution environment"),
});

/** What an operator may set on a tenant; absent fields fall back to the tier's defaults and the platform's model. */
export const TenantSettingsSchema = z.object({
  monthlyBudgetUsd: z.number().nonnegative().max(SETTINGS_LIMITS.monthlyBudgetUsd).optional(),
  monthlyTokenBudget: z.number().int().nonnegative().max(SETTINGS_LIMITS.monthlyTokenBudget).optional(),
  rateLimits: RateLimitOverridesSchema.optional(),
  modelId: z.string().min(1).optional(),
  /** How long chat history, memory and usage records are kept (each replaces the tier's default). */
  retention: RetentionOverridesSchema.optional(),
});
export type TenantSettings = z.infer<typeof TenantSettingsSchema>;

/**
 * The steps of a move between the pool and a silo, driven by the placement job:
 * - `provisioning`: the silo stack is being created (a move to a silo only);
 * - `holding`: the tenant's requests are held (503) while every function's cached view of the
 *   registry and every request admitted before the hold run out (REGISTRY_SETTLE_SECONDS);
 * - `copying`: still held; items, objects and vectors are copied and verified, then the
 *   placement switches (one conditional write) and the hold ends;
 * - `releasing`: the old copies are erased;
 * - `removing`: the emptied silo's stack is deleted (a move to the pool only).
 */
export const MOVE_PHASES = ['provisioning', 'holding', 'copying', 'releasing', 'removing'] as const;
export const MovePhaseSchema = z.enum(MOVE_PHASES);
export type MovePhase = z.infer<typeof MovePhaseSchema>;

/** What a verified copy held, per kind: how many, and a SHA-256 over all of them in order. */
export const CopyReportSchema = z.object({
  items: z.object({ count: z.number().int().nonnegative(), sha256: z.string() }),
  objects: z.object({ count: z.number().int().nonnegative(), sha256: z.string() }),
  vectors: z.object({ count: z.number().int().nonnegative(), sha256: z.string() }),
});
export type CopyReport = z.infer<typeof CopyReportSchema>;

export const PlacementMoveSchema = z.object({
  to: PlacementSchema,
  phase: MovePhaseSchema,
  requestedAt: z.iso.datetime(),
  /** When the hold began. */
  heldAt: z.iso.datetime().optional(),
  /** The verified copy's counts and checksums (source and destination were equal). */
  copied: CopyReportSchema.optional(),
  /** Why the last step failed (the job retries it on its next run). */
  lastError: z.string().max(500).optional(),
});
export type PlacementMove = z.infer<typeof PlacementMoveSchema>;

export const TenantRecordSchema = z
  .object({
    tenantId: TenantIdSchema,
    name: TenantNameSchema,
    tier: TierSchema,
    status: TenantStatusSchema,
    createdAt: z.iso.datetime(),
    ...TenantSettingsSchema.shape,
    /** Set while offboarding: when it was asked for and when erasure may begin. */
    offboarding: z.object({ requestedAt: z.iso.datetime(), eraseAfter: z.iso.datetime() }).optional(),
    /** Set when erasure has begun: from then on offboarding can no longer be cancelled. */
    erasureStartedAt: z.iso.datetime().optional(),
    /** Where the tenant's data lives now (absent: the pool). */
    placement: PlacementSchema.optional(),
    /** A move between the pool and a silo, while it is under way. */
    move: PlacementMoveSchema.optional(),
    /** The last move that ended: where to, when, and the verified copy's counts and checksums. */
    lastMove: z
      .object({ to: PlacementSchema, finishedAt: z.iso.datetime(), copied: CopyReportSchema.optional() })
      .optional(),
  })
  .meta({
    id: 'TenantRecord',
    description: 'A tenant’s registry record: tier, placement, status and settings',
  });
export type TenantRecord = z.infer<typeof TenantRecordSchema>;

/** Where a tenant's data lives now; a tenant without a record has none anywhere (the pool's rules apply). */
export function placementOf(record: Pick<TenantRecord, 'placement'> | undefined): Placement {
  return record?.placement ?? 'pool';
}

/** True while the tenant's requests are held: its data is being copied between the pool and its silo. */
export function isHeld(record: Pick<TenantRecord, 'move'>): boolean {
  return record.move?.phase === 'holding' || record.move?.phase === 'copying';
}

export const RoleAssignmentSchema = z
  .object({
    tenantId: TenantIdSchema,
    userId: UserIdSchema,
    roles: z.array(RoleSchema),
  })
  .meta({ id: 'RoleAssignment', description: 'A user’s roles in a tenant, overriding the token’s groups' });
export type RoleAssignment = z.infer<typeof RoleAssignmentSchema>;

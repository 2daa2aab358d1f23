/** The tenant registry's records: what a tenant is (tier, status, budgets) and who holds which roles. */
import { z } from 'zod';
import { RetentionOverridesSchema } from '../privacy/retention.js';
import { TenantIdSchema, UserIdSchema } from '../tenancy/key-layout.js';
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
});

/** Per-minute request limits that replace the tier's defaults (each one separately). */
export const RateLimitOverridesSchema = z.object({
  perUserPerMinute: z.number().int().min(1).max(SETTINGS_LIMITS.perMinute).optional(),
  perTenantPerMinute: z.number().int().min(1).max(SETTINGS_LIMITS.perMinute).optional(),
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

export const TenantRecordSchema = z.object({
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
});
export type TenantRecord = z.infer<typeof TenantRecordSchema>;

export const RoleAssignmentSchema = z.object({
  tenantId: TenantIdSchema,
  userId: UserIdSchema,
  roles: z.array(RoleSchema),
});
export type RoleAssignment = z.infer<typeof RoleAssignmentSchema>;

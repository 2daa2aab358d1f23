/**
 * How long a tenant's data is kept: per-tenant settings over tier defaults. Chat history, memory
 * facts and per-call usage records carry a DynamoDB TTL (`expiresAt`, epoch seconds) from the
 * write that stores them (a message and its session from the last message). Documents are
 * expired by the daily retention job instead (document-retention.ts): a document is an object,
 * vectors and a metadata item, and a TTL on the item alone would leave the others behind. Monthly
 * cost totals are aggregates, not records: they stay, so cost reports survive their records.
 */
import * as z from 'zod';
import { TABLE_TTL_ATTRIBUTE } from '../tenancy/key-layout.js';
import type { Tier } from '../tenancy/request-context.js';

const Days = z.number().int().min(1).max(3650);

/** What an operator may set on a tenant (each replaces its tier's default). */
export const RetentionOverridesSchema = z.object({
  chatHistoryDays: Days.optional(),
  memoryDays: Days.optional(),
  usageRecordsDays: Days.optional(),
  documentsDays: Days.optional(),
  auditRecordsDays: Days.optional(),
});
export type RetentionOverrides = z.infer<typeof RetentionOverridesSchema>;
export type Retention = Required<RetentionOverrides>;

export const TIER_RETENTION: Readonly<Record<Tier, Retention>> = Object.freeze({
  basic: {
    chatHistoryDays: 90,
    memoryDays: 365,
    usageRecordsDays: 400,
    documentsDays: 365,
    auditRecordsDays: 400,
  },
  premium: {
    chatHistoryDays: 365,
    memoryDays: 730,
    usageRecordsDays: 730,
    documentsDays: 730,
    auditRecordsDays: 730,
  },
  enterprise: {
    chatHistoryDays: 730,
    memoryDays: 1825,
    usageRecordsDays: 2555,
    documentsDays: 1825,
    auditRecordsDays: 2555,
  },
});

/** The tenant's retention: its tier's defaults, overridden by its own settings. */
export function retentionFor(tenant: {
  readonly tier: Tier;
  readonly retention?: RetentionOverrides;
}): Retention {
  return { ...TIER_RETENTION[tenant.tier], ...tenant.retention };
}

/** The TTL attribute (`expiresAt`, epoch seconds) of an item written at `at` and kept `days` days; none without a retention. */
export function expiryAttribute(at: Date, days: number | undefined): { [TABLE_TTL_ATTRIBUTE]?: number } {
  return days === undefined ? {} : { [TABLE_TTL_ATTRIBUTE]: Math.floor(at.getTime() / 1000) + days * 86_400 };
}

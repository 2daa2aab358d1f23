/**
 * Where admission counts live and what they count: the items (a user's own,
 * a tenant's shards, a tenant's connector calls), the window families kept in
 * them (docs/admission.md), and the TTL that deletes an idle item.
 */
import { TABLE_TTL_ATTRIBUTE } from '../tenancy/key-layout.js';
import type { GuardedUpdate, ItemAddress, PartitionAddress } from '../tenancy/scoped-table.js';
import { MAX_SPAN, type WindowFamily } from './sliding-window.js';

/** Requests and tokens: one-minute windows of six 10-s buckets. */
export const REQUESTS: WindowFamily = { prefix: 'q', bucketMs: 10_000 };
export const TOKENS: WindowFamily = { prefix: 't', bucketMs: 10_000 };
export const MINUTE_SPAN = 6;
/** In-flight leases, in one-minute buckets: a lease stays counted until its request must have ended. */
export const IN_FLIGHT: WindowFamily = { prefix: 'c', bucketMs: 60_000 };
/** The longest lease a request can take (covers the streaming function's 5-minute timeout). */
export const MAX_LEASE_MS = (MAX_SPAN - 1) * IN_FLIGHT.bucketMs;
/** An idle admission item is deleted by DynamoDB's TTL after this long. */
const IDLE_ITEM_SECONDS = 3600;

/** The admission counters' collection (tenant shards, each user's own, connector calls). */
export const ADMISSION_COLLECTION = 'rate';

export function userAdmissionAddress(): ItemAddress {
  return { visibility: 'private', collection: ADMISSION_COLLECTION, sk: 'admission' };
}

/** A shard of the tenant's counters: its own partition (`<tenant>#t#rate#s<N>`). */
export function tenantAdmissionPartition(shard: number): PartitionAddress {
  return { visibility: 'tenant', collection: ADMISSION_COLLECTION, segments: [`s${shard}`] };
}

export function tenantAdmissionAddress(shard: number): ItemAddress {
  return { ...tenantAdmissionPartition(shard), sk: 'admission' };
}

export function connectorCallsAddress(): ItemAddress {
  return { visibility: 'tenant', collection: ADMISSION_COLLECTION, sk: 'connector-calls' };
}

/** The update, also pushing the item's TTL an idle hour past `nowMs`. */
export function withIdleExpiry(nowMs: number, update: GuardedUpdate): GuardedUpdate {
  return {
    ...update,
    set: { ...update.set, [TABLE_TTL_ATTRIBUTE]: Math.floor(nowMs / 1000) + IDLE_ITEM_SECONDS },
  };
}

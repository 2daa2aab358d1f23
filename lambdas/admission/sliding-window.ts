/**
 * Sliding windows kept in one DynamoDB item and checked and counted by ONE
 * conditional UpdateItem, with no read first.
 *
 * Time is cut into buckets; a window is the current bucket and the `span − 1`
 * before it, so nothing counted leaves the window all at once (a fixed window
 * forgets everything at its edge and admits 2× its limit across it). A count
 * is admitted while the window holds less than the limit.
 *
 * DynamoDB's condition language has comparisons but no arithmetic, so the
 * item keeps, per bucket b, two numbers whose comparison IS the check:
 *   count(b)   = (what bucket b counted) − limit      (starts at −limit)
 *   earlier(b) = −(what the span − 1 buckets before b counted)
 * and `count(b) < earlier(b)` ⇔ window total < limit. Counting `n` at bucket
 * b adds n to count(b) and −n to earlier(b+1 … b+span−1): each count is
 * written ahead into the later buckets whose windows it falls in.
 *
 * Attribute names are slots on a ring of RING_SLOTS (> 2 × MAX_SPAN), so the
 * item stays small: every count also clears the slots no current or later
 * window can use. What an idle gap of a ring or more leaves (the last count
 * before it, written ahead) can only hold counts, never credit: a stale slot
 * makes the limiter stricter for a while, never looser.
 */
import type { Comparison, GuardedUpdate } from '../tenancy/scoped-table.js';

/** The most buckets one count may stay in a window. */
export const MAX_SPAN = 6;
const RING_SLOTS = 2 * MAX_SPAN + 1;

/** One counted quantity of an item: its attribute prefix (one per family in the item) and bucket length. */
export interface WindowFamily {
  readonly prefix: string;
  readonly bucketMs: number;
}

/** Where a count was made, so it can be taken back (a release, a refused request's other scope). */
export interface CountedAt {
  readonly bucket: number;
  readonly amount: number;
  readonly span: number;
}

export function bucketOf(family: WindowFamily, nowMs: number): number {
  return Math.floor(nowMs / family.bucketMs);
}

/**
 * Whole seconds (≥ 1) until a full window has room again, if nothing more is
 * counted: the first later bucket whose window — the counts written ahead into
 * `earlier(b)` — holds less than `limit`. The window at `nowMs + span`
 * buckets holds nothing of today's, so the answer is at most one window.
 */
export function secondsUntilRoom(
  family: WindowFamily,
  attributes: Readonly<Record<string, unknown>>,
  nowMs: number,
  limit: number,
): number {
  const bucket = bucketOf(family, nowMs);
  let ahead = 1;
  while (ahead < MAX_SPAN && -numberOr(attributes[earlierAttribute(family, bucket + ahead)], 0) >= limit)
    ahead += 1;
  return Math.max(1, Math.ceil(((bucket + ahead) * family.bucketMs - nowMs) / 1000));
}

function numberOr(value: unknown, absent: number): number {
  return typeof value === 'number' ? value : absent;
}

function slot(bucket: number): number {
  return ((bucket % RING_SLOTS) + RING_SLOTS) % RING_SLOTS;
}

function countAttribute(family: WindowFamily, bucket: number): string {
  return `${family.prefix}${slot(bucket)}`;
}

function earlierAttribute(family: WindowFamily, bucket: number): string {
  return `${family.prefix}${slot(bucket)}e`;
}

/** True while the window at `bucket` holds less than `limit`. */
export function windowBelow(family: WindowFamily, bucket: number, limit: number): Comparison {
  return {
    below: { attribute: countAttribute(family, bucket), absentAs: -limit },
    above: { attribute: earlierAttribute(family, bucket), absentAs: 0 },
  };
}

/** Counts `amount` at `at.bucket` for `at.span` buckets, and clears the slots behind it. */
export function countIn(family: WindowFamily, at: CountedAt, limit: number): GuardedUpdate {
  if (at.span < 1 || at.span > MAX_SPAN) throw new RangeError(`a span is 1–${MAX_SPAN} buckets`);
  const increments: Record<string, { by: number; from?: number }> = {
    [countAttribute(family, at.bucket)]: { by: at.amount, from: -limit },
  };
  for (let ahead = 1; ahead < at.span; ahead += 1)
    increments[earlierAttribute(family, at.bucket + ahead)] = { by: -at.amount };
  // Clear every slot no window from this bucket on can use: counts of every other bucket but the
  // next (a writer whose clock is a moment ahead may be counting there already), and what was
  // written ahead for the buckets behind.
  const remove: string[] = [];
  for (let behind = 1; behind < RING_SLOTS - 1; behind += 1)
    remove.push(countAttribute(family, at.bucket - behind));
  for (let behind = 1; behind <= MAX_SPAN; behind += 1)
    remove.push(earlierAttribute(family, at.bucket - behind));
  return { increments, remove };
}

/**
 * Takes back a count, seen from bucket `nowBucket`: only the buckets whose
 * windows are still current or ahead change (the past is past). Nothing is
 * left to take back once the count's span has passed: the count expired.
 */
export function uncountIn(family: WindowFamily, at: CountedAt, nowBucket: number): GuardedUpdate {
  const increments: Record<string, { by: number }> = {};
  if (nowBucket === at.bucket) increments[countAttribute(family, at.bucket)] = { by: -at.amount };
  for (let bucket = Math.max(at.bucket + 1, nowBucket); bucket < at.bucket + at.span; bucket += 1)
    increments[earlierAttribute(family, bucket)] = { by: at.amount };
  return { increments };
}

/** One update doing all of `updates` (each over its own attributes). */
export function combined(...updates: readonly GuardedUpdate[]): GuardedUpdate {
  return {
    increments: Object.assign({}, ...updates.map((update) => update.increments)),
    remove: updates.flatMap((update) => update.remove ?? []),
    set: Object.assign({}, ...updates.map((update) => update.set ?? {})),
    when: updates.flatMap((update) => update.when ?? []),
  };
}

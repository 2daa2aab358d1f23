/**
 * S3 Object Lock retention rules, per object version: a version under COMPLIANCE retention cannot
 * be deleted, nor its retention shortened or removed, by anyone until its retain-until date has
 * passed; GOVERNANCE retention yields to a request that sets `x-amz-bypass-governance-retention`.
 * Extending a retention is always allowed. New versions (and delete markers) may always be added.
 */
import { invalidArgument, lockedByObjectLock } from './s3-errors.js';

export const RETENTION_MODES = ['COMPLIANCE', 'GOVERNANCE'] as const;
export type RetentionMode = (typeof RETENTION_MODES)[number];

export interface Retention {
  readonly mode: RetentionMode;
  /** Epoch milliseconds. */
  readonly retainUntil: number;
}

/** A bucket's default retention: a mode and a period in days or in years. */
export interface DefaultRetention {
  readonly mode: RetentionMode;
  readonly days?: number;
  readonly years?: number;
}

/** Reads a retention mode as S3 spells it; anything else is InvalidArgument. */
export function retentionMode(value: string): RetentionMode {
  const mode = RETENTION_MODES.find((candidate) => candidate === value);
  if (mode === undefined) throw invalidArgument(`Unknown wormMode directive: ${value}`);
  return mode;
}

/** Reads a retain-until date; it must parse and lie in the future. */
export function retainUntilDate(value: string, now: number): number {
  const retainUntil = Date.parse(value);
  if (Number.isNaN(retainUntil)) throw invalidArgument(`Invalid date: ${value}`);
  if (retainUntil <= now) throw invalidArgument('The retain until date must be in the future!');
  return retainUntil;
}

/** The retention a bucket default gives a version created at `now` (days, or calendar years). */
export function defaultRetentionFrom(rule: DefaultRetention, now: number): Retention {
  const until = new Date(now);
  if (rule.years !== undefined) until.setUTCFullYear(until.getUTCFullYear() + rule.years);
  else until.setUTCDate(until.getUTCDate() + (rule.days ?? 0));
  return { mode: rule.mode, retainUntil: until.getTime() };
}

const isActive = (retention: Retention | undefined, now: number): retention is Retention =>
  retention !== undefined && retention.retainUntil > now;

/** Refuses (403 AccessDenied) the permanent deletion of a version its retention protects. */
export function checkDeletable(
  retention: Retention | undefined,
  now: number,
  bypassGovernance: boolean,
): void {
  if (!isActive(retention, now)) return;
  if (retention.mode === 'GOVERNANCE' && bypassGovernance) return;
  throw lockedByObjectLock();
}

/**
 * Refuses (403 AccessDenied) a retention change the current retention forbids: only a change that
 * keeps the date at least as late, and the mode as strict, is free; GOVERNANCE allows any other
 * change with the bypass header, COMPLIANCE none until it has expired.
 */
export function checkRetentionChange(
  current: Retention | undefined,
  next: Retention | undefined,
  now: number,
  bypassGovernance: boolean,
): void {
  if (!isActive(current, now)) return;
  const strengthens =
    next !== undefined &&
    next.retainUntil >= current.retainUntil &&
    (next.mode === current.mode || next.mode === 'COMPLIANCE');
  if (strengthens) return;
  if (current.mode === 'GOVERNANCE' && bypassGovernance) return;
  throw lockedByObjectLock();
}

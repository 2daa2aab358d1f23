/**
 * Admission of one request (docs/admission.md): requests per minute, model
 * tokens per minute and requests in flight, for the user and the tenant, in
 * ONE round trip — two conditional UpdateItems issued together, one on the
 * user's item, one on a shard of the tenant's. Each checks its sliding
 * windows and counts the request in the same write, or refuses and changes
 * nothing (a refused write still costs its unit, nothing more).
 *
 * The tenant's counters are spread over `rateShardsFor(limits)` items (their
 * own partitions) so no single item takes more than its share of a busy
 * tenant's writes; a request picks one at random and is held to that shard's
 * share of each tenant limit.
 *
 * Both scopes are asked at once, so a request the user's limit refuses may
 * have been counted by the tenant: that count is taken back at once (one
 * more write, only then), so a user at their own limit does not spend the
 * tenant's allowance. A request the tenant refuses stays counted for its
 * user, as it was when the two were asked one after the other.
 *
 * Tokens are checked at admission (refused once the window's are used up)
 * and counted after each model call with what it used; the in-flight slot is
 * a lease that runs out on its own after the request's longest possible
 * life, so a request that dies without releasing it holds it for minutes,
 * not forever.
 */
import type { ClientError } from '../error-families.js';
import type { GuardrailTable } from '../guardrails/guardrail-table.js';
import type { Comparison, GuardedUpdate, ItemAddress } from '../tenancy/scoped-table.js';
import { comparisonHolds } from '../tenancy/update-expression.js';
import {
  IN_FLIGHT,
  MAX_LEASE_MS,
  MINUTE_SPAN,
  REQUESTS,
  TOKENS,
  tenantAdmissionAddress,
  userAdmissionAddress,
  withIdleExpiry,
} from './admission-items.js';
import { InFlightLimitedError, RateLimitedError, TokenRateLimitedError } from './errors.js';
import {
  bucketOf,
  type CountedAt,
  combined,
  countIn,
  MAX_SPAN,
  secondsUntilRoom,
  uncountIn,
  windowBelow,
} from './sliding-window.js';
import { type RateLimits, rateShardsFor, shardAllowance } from './tier-limits.js';

/** The buckets a lease of `leaseMs` must stay counted in (it may start at the end of its first). */
function leaseSpan(leaseMs: number): number {
  return Math.min(MAX_SPAN, Math.ceil(Math.min(leaseMs, MAX_LEASE_MS) / IN_FLIGHT.bucketMs) + 1);
}

export interface RequestAdmissionOptions {
  /** @default Date.now */
  readonly now?: () => number;
  /** Picks the tenant shard. @default Math.random */
  readonly random?: () => number;
}

/** A limit's check and the error that names it (from the item that failed it). */
interface Check {
  readonly holds: Comparison;
  readonly refusal: (item: Readonly<Record<string, unknown>>) => ClientError;
}

/** A scope's checks, at least one. */
type Checks = readonly [Check, ...Check[]];

type AdmissionTable = Pick<GuardrailTable, 'updateIf'>;

export class RequestAdmission {
  readonly #now: () => number;
  readonly #random: () => number;

  constructor(
    private readonly table: AdmissionTable,
    options: RequestAdmissionOptions = {},
  ) {
    this.#now = options.now ?? Date.now;
    this.#random = options.random ?? Math.random;
  }

  /**
   * Admits one request that may run for `leaseMs`, or throws RateLimitedError,
   * TokenRateLimitedError or InFlightLimitedError (429 with Retry-After).
   */
  async admit(limits: RateLimits, leaseMs: number): Promise<AdmissionTicket> {
    const now = this.#now();
    const shards = rateShardsFor(limits);
    const shard = Math.min(shards - 1, Math.floor(this.#random() * shards));
    const share = (limit: number) => shardAllowance(limit, shards, shard);
    const request: CountedAt = { bucket: bucketOf(REQUESTS, now), amount: 1, span: MINUTE_SPAN };
    const lease: CountedAt = { bucket: bucketOf(IN_FLIGHT, now), amount: 1, span: leaseSpan(leaseMs) };
    const tokens = bucketOf(TOKENS, now);
    const rate = (scope: 'user' | 'tenant', limit: number): Check => ({
      holds: windowBelow(REQUESTS, request.bucket, limit),
      refusal: (item) => new RateLimitedError(scope, secondsUntilRoom(REQUESTS, item, now, limit)),
    });
    const tokenRate = (scope: 'user' | 'tenant', limit: number): Check => ({
      holds: windowBelow(TOKENS, tokens, limit),
      refusal: (item) => new TokenRateLimitedError(scope, secondsUntilRoom(TOKENS, item, now, limit)),
    });
    const userChecks: Checks = [
      rate('user', limits.userPerMinute),
      tokenRate('user', limits.userTokensPerMinute),
    ];
    const tenantChecks: Checks = [
      rate('tenant', share(limits.tenantPerMinute)),
      tokenRate('tenant', share(limits.tenantTokensPerMinute)),
      {
        holds: windowBelow(IN_FLIGHT, lease.bucket, share(limits.tenantInFlight)),
        refusal: () => new InFlightLimitedError(),
      },
    ];
    const userAddress = userAdmissionAddress();
    const tenantAddress = tenantAdmissionAddress(shard);
    const [userWrite, tenantWrite] = await Promise.allSettled([
      this.table.updateIf(
        userAddress,
        guarded(now, userChecks, countIn(REQUESTS, request, limits.userPerMinute)),
      ),
      this.table.updateIf(
        tenantAddress,
        guarded(
          now,
          tenantChecks,
          countIn(REQUESTS, request, share(limits.tenantPerMinute)),
          countIn(IN_FLIGHT, lease, share(limits.tenantInFlight)),
        ),
      ),
    ]);
    const tenantCounted = tenantWrite.status === 'fulfilled' && tenantWrite.value.applied;
    if (userWrite.status === 'fulfilled' && userWrite.value.applied && tenantCounted)
      return new AdmissionTicket(this.table, this.#now, {
        userTokensPerMinute: limits.userTokensPerMinute,
        tenantTokensPerMinute: share(limits.tenantTokensPerMinute),
        tenantAddress,
        lease,
      });
    // The user's limit refused (or its write failed on) a request the tenant counted: take it back,
    // so a user at their own limit spends none of the tenant's allowance and no slot stays held.
    // (A request the tenant refuses stays counted for its user, who was asking too: that keeps the
    // refusal a flood meets at two writes.)
    if (tenantCounted) await this.#takeBack(tenantAddress, request, lease);
    if (userWrite.status === 'rejected') throw userWrite.reason;
    if (tenantWrite.status === 'rejected') throw tenantWrite.reason;
    const [user, tenant] = [userWrite.value, tenantWrite.value];
    throw user.applied ? refusalOf(tenantChecks, tenant.attributes) : refusalOf(userChecks, user.attributes);
  }

  /**
   * Uncounts a request (and its slot) the tenant shard counted but that will not run. Best effort:
   * when it fails, the request's refusal (or fault) still stands and the lease frees the slot.
   */
  async #takeBack(tenantAddress: ItemAddress, request: CountedAt, lease: CountedAt): Promise<void> {
    const later = this.#now();
    await this.table
      .updateIf(
        tenantAddress,
        combined(
          uncountIn(REQUESTS, request, bucketOf(REQUESTS, later)),
          uncountIn(IN_FLIGHT, lease, bucketOf(IN_FLIGHT, later)),
        ),
      )
      .catch(() => undefined);
  }
}

/** What a ticket needs to count tokens and release its slot. */
interface TicketScope {
  readonly userTokensPerMinute: number;
  /** The tenant shard's share. */
  readonly tenantTokensPerMinute: number;
  readonly tenantAddress: ItemAddress;
  readonly lease: CountedAt;
}

/** An admitted request: counts its model calls' tokens and frees its in-flight slot. */
export class AdmissionTicket {
  #released = false;

  constructor(
    private readonly table: AdmissionTable,
    private readonly now: () => number,
    private readonly scope: TicketScope,
  ) {}

  /**
   * Counts a model call's tokens for the user and the tenant, the two writes
   * at once; the request's `last` call also frees its in-flight slot in the
   * tenant's write (so the slot costs no write of its own).
   */
  async countTokens(tokens: number, { last }: { last: boolean }): Promise<void> {
    const now = this.now();
    const at: CountedAt = { bucket: bucketOf(TOKENS, now), amount: tokens, span: MINUTE_SPAN };
    const release = last ? this.#takeRelease(now) : undefined;
    const tenantParts = [
      ...(tokens > 0 ? [countIn(TOKENS, at, this.scope.tenantTokensPerMinute)] : []),
      ...(release === undefined ? [] : [release]),
    ];
    await Promise.all([
      tokens > 0
        ? this.table.updateIf(
            userAdmissionAddress(),
            withIdleExpiry(now, countIn(TOKENS, at, this.scope.userTokensPerMinute)),
          )
        : undefined,
      tenantParts.length > 0
        ? this.table.updateIf(this.scope.tenantAddress, withIdleExpiry(now, combined(...tenantParts)))
        : undefined,
    ]);
  }

  /** Frees the in-flight slot, unless the last model call already did (then no write). */
  async release(): Promise<void> {
    const release = this.#takeRelease(this.now());
    if (release !== undefined) await this.table.updateIf(this.scope.tenantAddress, release);
  }

  /** The slot's release, once: undefined when it was taken already or its lease has run out. */
  #takeRelease(now: number): GuardedUpdate | undefined {
    if (this.#released) return undefined;
    this.#released = true;
    const release = uncountIn(IN_FLIGHT, this.scope.lease, bucketOf(IN_FLIGHT, now));
    return Object.keys(release.increments).length === 0 ? undefined : release;
  }
}

function guarded(
  nowMs: number,
  checks: readonly Check[],
  ...counts: readonly GuardedUpdate[]
): GuardedUpdate {
  return withIdleExpiry(nowMs, { ...combined(...counts), when: checks.map((check) => check.holds) });
}

/** The error of the first check the refusing item fails. */
function refusalOf(checks: Checks, attributes: Readonly<Record<string, unknown>>): ClientError {
  // DynamoDB refused on exactly these attributes (ALL_OLD), so one of the checks fails on them.
  return (checks.find((check) => !comparisonHolds(check.holds, attributes)) ?? checks[0]).refusal(attributes);
}

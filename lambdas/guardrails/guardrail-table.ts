/**
 * The narrow table interface the guard rails (metering, budgets, rate limits,
 * audit) are written against. It is ScopedTable's read side plus two writes
 * ScopedTable does not have yet: a conditional ADD ("add, unless a ceiling
 * would be passed") and a transaction that may also add to counters and swap
 * attributes on an expected value. Addresses are the same scoped addresses as
 * ScopedTable's, so no caller can express another tenant's partition.
 */
import type { Attributes, ItemAddress, ScopedItem, ScopedTable } from '../tenancy/scoped-table.js';

/** Adds to numeric attributes (absent counts as 0); refuses when any `atMost` ceiling would be passed. */
export interface CounterUpdate {
  readonly address: ItemAddress;
  readonly add: Readonly<Record<string, number>>;
  /** Upper bounds for the attributes' values after the addition. */
  readonly atMost?: Readonly<Record<string, number>>;
  /** Plain attributes set in the same write (e.g. a TTL). */
  readonly set?: Attributes;
}

/** The value an attribute must hold for a swap to apply; `null` means "absent". */
export type ExpectedValue = string | number | null;

export type GuardedWrite =
  | {
      readonly kind: 'put';
      readonly address: ItemAddress;
      readonly attributes: Attributes;
      readonly ifNotExists?: boolean;
    }
  | { readonly kind: 'delete'; readonly address: ItemAddress; readonly mustExist?: boolean }
  | ({ readonly kind: 'add' } & CounterUpdate)
  | {
      readonly kind: 'swap';
      readonly address: ItemAddress;
      readonly set: Attributes;
      readonly expect: Readonly<Record<string, ExpectedValue>>;
    };

export interface GuardrailTable extends Pick<ScopedTable, 'get' | 'batchGet' | 'query'> {
  /** One conditional counter update; undefined when a ceiling refused it. */
  addWithin(update: CounterUpdate): Promise<ScopedItem | undefined>;
  /**
   * Applies all writes or none; false when any condition failed. Throws
   * TransactionConflictError when a concurrent transaction got in the way.
   */
  transactGuarded(writes: readonly GuardedWrite[]): Promise<boolean>;
}

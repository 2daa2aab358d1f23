/**
 * The narrow table interface the guard rails (metering, budgets, rate limits,
 * audit) are written against: ScopedTable's reads, its conditional counter
 * (`addWithin`), its guarded updates (`updateIf`) and its transactions (which may add to counters and swap
 * attributes on an expected value). Addresses are ScopedTable's scoped
 * addresses, so no caller can express another tenant's partition.
 */
import type { ScopedTable } from '../tenancy/scoped-table.js';

export type {
  CounterUpdate,
  ExpectedValue,
  TransactWriteOperation as GuardedWrite,
} from '../tenancy/scoped-table.js';

export type GuardrailTable = Pick<
  ScopedTable,
  'get' | 'batchGet' | 'query' | 'addWithin' | 'updateIf' | 'transactWrite'
>;

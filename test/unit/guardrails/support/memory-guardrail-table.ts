/**
 * An in-memory GuardrailTable that behaves like DynamoDB where the guard
 * rails depend on it: every operation first yields (as a network round trip
 * would, so concurrent callers interleave), then checks its conditions and
 * applies atomically. Keys are built with the real key layout. Failures can be
 * injected before or after a transaction commits (an ambiguous outcome).
 */

import type {
  CounterUpdate,
  GuardedWrite,
  GuardrailTable,
} from '../../../../lambdas/guardrails/guardrail-table.js';
import { type KeyOwner, partitionKey } from '../../../../lambdas/tenancy/key-layout.js';
import type {
  ItemAddress,
  PartitionAddress,
  QueryOptions,
  QueryPage,
  ScopedItem,
} from '../../../../lambdas/tenancy/scoped-table.js';
import {
  cursorAfter,
  type GuardedOutcome,
  type GuardedUpdate,
} from '../../../../lambdas/tenancy/scoped-table.js';
import { comparisonHolds } from '../../../../lambdas/tenancy/update-expression.js';

type Item = Record<string, unknown>;

export class MemoryGuardrailTable implements GuardrailTable {
  /** Transactions attempted (committed or not). */
  transactions = 0;
  #failures: Array<{ readonly error: Error; readonly afterCommit: boolean }> = [];
  #counterFailures: Error[] = [];
  #guardedFailures: Array<{ readonly visibility: ItemAddress['visibility']; readonly error: Error }> = [];

  /** `items` (by pk, then sk) may be shared with another owner's view: one table, two sessions. */
  constructor(
    readonly owner: KeyOwner,
    readonly items = new Map<string, Map<string, Item>>(),
  ) {}

  /** The next transactions throw `error`; with `afterCommit`, they apply first (the caller cannot tell). */
  failTransactions(count: number, error: Error, afterCommit = false): void {
    for (let i = 0; i < count; i += 1) this.#failures.push({ error, afterCommit });
  }

  /** The next counter updates (`addWithin`) throw `error` without applying. */
  failCounterUpdates(count: number, error: Error): void {
    for (let i = 0; i < count; i += 1) this.#counterFailures.push(error);
  }

  /** The next guarded updates (`updateIf`) of a `visibility` partition throw `error` without applying. */
  failGuardedUpdates(visibility: ItemAddress['visibility'], count: number, error: Error): void {
    for (let i = 0; i < count; i += 1) this.#guardedFailures.push({ visibility, error });
  }

  pk(address: PartitionAddress): string {
    return partitionKey(this.owner, address.visibility, address.collection, ...(address.segments ?? []));
  }

  /** The stored item at an address, with its pk/sk, or undefined. */
  itemAt(address: ItemAddress): Item | undefined {
    return this.items.get(this.pk(address))?.get(address.sk);
  }

  /** Overwrites an item (for tamper tests). */
  overwrite(address: ItemAddress, attributes: Item): void {
    this.#partition(this.pk(address)).set(address.sk, {
      ...attributes,
      pk: this.pk(address),
      sk: address.sk,
    });
  }

  /** Removes an item (as TTL or a tamperer would). */
  remove(address: ItemAddress): void {
    this.items.get(this.pk(address))?.delete(address.sk);
  }

  async get(address: ItemAddress): Promise<ScopedItem | undefined> {
    await roundTrip();
    const item = this.itemAt(address);
    return item === undefined ? undefined : scoped(item);
  }

  async batchGet(addresses: readonly ItemAddress[]) {
    await roundTrip();
    return addresses.flatMap((address) => {
      const item = this.itemAt(address);
      return item === undefined ? [] : [{ address, attributes: scoped(item).attributes }];
    });
  }

  async query(partition: PartitionAddress, options: QueryOptions = {}): Promise<QueryPage> {
    await roundTrip();
    const prefix = options.skBeginsWith ?? '';
    let sks = [...(this.items.get(this.pk(partition))?.keys() ?? [])]
      .filter((sk) => sk.startsWith(prefix))
      .sort();
    if (options.newestFirst) sks.reverse();
    // Cursors as ScopedTable makes them: the last sort key read, encoded (`cursorAfter`).
    const after =
      options.cursor === undefined ? undefined : Buffer.from(options.cursor, 'base64url').toString('utf8');
    if (after !== undefined) sks = sks.filter((sk) => (options.newestFirst ? sk < after : sk > after));
    const page = sks.slice(0, options.limit ?? sks.length);
    const partitionItems = this.items.get(this.pk(partition));
    const items = page.flatMap((sk) => {
      const item = partitionItems?.get(sk);
      return item === undefined ? [] : [scoped(item)];
    });
    const last = page.at(-1);
    return page.length < sks.length && last !== undefined ? { items, cursor: cursorAfter(last) } : { items };
  }

  async addWithin(update: CounterUpdate): Promise<ScopedItem | undefined> {
    await roundTrip();
    const failure = this.#counterFailures.shift();
    if (failure !== undefined) throw failure;
    if (!this.#counterAllows(update)) return undefined;
    return scoped(this.#applyCounter(update));
  }

  /** Guarded updates made (applied or refused): each is one UpdateItem. */
  guardedUpdates = 0;

  async updateIf(address: ItemAddress, update: GuardedUpdate): Promise<GuardedOutcome> {
    await roundTrip();
    this.guardedUpdates += 1;
    const failure = this.#guardedFailures.findIndex((f) => f.visibility === address.visibility);
    if (failure >= 0) throw this.#guardedFailures.splice(failure, 1)[0]?.error;
    const { pk: _pk, sk: _sk, ...before } = this.itemAt(address) ?? {};
    if (!(update.when ?? []).every((comparison) => comparisonHolds(comparison, before)))
      return { applied: false, attributes: before };
    const after: Item = { ...before, ...update.set };
    for (const attribute of update.remove ?? []) delete after[attribute];
    for (const [attribute, { by, from = 0 }] of Object.entries(update.increments)) {
      const current = before[attribute];
      after[attribute] = (typeof current === 'number' ? current : from) + by;
    }
    this.#partition(this.pk(address)).set(address.sk, { ...after, pk: this.pk(address), sk: address.sk });
    return { applied: true, attributes: after };
  }

  async transactWrite(writes: readonly GuardedWrite[]): Promise<boolean> {
    await roundTrip();
    this.transactions += 1;
    const failure = this.#failures.shift();
    if (failure !== undefined && !failure.afterCommit) throw failure.error;
    const allowed = writes.every((write) => this.#allows(write));
    if (allowed) for (const write of writes) this.#apply(write);
    if (failure !== undefined) throw failure.error;
    return allowed;
  }

  #allows(write: GuardedWrite): boolean {
    const existing = this.itemAt(write.address);
    switch (write.kind) {
      case 'put':
        return !write.ifNotExists || existing === undefined;
      case 'delete':
        return !write.mustExist || existing !== undefined;
      case 'conditionCheck':
        return write.exists === (existing !== undefined);
      case 'add':
        return this.#counterAllows(write);
      case 'swap':
        return Object.entries(write.expect).every(([name, expected]) =>
          expected === null ? existing?.[name] === undefined : existing?.[name] === expected,
        );
    }
  }

  #apply(write: GuardedWrite): void {
    const pk = this.pk(write.address);
    switch (write.kind) {
      case 'put':
        this.#partition(pk).set(write.address.sk, { ...write.attributes, pk, sk: write.address.sk });
        return;
      case 'delete':
        this.items.get(pk)?.delete(write.address.sk);
        return;
      case 'conditionCheck':
        return;
      case 'add':
        this.#applyCounter(write);
        return;
      case 'swap': {
        const item = this.itemAt(write.address) ?? { pk, sk: write.address.sk };
        this.#partition(pk).set(write.address.sk, { ...item, ...write.set });
        return;
      }
    }
  }

  #counterAllows(update: CounterUpdate): boolean {
    const existing = this.itemAt(update.address);
    return Object.entries(update.atMost ?? {}).every(
      ([name, ceiling]) => Number(existing?.[name] ?? 0) + (update.add[name] ?? 0) <= ceiling,
    );
  }

  #applyCounter(update: CounterUpdate): Item {
    const pk = this.pk(update.address);
    const item: Item = { ...(this.itemAt(update.address) ?? { pk, sk: update.address.sk }), ...update.set };
    for (const [name, increment] of Object.entries(update.add))
      item[name] = Number(item[name] ?? 0) + increment;
    this.#partition(pk).set(update.address.sk, item);
    return item;
  }

  #partition(pk: string): Map<string, Item> {
    const partition = this.items.get(pk) ?? new Map<string, Item>();
    this.items.set(pk, partition);
    return partition;
  }
}

function roundTrip(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function scoped(item: Item): ScopedItem {
  const { pk: _pk, sk, ...attributes } = item;
  return { sk: String(sk), attributes };
}

/** A transient DynamoDB failure as the SDK would throw it. */
export function throttled(): Error {
  return Object.assign(new Error('Rate of requests exceeds the allowed throughput'), {
    name: 'ThrottlingException',
  });
}

/**
 * A user's long-term memory: short facts the agent may recall, stored
 * user-private (`<tenantId>#u#<userId>#memory`), so only their owner's
 * session can read or delete them.
 */
import { randomUUID } from 'node:crypto';
import * as z from 'zod';
import type { DataAudit } from '../audit/request-audit.js';
import { expiryAttribute } from '../privacy/retention.js';
import type { ItemAddress, ScopedTable } from '../tenancy/scoped-table.js';
import { FactNotFoundError } from './errors.js';

export const MAX_FACT_LENGTH = 2000;
export const FactTextSchema = z.string().trim().min(1).max(MAX_FACT_LENGTH);

export const MEMORY_COLLECTION = 'memory';
const FACT_SK_PREFIX = 'fact#';
const FactIdSchema = z.uuid();
const StoredFactSchema = z.object({ fact: z.string(), createdAt: z.string() });

export const MemoryFactSchema = z
  .object({ id: z.string(), fact: z.string(), createdAt: z.iso.datetime() })
  .meta({ id: 'MemoryFact', description: 'A fact the agent remembers for the caller' });
export type MemoryFact = z.infer<typeof MemoryFactSchema>;

export interface LongTermMemoryOptions {
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** @default randomUUID */
  readonly newId?: () => string;
  /** Days a fact is kept (DynamoDB TTL). @default kept */
  readonly retentionDays?: number;
}

function factAddress(id: string): ItemAddress {
  return { visibility: 'private', collection: MEMORY_COLLECTION, sk: `${FACT_SK_PREFIX}${id}` };
}

export class LongTermMemory {
  readonly #now: () => Date;
  readonly #newId: () => string;
  readonly #retentionDays: number | undefined;

  constructor(
    private readonly table: Pick<ScopedTable, 'put' | 'query' | 'delete'>,
    /** Remembering and forgetting are audited (fail closed). */
    private readonly audit: DataAudit,
    options: LongTermMemoryOptions = {},
  ) {
    this.#now = options.now ?? (() => new Date());
    this.#newId = options.newId ?? randomUUID;
    this.#retentionDays = options.retentionDays;
  }

  /** All of the caller's facts, oldest first. */
  async list(): Promise<MemoryFact[]> {
    const facts: MemoryFact[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.table.query(
        { visibility: 'private', collection: MEMORY_COLLECTION },
        { skBeginsWith: FACT_SK_PREFIX, ...(cursor === undefined ? {} : { cursor }) },
      );
      for (const item of page.items) {
        const stored = StoredFactSchema.parse(item.attributes);
        facts.push({ id: item.sk.slice(FACT_SK_PREFIX.length), ...stored });
      }
      cursor = page.cursor;
    } while (cursor !== undefined);
    return facts.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  /** Stores a new fact. */
  async remember(text: string): Promise<MemoryFact> {
    const now = this.#now();
    const fact = {
      id: this.#newId(),
      fact: FactTextSchema.parse(text),
      createdAt: now.toISOString(),
    };
    await this.audit.write(
      { kind: 'data_write', action: 'memory.remember', resource: `fact/${fact.id}` },
      () =>
        this.table.put(factAddress(fact.id), {
          fact: fact.fact,
          createdAt: fact.createdAt,
          ...expiryAttribute(now, this.#retentionDays),
        }),
    );
    return fact;
  }

  /** Deletes one of the caller's facts; throws FactNotFoundError when there is no such fact. */
  async forget(id: string): Promise<void> {
    // An id that cannot be a fact id names no fact of the caller's: same answer as a missing one.
    if (!FactIdSchema.safeParse(id).success) throw new FactNotFoundError();
    await this.audit.write(
      { kind: 'data_delete', action: 'memory.forget', resource: `fact/${id}` },
      async () => {
        const deleted = await this.table.delete(factAddress(id), { mustExist: true });
        if (!deleted) throw new FactNotFoundError();
      },
    );
  }
}

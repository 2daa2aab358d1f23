/** Reading a whole partition (or the part of it under a sort key prefix), page by page. */
import type { PartitionAddress, QueryOptions, ScopedItem, ScopedTable } from './scoped-table.js';

/** Every item of a partition, optionally only those whose sort key starts with `skBeginsWith`. */
export async function itemsOf(
  table: Pick<ScopedTable, 'query'>,
  partition: PartitionAddress,
  options: Pick<QueryOptions, 'skBeginsWith'> = {},
): Promise<ScopedItem[]> {
  const items: ScopedItem[] = [];
  let cursor: string | undefined;
  do {
    const page = await table.query(partition, cursor === undefined ? options : { ...options, cursor });
    items.push(...page.items);
    cursor = page.cursor;
  } while (cursor !== undefined);
  return items;
}

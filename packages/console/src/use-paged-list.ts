/**
 * A list the API answers a page at a time (`{ <items>, cursor }`, cursor absent on the last page):
 * the first page when the view opens (and again when `deps` change), the next ones when the person
 * asks for more. Later pages belong to the first page they follow — the API's cursor is bound to
 * the query — so a new first page (other deps, or `reload()`) starts over, and a page that answers
 * after that is dropped instead of being appended to the new list. `reload()` brings back as many
 * pages as were loaded, so the person keeps their place.
 */
import type { BulkheadClient } from '@bulkhead/client';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ApiRefusal } from './api-error.js';
import { type Answer, useApiAction, useApiData } from './use-api.js';

export interface PagedList<Item> {
  /** Undefined until the first page is in. */
  readonly items: readonly Item[] | undefined;
  readonly refusal: ApiRefusal | undefined;
  /** There is a next page. */
  readonly more: boolean;
  readonly busy: boolean;
  loadMore(): Promise<void>;
  /** From the first page again, as far as the list had been loaded. */
  reload(): void;
}

interface LaterPages<Page, Item> {
  /** The first page these follow. */
  readonly after: Page;
  readonly items: readonly Item[];
  readonly cursor: string | undefined;
  readonly pages: number;
}

const sameDeps = (a: readonly unknown[], b: readonly unknown[]) =>
  a.length === b.length && a.every((value, index) => Object.is(value, b[index]));

export function usePagedList<Page extends { readonly cursor?: string }, Item>(
  load: (api: BulkheadClient, cursor: string | undefined) => Promise<Answer<Page>>,
  itemsOf: (page: Page) => readonly Item[],
  deps: readonly unknown[],
): PagedList<Item> {
  const first = useApiData((api) => load(api, undefined), deps);
  const next = useApiAction();
  const [later, setLater] = useState<LaterPages<Page, Item>>();
  const more = first.data !== undefined && later?.after === first.data ? later : undefined;
  const cursor = more === undefined ? first.data?.cursor : more.cursor;
  const loaded = 1 + (more?.pages ?? 0);
  // The first page shown now, for a page that answers later to check it still follows it.
  const current = useRef(first.data);
  current.current = first.data;
  // How many pages `reload()` brings back, for the deps it was called with.
  const [wanted, setWanted] = useState({ deps, pages: 1 });
  const pagesWanted = sameDeps(wanted.deps, deps) ? wanted.pages : 1;

  const loadMore = async () => {
    const after = first.data;
    if (after === undefined || cursor === undefined) return;
    const done = await next.run((api) => load(api, cursor));
    const page = done?.data;
    if (page === undefined || current.current !== after) return;
    setLater((before) => {
      const kept = before?.after === after ? before : undefined;
      return {
        after,
        items: [...(kept?.items ?? []), ...itemsOf(page)],
        cursor: page.cursor,
        pages: (kept?.pages ?? 0) + 1,
      };
    });
  };

  // After a reload, follow the cursor again up to the pages the list had.
  useEffect(() => {
    if (first.data !== undefined && loaded < pagesWanted && cursor !== undefined && !next.busy)
      void loadMore();
  }, [first.data, loaded, pagesWanted, cursor, next.busy]);

  return {
    items: first.data === undefined ? undefined : [...itemsOf(first.data), ...(more?.items ?? [])],
    refusal: first.refusal ?? next.refusal,
    more: cursor !== undefined,
    busy: next.busy,
    loadMore,
    reload() {
      setWanted({ deps, pages: loaded });
      first.reload();
    },
  };
}

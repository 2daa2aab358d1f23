/**
 * A list the API answers a page at a time (`{ <items>, cursor }`, cursor absent on the last page):
 * the first page when the view opens, the next ones when the person asks for more.
 */
import type { BulkheadClient } from '@bulkhead/client';
import { useState } from 'preact/hooks';
import type { ApiRefusal } from '../api-error.js';
import { type Answer, useApiAction, useApiData } from '../use-api.js';

export interface PagedList<Item> {
  /** Undefined until the first page is in. */
  readonly items: readonly Item[] | undefined;
  readonly refusal: ApiRefusal | undefined;
  /** There is a next page. */
  readonly more: boolean;
  readonly busy: boolean;
  loadMore(): Promise<void>;
  /** From the first page again. */
  reload(): void;
}

export function usePagedList<Page extends { readonly cursor?: string }, Item>(
  load: (api: BulkheadClient, cursor: string | undefined) => Promise<Answer<Page>>,
  itemsOf: (page: Page) => readonly Item[],
  deps: readonly unknown[],
): PagedList<Item> {
  const first = useApiData((api) => load(api, undefined), deps);
  const next = useApiAction();
  const [later, setLater] = useState<{ readonly items: readonly Item[]; readonly cursor?: string }>();
  const cursor = later === undefined ? first.data?.cursor : later.cursor;
  return {
    items: first.data === undefined ? undefined : [...itemsOf(first.data), ...(later?.items ?? [])],
    refusal: first.refusal ?? next.refusal,
    more: cursor !== undefined,
    busy: next.busy,
    async loadMore() {
      if (cursor === undefined) return;
      const done = await next.run((api) => load(api, cursor));
      const page = done?.data;
      if (page !== undefined)
        setLater((before) => ({ items: [...(before?.items ?? []), ...itemsOf(page)], cursor: page.cursor }));
    },
    reload() {
      setLater(undefined);
      first.reload();
    },
  };
}

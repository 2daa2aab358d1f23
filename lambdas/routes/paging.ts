/** Paged listings: the caller's cursor opened and the next one sealed, bound to route, caller and scope. */
import type { AnyEndpoint } from '../http/endpoint.js';
import type { RequestContext } from '../tenancy/request-context.js';
import type { WorkspaceRuntime } from './workspace.js';

export /**
 * One listing's page request: the caller's cursor opened (only one sealed for
 * this route, caller and scope opens), and the page's next position sealed.
 */
async function pageOf(
  runtime: Pick<WorkspaceRuntime, 'pageCursors'>,
  request: { context: RequestContext; query: { limit?: number | undefined; cursor?: string | undefined } },
  listing: AnyEndpoint,
  scope = '',
) {
  const cursors = await runtime.pageCursors();
  const { context, query } = request;
  const binding = {
    route: `${listing.method} ${listing.path}`,
    tenantId: context.tenantId,
    userId: context.userId,
    scope,
  };
  const position = cursors.openOptional(binding, query.cursor);
  return {
    query: {
      ...(query.limit === undefined ? {} : { limit: query.limit }),
      ...(position === undefined ? {} : { cursor: position }),
    },
    sealed: <Page extends { cursor?: string }>({ cursor, ...page }: Page) => {
      const next = cursors.sealOptional(binding, cursor);
      return next === undefined ? page : { ...page, cursor: next };
    },
  };
}

/**
 * One page of a listing held whole and sorted by a unique key: the items after the key `after`,
 * at most `limit`, and the page's last key as the next position when more follow — so items added
 * or removed meanwhile neither repeat nor skip others.
 */
export function pageAfterKey<Item>(
  sorted: readonly Item[],
  keyOf: (item: Item) => string,
  position: { readonly after?: string | undefined; readonly limit: number },
): { items: Item[]; cursor?: string } {
  const { after, limit } = position;
  const rest = after === undefined ? sorted : sorted.filter((item) => keyOf(item) > after);
  const items = rest.slice(0, limit);
  const last = items.at(-1);
  return rest.length > limit && last !== undefined ? { items, cursor: keyOf(last) } : { items };
}

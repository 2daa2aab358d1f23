/**
 * One page of an S3 listing (ListObjectsV2 or ListObjectVersions): entries under a prefix, in key
 * order, with keys that contain the delimiter after the prefix rolled up into CommonPrefixes, each
 * common prefix counting once against max-keys, resuming after the marker the last page ended at.
 */

/** Orders keys as S3 lists them: by their UTF-8 bytes. */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

export interface ListingOptions<T> {
  readonly prefix: string;
  readonly delimiter?: string;
  readonly maxKeys: number;
  /** The key or common prefix a previous page ended at (a common prefix is not listed again). */
  readonly marker?: string;
  /** Whether an entry comes after the marker (each listing has its own notion of position). */
  readonly isAfterMarker: (entry: T) => boolean;
}

export interface ListingPage<T> {
  readonly entries: readonly T[];
  readonly commonPrefixes: readonly string[];
  readonly truncated: boolean;
  /** Where the page ended: the last common prefix (no entry) or the last entry and its key. */
  readonly last?: { readonly key: string; readonly entry?: T };
}

/** Lists one page of `sorted` (already in key order). */
export function listPage<T extends { readonly key: string }>(
  sorted: readonly T[],
  options: ListingOptions<T>,
): ListingPage<T> {
  const { prefix, delimiter, maxKeys, marker } = options;
  const entries: T[] = [];
  const commonPrefixes: string[] = [];
  let last: ListingPage<T>['last'];
  for (const entry of sorted) {
    if (!entry.key.startsWith(prefix) || !options.isAfterMarker(entry)) continue;
    const rolledUp = commonPrefixOf(entry.key, prefix, delimiter);
    // A common prefix is listed once; a page that ended on one resumes after all its keys.
    if (rolledUp !== undefined && (rolledUp === last?.key || rolledUp === marker)) continue;
    // A page of max-keys 0 lists nothing and is not truncated (there is nothing to resume after).
    if (entries.length + commonPrefixes.length >= maxKeys)
      return { entries, commonPrefixes, truncated: maxKeys > 0, last };
    if (rolledUp === undefined) {
      entries.push(entry);
      last = { key: entry.key, entry };
    } else {
      commonPrefixes.push(rolledUp);
      last = { key: rolledUp };
    }
  }
  return { entries, commonPrefixes, truncated: false, last };
}

function commonPrefixOf(key: string, prefix: string, delimiter: string | undefined): string | undefined {
  if (delimiter === undefined || delimiter === '') return undefined;
  const at = key.indexOf(delimiter, prefix.length);
  return at === -1 ? undefined : key.slice(0, at + delimiter.length);
}

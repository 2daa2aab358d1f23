/**
 * Keeps the keyboard's place when the element a person acted on goes away (a row they deleted, an
 * approval they decided): once the list no longer holds the removed item, focus moves to the
 * element that took its place — the next one's button, or the last one's — or, with none left, to
 * a fallback (the table's caption, the status message).
 */
import { useEffect, useRef } from 'preact/hooks';

export function useFocusAfterRemoval<T>(
  items: readonly T[] | undefined,
  keyOf: (item: T) => string,
  targets: () => readonly HTMLElement[],
  fallback: () => HTMLElement | null | undefined,
): (key: string, index: number) => void {
  const removed = useRef<{ readonly key: string; readonly index: number } | undefined>(undefined);
  // Runs when the reloaded list arrives; `keyOf`, `targets` and `fallback` read only the DOM and the item.
  useEffect(() => {
    const pending = removed.current;
    if (pending === undefined || items === undefined || items.some((item) => keyOf(item) === pending.key)) {
      return;
    }
    removed.current = undefined;
    const candidates = targets();
    (candidates[Math.min(pending.index, candidates.length - 1)] ?? fallback())?.focus();
  }, [items]);
  return (key, index) => {
    removed.current = { key, index };
  };
}

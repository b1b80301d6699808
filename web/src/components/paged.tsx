import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ErrorMessage, Loading } from './status';

// Every list the API pages with its cursor ({items, nextCursor}): the feed, the grids, a
// profile's people, follow requests, collections. One hook reads it, one footer says its state.

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * A cursor-paged list read from the start whenever `key` changes: items, in order, without the
 * repeats a page boundary may bring; a page answered after the key changed is dropped. `done`:
 * the last page is in. `keepShown`: the first page joins what is shown already (items a live
 * stream put there while it was read) rather than replacing it.
 */
export const usePaged = <T extends { id: string }, P extends Page<T> = Page<T>>(
  key: string,
  // Page<T> & P: T is inferred from the answer's items when not given.
  fetchPage: (cursor: string | null) => Promise<Page<T> & P>,
  onFirst?: (page: P) => void,
  { keepShown = false }: { keepShown?: boolean } = {},
) => {
  const [items, setItems] = useState<T[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const generation = useRef(0);
  const fetcher = useRef(fetchPage);
  fetcher.current = fetchPage;
  const first = useRef(onFirst);
  first.current = onFirst;

  const load = useCallback(async (from: string | null) => {
    const mine = generation.current;
    setLoading(true);
    setError(null);
    try {
      const page = await fetcher.current(from);
      if (mine !== generation.current) return;
      if (from === null) first.current?.(page);
      setItems((shown) => {
        if (from === null && !keepShown) return page.items;
        const seen = new Set(shown.map((item) => item.id));
        return [...shown, ...page.items.filter((item) => !seen.has(item.id))];
      });
      setCursor(page.nextCursor);
      setDone(page.nextCursor === null);
    } catch (failure) {
      if (mine === generation.current) setError(failure);
    } finally {
      if (mine === generation.current) setLoading(false);
    }
  }, []);

  useEffect(() => {
    generation.current++;
    setItems([]);
    setCursor(null);
    setDone(false);
    void load(null);
  }, [key, load]);

  return {
    items,
    setItems,
    loading,
    error,
    done,
    hasMore: !done && cursor !== null,
    more: () => {
      if (!loading && !done && cursor && error === null) void load(cursor);
    },
    retry: () => {
      void load(items.length === 0 ? null : cursor);
    },
    reload: () => {
      generation.current++;
      void load(null);
    },
  };
};

export type Paged<T extends { id: string }> = ReturnType<typeof usePaged<T>>;

/** Calls `more` when the element nears the viewport (the "Load more" button stays for keyboards). */
export const useNearEnd = (element: { current: Element | null }, more: () => void, active: boolean, rootMargin = '600px 0px') => {
  useEffect(() => {
    const target = element.current;
    if (!target || !active) return;
    const observer = new IntersectionObserver((entries) => entries.some((entry) => entry.isIntersecting) && more(), { rootMargin });
    observer.observe(target);
    return () => observer.disconnect();
  });
};

export interface PageStateProps {
  list: Pick<Paged<{ id: string }>, 'items' | 'loading' | 'error' | 'done' | 'hasMore' | 'more' | 'retry'>;
  /** What the spinner says while the first page loads, and while a further one does. */
  loadingLabel: string;
  moreLabel?: string;
  /** What an empty list says (once its last page is in). */
  empty: ComponentChildren;
  /** What a full list says at its end, if anything. */
  end?: ComponentChildren;
  /** Read the next page as the reader nears the end, not only on "Load more". */
  endless?: boolean;
  rootMargin?: string;
}

/** Under a paged list: loading, the API's error with a retry, empty, "Load more" (and the sentinel of endless lists). */
export const PageState = ({ list, loadingLabel, moreLabel = loadingLabel, empty, end, endless = false, rootMargin }: PageStateProps) => {
  const { items, loading, error, done, hasMore, more, retry } = list;
  const sentinel = useRef<HTMLDivElement>(null);
  const failed = error !== null && error !== undefined;
  useNearEnd(sentinel, more, endless && hasMore && !loading && !failed, rootMargin);
  return (
    <>
      {loading && <Loading label={items.length === 0 ? loadingLabel : moreLabel} />}
      {failed && <ErrorMessage error={error} onRetry={retry} />}
      {!loading && !failed && done && items.length === 0 && <p class="empty">{empty}</p>}
      {!loading && !failed && done && items.length > 0 && end !== undefined && <p class="end">{end}</p>}
      {hasMore && !loading && !failed && (
        <button type="button" class="load-more" onClick={more}>
          Load more
        </button>
      )}
      {endless && <div ref={sentinel} aria-hidden="true" class="sentinel" />}
    </>
  );
};

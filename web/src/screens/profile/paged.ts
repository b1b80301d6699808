import { useEffect, useRef, useState } from 'preact/hooks';

// A list read page by page with the API's cursor ({items, nextCursor}); `key` starts it again
// (another profile, another tab). An answer for an older key is dropped.

export interface PageOf<T> {
  items: T[];
  nextCursor: string | null;
}

export const usePaged = <T extends { id: string }>(key: string, load: (cursor: string | null) => Promise<PageOf<T>>) => {
  const [items, setItems] = useState<T[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const generation = useRef(0);

  const fetchPage = async (from: string | null) => {
    const mine = generation.current;
    setLoading(true);
    setError(null);
    try {
      const page = await load(from);
      if (mine !== generation.current) return;
      setItems((shown) => {
        if (!from) return page.items;
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
  };

  useEffect(() => {
    generation.current++;
    setItems([]);
    setCursor(null);
    setDone(false);
    void fetchPage(null);
  }, [key]);

  const more = () => {
    if (!loading && !done && cursor && error === null) void fetchPage(cursor);
  };
  const retry = () => void fetchPage(items.length === 0 ? null : cursor);
  return { items, loading, error, done, more, retry, hasMore: !done && cursor !== null };
};

/** Calls `more` when the element nears the viewport (the "Load more" button stays for keyboards). */
export const useNearEnd = (element: { current: Element | null }, more: () => void, active: boolean) => {
  useEffect(() => {
    const target = element.current;
    if (!target || !active) return;
    const observer = new IntersectionObserver((entries) => entries.some((entry) => entry.isIntersecting) && more(), { rootMargin: '600px 0px' });
    observer.observe(target);
    return () => observer.disconnect();
  });
};

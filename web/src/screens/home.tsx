import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { api, type Post } from '../api/client';
import { PostCard } from '../components/post-card';
import { StoriesTray } from '../components/stories-tray';
import { ErrorMessage, Loading } from '../components/status';

// The home feed: chronological (the default) or ranked, paged by the API's cursor as the reader
// nears the end (an IntersectionObserver on a sentinel, with a "Load more" button for keyboards
// and for when the observer does not fire). The order is kept in the URL's ?order= so that a
// reload keeps it; switching starts from the top (a ranked cursor is pinned to its session's
// order: README "feeds").

type Order = 'chronological' | 'ranked';

const orderOfUrl = (): Order => (new URLSearchParams(location.search).get('order') === 'ranked' ? 'ranked' : 'chronological');

/** When the first page was on screen, for the browser test's report (not asserted). */
declare global {
  interface Window {
    __feedRenderedAt?: number;
  }
}

export const HomeScreen = () => {
  const [order, setOrder] = useState<Order>(orderOfUrl);
  const [posts, setPosts] = useState<Post[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const generation = useRef(0);
  const sentinel = useRef<HTMLDivElement>(null);

  const load = useCallback(
    async (from: string | null) => {
      const mine = generation.current;
      setLoading(true);
      setError(null);
      try {
        const page = await api.get('/api/v1/feed/home', { query: { order, limit: 10, ...(from ? { cursor: from } : {}) }, fresh: from === null });
        if (mine !== generation.current) return; // the order changed meanwhile
        setPosts((shown) => {
          const seen = new Set(shown.map((post) => post.id));
          return [...(from ? shown : []), ...page.items.filter((post) => !from || !seen.has(post.id))];
        });
        setCursor(page.nextCursor);
        setDone(page.nextCursor === null);
      } catch (failure) {
        if (mine === generation.current) setError(failure);
      } finally {
        if (mine === generation.current) setLoading(false);
      }
    },
    [order],
  );

  useEffect(() => {
    generation.current++;
    setPosts([]);
    setCursor(null);
    setDone(false);
    void load(null);
  }, [load]);

  useEffect(() => {
    if (posts.length > 0 && window.__feedRenderedAt === undefined) window.__feedRenderedAt = performance.now();
  }, [posts]);

  const more = () => {
    if (!loading && !done && cursor && error === null) void load(cursor);
  };
  useEffect(() => {
    const element = sentinel.current;
    if (!element || done) return;
    const observer = new IntersectionObserver((entries) => entries.some((entry) => entry.isIntersecting) && more(), { rootMargin: '800px 0px' });
    observer.observe(element);
    return () => observer.disconnect();
  });

  const choose = (next: Order) => {
    if (next === order) return;
    history.replaceState(null, '', next === 'ranked' ? '/?order=ranked' : '/');
    setOrder(next);
  };
  const replace = (fresh: Post) => setPosts((shown) => shown.map((post) => (post.id === fresh.id ? fresh : post)));

  return (
    <main class="feed" aria-labelledby="feed-title">
      <div class="feed-top">
        <h1 id="feed-title">Home</h1>
        <div class="segmented" role="group" aria-label="Feed order">
          <button type="button" aria-pressed={order === 'chronological'} onClick={() => choose('chronological')}>
            Latest
          </button>
          <button type="button" aria-pressed={order === 'ranked'} onClick={() => choose('ranked')}>
            For you
          </button>
        </div>
      </div>
      <StoriesTray />
      <div class="feed-list" aria-busy={loading}>
        {posts.map((post, index) => (
          <PostCard key={post.id} post={post} eager={index < 2} onFresh={replace} />
        ))}
      </div>
      {loading && <Loading label={posts.length === 0 ? 'Loading your feed…' : 'Loading more posts…'} />}
      {error !== null && <ErrorMessage error={error} onRetry={() => void load(posts.length === 0 ? null : cursor)} />}
      {!loading && error === null && done && posts.length === 0 && <p class="empty">Your feed is empty. Follow people to see their posts here.</p>}
      {!loading && error === null && done && posts.length > 0 && <p class="end">You are all caught up.</p>}
      {!done && cursor && !loading && error === null && (
        <button type="button" class="load-more" onClick={more}>
          Load more
        </button>
      )}
      <div ref={sentinel} aria-hidden="true" class="sentinel" />
    </main>
  );
};

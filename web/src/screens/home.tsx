import { useEffect, useState } from 'preact/hooks';
import { api, type Post } from '../api/client';
import { PageState, usePaged } from '../components/paged';
import { PostCard } from '../components/post-card';
import { StoriesTray } from '../components/stories-tray';

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
  const feed = usePaged<Post>(order, (cursor) => api.get('/api/v1/feed/home', { query: { order, limit: 10, ...(cursor ? { cursor } : {}) }, fresh: cursor === null }));
  const posts = feed.items;

  useEffect(() => {
    if (posts.length > 0 && window.__feedRenderedAt === undefined) window.__feedRenderedAt = performance.now();
  }, [posts]);

  const choose = (next: Order) => {
    if (next === order) return;
    history.replaceState(null, '', next === 'ranked' ? '/?order=ranked' : '/');
    setOrder(next);
  };
  const replace = (fresh: Post) => feed.setItems((shown) => shown.map((post) => (post.id === fresh.id ? fresh : post)));

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
      <div class="feed-list" aria-busy={feed.loading}>
        {posts.map((post, index) => (
          <PostCard key={post.id} post={post} eager={index < 2} onFresh={replace} />
        ))}
      </div>
      <PageState
        list={feed}
        endless
        rootMargin="800px 0px"
        loadingLabel="Loading your feed…"
        moreLabel="Loading more posts…"
        empty="Your feed is empty. Follow people to see their posts here."
        end="You are all caught up."
      />
    </main>
  );
};

import { api, ApiError, type Post } from '../api/client';
import { usePaged } from '../components/paged';
import { PostGrid } from '../components/post-grid';

// Explore (README "search": /feed/explore): public posts of the last 7 days by engagement and
// recency, as a grid. Its cursor is pinned to an instant and expires (EXPLORE_CURSOR_MAX_AGE_MS):
// an INVALID_CURSOR on "Load more" starts the list again rather than leaving the reader stuck.

export const ExploreScreen = () => {
  const posts = usePaged<Post>('explore', (cursor) => api.get('/api/v1/feed/explore', { query: cursor ? { cursor } : {}, fresh: cursor === null }));
  const stale = posts.error instanceof ApiError && posts.error.code === 'INVALID_CURSOR';
  return (
    <main class="discovery" aria-labelledby="explore-title">
      <h1 id="explore-title" class="page-title">
        Explore
      </h1>
      <PostGrid
        label="Popular posts"
        list={stale ? { ...posts, retry: posts.reload } : posts}
        empty="Nothing to explore yet: no public posts in the last 7 days."
      />
    </main>
  );
};

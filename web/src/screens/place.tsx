import { useState } from 'preact/hooks';
import { api, ApiError, type Answer, type Post } from '../api/client';
import { usePaged, type Page } from '../components/paged';
import { PostGrid } from '../components/post-grid';
import { ErrorMessage } from '../components/status';
import { SortSwitch, type Sort } from './hashtag';

// A place's page (README "search": /locations/{id}/posts): its name and count from the page's own
// answer, and its public posts, newest first or top. A place no public post carries any more is
// the API's 404 LOCATION_NOT_FOUND, shown as such.

type Location = Answer<'/api/v1/locations/{locationId}/posts', 'get'>['location'];

export const PlaceScreen = ({ placeId }: { placeId: string }) => {
  const [sort, setSort] = useState<Sort>('recent');
  const [place, setPlace] = useState<Location | null>(null);
  const posts = usePaged<Post, Page<Post> & { location: Location }>(
    `${placeId} ${sort}`,
    (cursor) => api.get('/api/v1/locations/{locationId}/posts', { params: { locationId: placeId }, query: { sort, ...(cursor ? { cursor } : {}) }, fresh: cursor === null }),
    (page) => setPlace(page.location),
  );
  if (place === null && posts.error !== null) {
    const gone = posts.error instanceof ApiError && posts.error.status === 404;
    return (
      <main class="discovery">
        <h1 class="page-title">{gone ? 'Place not found' : 'This place could not be loaded'}</h1>
        <ErrorMessage error={posts.error} onRetry={gone ? undefined : posts.retry} />
      </main>
    );
  }
  return (
    <main class="discovery" aria-labelledby="place-title">
      <div class="discovery-head">
        <span class="tag-mark" aria-hidden="true">
          <svg viewBox="0 0 24 24" width="36" height="36" focusable="false" fill="none" stroke="currentColor" stroke-width="1.6">
            <path d="M12 21s-7-6.2-7-11.5a7 7 0 0 1 14 0C19 14.8 12 21 12 21z" />
            <circle cx="12" cy="9.5" r="2.5" />
          </svg>
        </span>
        <div>
          <h1 id="place-title" class="page-title">
            {place?.name ?? 'Place'}
          </h1>
          {place && <p class="muted">{`${place.postCount.toLocaleString()} ${place.postCount === 1 ? 'post' : 'posts'}`}</p>}
        </div>
      </div>
      <div class="discovery-bar">
        <SortSwitch sort={sort} onChange={setSort} label="Order of posts" />
      </div>
      <PostGrid
        label={place ? `Posts at ${place.name}` : 'Posts at this place'}
        list={place === null ? { ...posts, error: null } : posts}
        empty="No public posts here yet."
      />
    </main>
  );
};

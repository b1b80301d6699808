import { useState } from 'preact/hooks';
import { api, type Answer, type Post } from '../api/client';
import { PlaceIcon } from '../components/icons';
import { usePaged, type Page } from '../components/paged';
import { PostGrid } from '../components/post-grid';
import { plural } from '../text';
import { DiscoveryHead, NotLoaded } from './discovery-parts';
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
  if (place === null && posts.error !== null) return <NotLoaded what="Place" error={posts.error} onRetry={posts.retry} />;
  return (
    <main class="discovery" aria-labelledby="place-title">
      <DiscoveryHead mark={<PlaceIcon size={36} stroke={1.6} />} titleId="place-title" title={place?.name ?? 'Place'} count={place && plural(place.postCount, 'post', 'posts')} />
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

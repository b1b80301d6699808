import { useEffect, useRef, useState } from 'preact/hooks';
import { api, type Post } from '../api/client';
import { usePaged } from '../components/paged';
import { PostGrid } from '../components/post-grid';
import { ErrorMessage } from '../components/status';
import { plural } from '../text';
import { DiscoveryHead } from './discovery-parts';

// A hashtag's page (README "search", "hashtags"): its public posts, newest first or top (by
// engagement), and the viewer's follow of the tag (a followed tag's posts join their home feed).
// Follow and unfollow flip at once; the tag is then read back with ?minPosition= the command's
// position, so the shown state is the server's, and a refusal (e.g. HASHTAG_FOLLOWS_LIMIT_REACHED)
// puts it back and says why.

export type Sort = 'recent' | 'top';

export const SortSwitch = ({ sort, onChange, label }: { sort: Sort; onChange: (sort: Sort) => void; label: string }) => (
  <div class="segmented" role="group" aria-label={label}>
    <button type="button" aria-pressed={sort === 'recent'} onClick={() => onChange('recent')}>
      Recent
    </button>
    <button type="button" aria-pressed={sort === 'top'} onClick={() => onChange('top')}>
      Top
    </button>
  </div>
);

const FollowHashtag = ({ tag }: { tag: string }) => {
  const [following, setFollowing] = useState<boolean | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const held = useRef<boolean | null>(null);

  useEffect(() => {
    let live = true;
    api
      .get('/api/v1/hashtags/{tag}', { params: { tag }, fresh: true })
      .then((answer) => {
        if (!live) return;
        held.current = answer.following;
        setFollowing(answer.following);
      })
      .catch((failure: unknown) => live && setError(failure));
    return () => {
      live = false;
    };
  }, [tag]);

  const toggle = async () => {
    if (busy || following === null) return;
    const on = !following;
    setBusy(true);
    setError(null);
    setFollowing(on);
    try {
      const params = { tag };
      if (on) await api.post('/api/v1/hashtags/{tag}/follow', { params });
      else await api.delete('/api/v1/hashtags/{tag}/follow', { params });
      // fresh: the command's position (the client keeps it) as ?minPosition=; this route's query is untyped.
      const fresh = await api.get('/api/v1/hashtags/{tag}', { params, fresh: true });
      held.current = fresh.following;
      setFollowing(fresh.following);
    } catch (failure) {
      setFollowing(held.current);
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="follow-hashtag">
      {following !== null && (
        <>
          <button type="button" class={following ? undefined : 'primary'} disabled={busy} onClick={() => void toggle()}>
            {following ? 'Unfollow' : 'Follow'}
            <span class="visually-hidden"> #{tag}</span>
          </button>
          <p class="muted" role="status">
            {following ? `You follow #${tag}: its posts join your home feed.` : ''}
          </p>
        </>
      )}
      {error !== null && <ErrorMessage error={error} />}
    </div>
  );
};

export const HashtagScreen = ({ tag }: { tag: string }) => {
  const [sort, setSort] = useState<Sort>('recent');
  const [count, setCount] = useState<number | null>(null);
  const posts = usePaged<Post>(`${tag} ${sort}`, (cursor) =>
    api.get('/api/v1/hashtags/{tag}/posts', { params: { tag }, query: { sort, ...(cursor ? { cursor } : {}) }, fresh: cursor === null }),
  );
  useEffect(() => {
    // The tag's count of posts, as hashtag suggestions give it (the page's own route gives none).
    api
      .get('/api/v1/search', { query: { q: tag, type: 'hashtags', limit: 10 } })
      .then((found) => setCount(found.hashtags?.find((hashtag) => hashtag.tag === tag)?.posts ?? null))
      .catch(() => setCount(null));
  }, [tag]);
  return (
    <main class="discovery" aria-labelledby="hashtag-title">
      <DiscoveryHead mark="#" titleId="hashtag-title" title={`#${tag}`} count={count === null ? null : plural(count, 'post', 'posts')}>
        <FollowHashtag tag={tag} />
      </DiscoveryHead>
      <div class="discovery-bar">
        <SortSwitch sort={sort} onChange={setSort} label="Order of posts" />
      </div>
      <PostGrid
        label={`Posts tagged #${tag}`}
        list={posts}
        empty={`No public posts with #${tag} yet.`}
      />
    </main>
  );
};

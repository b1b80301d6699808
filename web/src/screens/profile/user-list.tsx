import { useRef } from 'preact/hooks';
import { api } from '../../api/client';
import { ErrorMessage, Loading } from '../../components/status';
import { useNearEnd, usePaged } from './paged';
import { UserRow } from './user-row';

// A profile's followers or the accounts it follows, newest first, paged.

export const UserList = ({ username, direction }: { username: string; direction: 'followers' | 'following' }) => {
  const { items, loading, error, done, more, retry, hasMore } = usePaged(`${username}/${direction}`, (cursor) =>
    direction === 'followers'
      ? api.get('/api/v1/users/{username}/followers', { params: { username }, query: cursor ? { cursor } : {}, fresh: cursor === null })
      : api.get('/api/v1/users/{username}/following', { params: { username }, query: cursor ? { cursor } : {}, fresh: cursor === null }),
  );
  const sentinel = useRef<HTMLDivElement>(null);
  useNearEnd(sentinel, more, hasMore && !loading && error === null);
  const title = direction === 'followers' ? 'Followers' : 'Following';
  return (
    <section class="people" aria-labelledby="people-title">
      <h2 id="people-title">{title}</h2>
      <ul class="user-list" aria-busy={loading}>
        {items.map((user) => (
          <UserRow key={user.id} user={user} />
        ))}
      </ul>
      {loading && <Loading label={`Loading ${title.toLowerCase()}…`} />}
      {error !== null && <ErrorMessage error={error} onRetry={retry} />}
      {!loading && error === null && done && items.length === 0 && <p class="empty">{direction === 'followers' ? 'No followers yet.' : 'Not following anyone yet.'}</p>}
      {hasMore && !loading && error === null && (
        <button type="button" class="load-more" onClick={more}>
          Load more
        </button>
      )}
      <div ref={sentinel} aria-hidden="true" class="sentinel" />
    </section>
  );
};

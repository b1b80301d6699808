import { api } from '../../api/client';
import { PageState, usePaged } from '../../components/paged';
import type { UserSummary } from './types';
import { UserRow } from './user-row';

// A profile's followers or the accounts it follows, newest first, paged.

export const UserList = ({ username, direction }: { username: string; direction: 'followers' | 'following' }) => {
  const list = usePaged<UserSummary>(`${username}/${direction}`, (cursor) =>
    direction === 'followers'
      ? api.get('/api/v1/users/{username}/followers', { params: { username }, query: cursor ? { cursor } : {}, fresh: cursor === null })
      : api.get('/api/v1/users/{username}/following', { params: { username }, query: cursor ? { cursor } : {}, fresh: cursor === null }),
  );
  const title = direction === 'followers' ? 'Followers' : 'Following';
  return (
    <section class="people" aria-labelledby="people-title">
      <h2 id="people-title">{title}</h2>
      <ul class="user-list" aria-busy={list.loading}>
        {list.items.map((user) => (
          <UserRow key={user.id} user={user} />
        ))}
      </ul>
      <PageState list={list} endless loadingLabel={`Loading ${title.toLowerCase()}…`} empty={direction === 'followers' ? 'No followers yet.' : 'Not following anyone yet.'} />
    </section>
  );
};

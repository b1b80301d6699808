import { useEffect, useState } from 'preact/hooks';
import { api, type Answer } from '../../api/client';
import { ErrorMessage, Loading } from '../../components/status';
import { FollowButton } from './follow-button';
import { UserRow } from './user-row';

// "Suggested for you" on one's own profile: friends of friends, most mutual first (README
// "suggestions"), each with a Follow button. A suggestion stays listed after a follow, showing
// its new state, until the next visit.

type Suggestion = Answer<'/api/v1/suggestions/users', 'get'>['items'][number];

export const Suggestions = () => {
  const [items, setItems] = useState<Suggestion[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const load = async () => {
    setError(null);
    try {
      setItems((await api.get('/api/v1/suggestions/users', { query: { limit: 10 }, fresh: true })).items);
    } catch (failure) {
      setError(failure);
    }
  };
  useEffect(() => void load(), []);
  if (items !== null && items.length === 0) return null;
  return (
    <section class="suggestions" aria-labelledby="suggestions-title">
      <h2 id="suggestions-title">Suggested for you</h2>
      {items === null && error === null && <Loading label="Loading suggestions…" />}
      {error !== null && <ErrorMessage error={error} onRetry={() => void load()} />}
      {items && (
        <ul class="user-list">
          {items.map((user) => (
            <UserRow key={user.id} user={user} note={user.mutualCount > 0 ? `${user.mutualCount} mutual` : undefined}>
              <FollowButton username={user.username} status="none" />
            </UserRow>
          ))}
        </ul>
      )}
    </section>
  );
};

import { useState } from 'preact/hooks';
import { api } from '../../api/client';
import { PageState, usePaged } from '../../components/paged';
import { ErrorMessage } from '../../components/status';
import { useSession } from '../../session';
import type { UserSummary } from './types';
import { UserRow } from './user-row';

// The follow requests waiting for one's answer (GET /follow-requests), each with Approve and
// Reject. An answer shows at once in the row and goes back, with the API's message, on a refusal.

type Answered = 'approved' | 'rejected';

const RequestRow = ({ user }: { user: UserSummary & { requestedAt: string } }) => {
  const [answered, setAnswered] = useState<Answered | null>(null);
  const [error, setError] = useState<unknown>(null);
  const answer = async (choice: Answered) => {
    setError(null);
    setAnswered(choice);
    try {
      const params = { username: user.username };
      if (choice === 'approved') await api.post('/api/v1/follow-requests/{username}/approve', { params });
      else await api.post('/api/v1/follow-requests/{username}/reject', { params });
    } catch (failure) {
      setAnswered(null);
      setError(failure);
    }
  };
  return (
    <UserRow user={user}>
      {answered ? (
        <span role="status" class="muted">
          {answered === 'approved' ? `Approved: @${user.username} follows you now.` : 'Request removed.'}
        </span>
      ) : (
        <>
          <button type="button" class="primary" onClick={() => void answer('approved')}>
            Approve<span class="visually-hidden"> @{user.username}</span>
          </button>
          <button type="button" onClick={() => void answer('rejected')}>
            Reject<span class="visually-hidden"> @{user.username}</span>
          </button>
        </>
      )}
      {error !== null && <ErrorMessage error={error} />}
    </UserRow>
  );
};

export const RequestsScreen = () => {
  const session = useSession();
  const list = usePaged<UserSummary & { requestedAt: string }>('requests', (cursor) => api.get('/api/v1/follow-requests', { query: cursor ? { cursor } : {}, fresh: cursor === null }));
  return (
    <main class="requests" aria-labelledby="requests-title">
      <h1 id="requests-title">Follow requests</h1>
      {session && (
        <p>
          <a href={`/u/${session.username}`}>Back to your profile</a>
        </p>
      )}
      <ul class="user-list" aria-label="Pending requests" aria-busy={list.loading}>
        {list.items.map((user) => (
          <RequestRow key={user.id} user={user} />
        ))}
      </ul>
      <PageState list={list} loadingLabel="Loading requests…" empty="No pending follow requests." />
    </main>
  );
};

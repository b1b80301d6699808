import { useEffect, useState } from 'preact/hooks';
import { api } from '../../api/client';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { ErrorMessage } from '../../components/status';
import type { FollowStatus } from './types';

// Follow, request, unfollow or cancel a request, optimistically: the button shows the expected
// state at once (a private account's follow becomes a request), then the API's answer (`status`),
// or goes back to what it was, with the API's message, on a refusal. Clicks while one is out are
// ignored: the button is busy, and the next click acts on the server's answer. Unfollowing a
// private account is confirmed first: seeing its posts again takes a new approved request.

const LABELS: Record<FollowStatus, string> = { none: 'Follow', requested: 'Requested', following: 'Following' };

export const FollowButton = ({ username, status: initial, isPrivate, followsYou = false, onSettled }: { username: string; status: FollowStatus; isPrivate?: boolean; followsYou?: boolean; onSettled?: (status: FollowStatus) => void }) => {
  const [status, setStatus] = useState(initial);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [asking, setAsking] = useState(false);
  useEffect(() => setStatus(initial), [initial]);

  const toggle = async () => {
    setAsking(false);
    if (busy) return;
    const before = status;
    const following = before === 'none';
    setError(null);
    setBusy(true);
    setStatus(following ? (isPrivate ? 'requested' : 'following') : 'none');
    try {
      const answer = following ? await api.post('/api/v1/users/{username}/follow', { params: { username } }) : await api.delete('/api/v1/users/{username}/follow', { params: { username } });
      setStatus(answer.status);
      onSettled?.(answer.status);
    } catch (failure) {
      setStatus(before);
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  const label = status === 'none' && followsYou ? 'Follow back' : LABELS[status];
  return (
    <>
      <button type="button" class={status === 'none' ? 'primary follow' : 'follow'} aria-busy={busy} onClick={() => (status === 'following' && isPrivate ? setAsking(true) : void toggle())} title={status === 'following' ? 'Unfollow' : status === 'requested' ? 'Cancel the request' : undefined}>
        {label}
        <span class="visually-hidden"> @{username}</span>
      </button>
      {error !== null && <ErrorMessage error={error} />}
      {asking && (
        <ConfirmDialog title={`Unfollow @${username}?`} confirmLabel="Unfollow" onConfirm={() => void toggle()} onCancel={() => setAsking(false)}>
          <p>Their account is private: to see their posts again you will have to ask to follow them, and they to approve.</p>
        </ConfirmDialog>
      )}
    </>
  );
};

import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../../api/client';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { ErrorMessage } from '../../components/status';

// Someone else's profile's "more options": mute or unmute, block. A disclosure (a button and the
// panel it opens, Escape closes it) rather than an ARIA menu, so that it needs no roving focus to
// be usable by keyboard. Each action is confirmed first. A mute shows at once and goes back on a
// refusal; a block waits for the API (it ends follows both ways) and then the profile says so.

type Pending = 'mute' | 'unmute' | 'block' | null;

export const ProfileMenu = ({ username, muting, onMuted, onBlocked }: { username: string; muting: boolean; onMuted: (muted: boolean) => void; onBlocked: () => void }) => {
  const [open, setOpen] = useState(false);
  const [pending, setPending] = useState<Pending>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const toggleButton = useRef<HTMLButtonElement>(null);
  const panel = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape' && !pending) {
        setOpen(false);
        toggleButton.current?.focus();
      }
    };
    const onClick = (event: MouseEvent) => {
      const target = event.target as Node;
      if (!pending && !panel.current?.contains(target) && !toggleButton.current?.contains(target)) setOpen(false);
    };
    document.addEventListener('keydown', onKey);
    document.addEventListener('click', onClick);
    return () => {
      document.removeEventListener('keydown', onKey);
      document.removeEventListener('click', onClick);
    };
  }, [open, pending]);

  const confirm = async () => {
    const action = pending;
    setPending(null);
    setOpen(false);
    setError(null);
    setBusy(true);
    try {
      if (action === 'block') {
        await api.post('/api/v1/users/{username}/block', { params: { username } });
        onBlocked();
      } else if (action) {
        const muted = action === 'mute';
        onMuted(muted);
        try {
          const answer = muted ? await api.post('/api/v1/users/{username}/mute', { params: { username } }) : await api.delete('/api/v1/users/{username}/mute', { params: { username } });
          onMuted(answer.muted);
        } catch (failure) {
          onMuted(!muted);
          throw failure;
        }
      }
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
      toggleButton.current?.focus();
    }
  };

  const choose = (action: Pending) => setPending(action);
  const cancel = () => {
    setPending(null);
    setOpen(false);
    toggleButton.current?.focus();
  };
  return (
    <div class="profile-menu">
      <button ref={toggleButton} type="button" class="icon-button" aria-expanded={open} aria-controls="profile-menu-panel" aria-busy={busy} onClick={() => setOpen(!open)}>
        <span aria-hidden="true">⋯</span>
        <span class="visually-hidden">More options for @{username}</span>
      </button>
      <div ref={panel} id="profile-menu-panel" class="profile-menu-panel" hidden={!open}>
        <button type="button" onClick={() => choose(muting ? 'unmute' : 'mute')}>
          {muting ? 'Unmute' : 'Mute'}
        </button>
        <button type="button" class="danger-text" onClick={() => choose('block')}>
          Block
        </button>
      </div>
      {error !== null && <ErrorMessage error={error} />}
      {pending === 'mute' && (
        <ConfirmDialog title={`Mute @${username}?`} confirmLabel="Mute" onConfirm={confirm} onCancel={cancel}>
          <p>Their posts and stories leave your home feed and stories tray. You still follow them, and they are not told.</p>
        </ConfirmDialog>
      )}
      {pending === 'unmute' && (
        <ConfirmDialog title={`Unmute @${username}?`} confirmLabel="Unmute" onConfirm={confirm} onCancel={cancel}>
          <p>Their posts and stories come back to your home feed and stories tray.</p>
        </ConfirmDialog>
      )}
      {pending === 'block' && (
        <ConfirmDialog title={`Block @${username}?`} confirmLabel="Block" danger onConfirm={confirm} onCancel={cancel}>
          <p>They will not find your profile, posts or stories, and neither of you will follow the other any more. They are not told.</p>
        </ConfirmDialog>
      )}
    </div>
  );
};

import { useEffect, useRef, useState } from 'preact/hooks';
import { api, type Post } from '../api/client';
import { ErrorMessage } from './status';
import { storiesChanged } from './stories-model';
import './share-button.css';

// A post card's "Share": a small disclosure with "Share to your story" (POST /posts/{id}/share
// {to: "story"}: a story of one's own showing the post) and "Copy link" (the post's /p/{id}
// URL, by the clipboard, or shown to copy by hand where the clipboard is refused). What happened
// is said in a live region; a refusal (a private account's post: POST_NOT_SHAREABLE) shows the
// API's words. Escape or a click elsewhere closes the choices and gives focus back to "Share".

const ShareIcon = () => (
  <svg viewBox="0 0 24 24" width="26" height="26" aria-hidden="true" focusable="false" fill="none" stroke="currentColor" stroke-width="2" stroke-linejoin="round" stroke-linecap="round">
    <path d="M21.5 3 10 14.5M21.5 3l-7 18-4.5-6.5L3 10z" />
  </svg>
);

export const ShareButton = ({ post }: { post: Post }) => {
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState('');
  const [manualLink, setManualLink] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const root = useRef<HTMLDivElement>(null);
  const toggle = useRef<HTMLButtonElement>(null);
  const panelId = `share-${post.id}`;
  const link = `${location.origin}/p/${post.id}`;

  useEffect(() => {
    if (!note) return;
    const timer = setTimeout(() => setNote(''), 5_000);
    return () => clearTimeout(timer);
  }, [note]);

  useEffect(() => {
    if (!open) return;
    const outside = (event: PointerEvent) => !root.current?.contains(event.target as Node) && setOpen(false);
    document.addEventListener('pointerdown', outside);
    return () => document.removeEventListener('pointerdown', outside);
  }, [open]);

  const start = () => {
    setError(null);
    setNote('');
    setManualLink(null);
  };

  const toStory = async () => {
    start();
    setBusy(true);
    try {
      await api.post('/api/v1/posts/{postId}/share', { params: { postId: post.id }, body: { to: 'story' } });
      setOpen(false);
      setNote('Shared to your story.');
      storiesChanged();
      toggle.current?.focus();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  const copy = async () => {
    start();
    try {
      await navigator.clipboard.writeText(link);
      setNote('Link copied.');
      setOpen(false);
      toggle.current?.focus();
    } catch {
      // No clipboard (an insecure origin, or permission refused): the link to copy by hand.
      setManualLink(link);
    }
  };

  return (
    <div
      class="share"
      ref={root}
      onKeyDown={(event) => {
        if (event.key === 'Escape' && open) {
          setOpen(false);
          toggle.current?.focus();
        }
      }}
    >
      <button ref={toggle} type="button" class="action" aria-label="Share" aria-expanded={open} aria-controls={panelId} onClick={() => {
          if (!open) start();
          setOpen(!open);
        }}>
        <ShareIcon />
      </button>
      <div id={panelId} class="share-panel" role="group" aria-label="Share this post" hidden={!open}>
        <button type="button" disabled={busy} aria-busy={busy} onClick={() => void toStory()}>
          Share to your story
        </button>
        <button type="button" onClick={() => void copy()}>
          Copy link
        </button>
        {manualLink && (
          <label class="share-manual">
            Copy this link
            <input readOnly value={manualLink} onFocus={(event) => (event.currentTarget as HTMLInputElement).select()} />
          </label>
        )}
        {error !== null && <ErrorMessage error={error} />}
      </div>
      <p class="share-note" role="status">
        {note}
      </p>
    </div>
  );
};

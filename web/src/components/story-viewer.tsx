import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api/client';
import { ErrorMessage } from './status';
import { Avatar } from './avatar';
import { StoryMedia } from './story-media';
import { StoryViewersList } from './story-viewers-list';
import { ago, startOf, storiesChanged, type Story, type TrayEntry } from './stories-model';
import './stories.css';

// The full-screen story viewer: a modal dialog over the page (focus kept inside, Escape closes,
// focus back where it was). One bar per story of the author; the current one fills over the
// story's time (5 s for a photo, a video's own length), as a CSS animation whose end moves on,
// so pausing (the Pause button, Space, or holding a finger or the mouse down) is pausing the
// animation. A tap on the right half, or ArrowRight, is the next story; the left half or
// ArrowLeft the previous; past an author's last story come the next author's, and past the last
// author the viewer closes. Each story shown to someone other than its author is marked viewed
// (POST /stories/{id}/view, once). One's own story offers its viewers and its deletion.

const PHOTO_MS = 5_000;
const VIDEO_FALLBACK_MS = 15_000;
/** A press longer than this is a hold (a pause), not a tap. */
const HOLD_MS = 300;

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]), [tabindex]:not([tabindex="-1"])';

export interface StoryViewerProps {
  /** The authors in tray order; the viewer keeps the ones it was opened with. */
  entries: TrayEntry[];
  start: number;
  meId: string;
  onSeen: (storyId: string) => void;
  onDeleted: (storyId: string) => void;
  onClose: () => void;
}

export const StoryViewer = ({ entries: given, start, meId, onSeen, onDeleted, onClose }: StoryViewerProps) => {
  const [entries, setEntries] = useState(given);
  const [at, setAt] = useState({ author: start, story: startOf(given[start]!), round: 0 });
  const [paused, setPaused] = useState(false);
  const [held, setHeld] = useState(false);
  const [ready, setReady] = useState(false);
  const [panel, setPanel] = useState<'none' | 'viewers' | 'delete'>('none');
  const [durationMs, setDurationMs] = useState<number | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [deleting, setDeleting] = useState(false);
  const dialog = useRef<HTMLDivElement>(null);
  const pressedAt = useRef(0);
  const viewed = useRef(new Set<string>());

  const entry = entries[at.author];
  const story: Story | undefined = entry?.stories[at.story];
  const mine = entry?.author.id === meId;
  const stopped = paused || held || panel !== 'none' || !ready;

  const show = (author: number, index: number) => {
    setAt((current) => ({ author, story: index, round: current.round + 1 }));
    // Moving on is watching on: a pause ends with its story.
    setPaused(false);
    setReady(false);
    setDurationMs(null);
    setPanel('none');
    setError(null);
  };
  const next = () => {
    if (!entry) return onClose();
    if (at.story < entry.stories.length - 1) return show(at.author, at.story + 1);
    const following = entries[at.author + 1];
    if (following) return show(at.author + 1, startOf(following));
    onClose();
  };
  const previous = () => {
    if (at.story > 0) return show(at.author, at.story - 1);
    const before = entries[at.author - 1];
    if (before) return show(at.author - 1, before.stories.length - 1);
    show(at.author, 0); // the first story again from its start
  };

  // Focus moves into the dialog before it is painted (a key pressed as it appears is its own), and
  // back to what opened it when it closes; the page behind does not scroll.
  useLayoutEffect(() => {
    const opener = document.activeElement as HTMLElement | null;
    dialog.current?.focus();
    const overflow = document.body.style.overflow;
    document.body.style.overflow = 'hidden';
    return () => {
      document.body.style.overflow = overflow;
      opener?.focus?.();
    };
  }, []);

  useEffect(() => {
    if (!story || mine || story.seen || viewed.current.has(story.id)) return;
    viewed.current.add(story.id);
    // A view that fails (the story ended meanwhile) changes nothing shown: the next read tells.
    api.post('/api/v1/stories/{storyId}/view', { params: { storyId: story.id } }).then(
      () => onSeen(story.id),
      () => undefined,
    );
  }, [story?.id]);

  const remove = async () => {
    if (!story || !entry) return;
    setDeleting(true);
    setError(null);
    try {
      await api.delete('/api/v1/stories/{storyId}', { params: { storyId: story.id } });
      onDeleted(story.id);
      storiesChanged();
      const left = entry.stories.filter((s) => s.id !== story.id);
      if (left.length === 0) {
        const rest = entries.filter((e) => e !== entry);
        setEntries(rest);
        const following = rest[at.author];
        if (following) show(at.author, startOf(following));
        else onClose();
      } else {
        setEntries(entries.map((e) => (e === entry ? { ...e, stories: left } : e)));
        show(at.author, Math.min(at.story, left.length - 1));
      }
    } catch (failure) {
      setError(failure);
    } finally {
      setDeleting(false);
    }
  };

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      if (panel !== 'none') setPanel('none');
      else onClose();
    } else if (event.key === 'ArrowRight' && panel === 'none') {
      event.preventDefault();
      next();
    } else if (event.key === 'ArrowLeft' && panel === 'none') {
      event.preventDefault();
      previous();
    } else if (event.key === ' ' && (event.target === dialog.current || (event.target as Element).closest('.story-tap'))) {
      // Space on the dialog itself or a tap zone pauses; on any other button it presses it.
      event.preventDefault();
      setPaused((p) => !p);
    } else if (event.key === 'Tab') {
      const focusable = [...(dialog.current?.querySelectorAll<HTMLElement>(FOCUSABLE) ?? [])];
      const first = focusable[0];
      const last = focusable.at(-1);
      if (!first || !last) return;
      if (event.shiftKey && (document.activeElement === first || document.activeElement === dialog.current)) {
        event.preventDefault();
        last.focus();
      } else if (!event.shiftKey && document.activeElement === last) {
        event.preventDefault();
        first.focus();
      }
    }
  };

  // A long press on a phone would open the context menu over the story; holding is pausing here.
  const press = () => {
    pressedAt.current = Date.now();
    setHeld(true);
  };
  const release = () => setHeld(false);
  const tap = (move: () => void) => () => {
    const long = pressedAt.current > 0 && Date.now() - pressedAt.current > HOLD_MS;
    pressedAt.current = 0;
    if (!long) move();
  };

  if (!entry || !story) return null;
  const total = story.media.type === 'video' ? (durationMs ?? story.media.durationMs ?? VIDEO_FALLBACK_MS) : PHOTO_MS;
  const name = `@${entry.author.username}`;
  const alt = story.sharedPost ? `Post by @${story.sharedPost.author.username}, shared to ${mine ? 'your' : `${name}'s`} story` : `Story by ${name}`;

  return (
    <div class="story-backdrop">
      <div
        ref={dialog}
        class="story-viewer"
        role="dialog"
        aria-modal="true"
        aria-label={mine ? 'Your story' : `Stories of ${name}`}
        tabIndex={-1}
        onKeyDown={onKeyDown}
        data-paused={String(stopped)}
      >
        <ol class="story-bars" aria-label={`Story ${at.story + 1} of ${entry.stories.length}`}>
          {entry.stories.map((s, index) => (
            <li key={s.id} class="story-bar" data-state={index < at.story ? 'done' : index === at.story ? 'current' : 'next'} aria-hidden="true">
              {index === at.story ? (
                <span
                  key={`${s.id}-${at.round}`}
                  class="story-fill"
                  style={{ animationDuration: `${total}ms`, animationPlayState: stopped ? 'paused' : 'running' }}
                  onAnimationEnd={next}
                />
              ) : (
                <span class="story-fill" />
              )}
            </li>
          ))}
        </ol>
        <header class="story-head">
          <Avatar avatar={entry.author.avatar ?? null} name={entry.author.displayName || entry.author.username} size={32} />
          <a class="story-author" href={`/u/${entry.author.username}`}>
            {entry.author.username}
          </a>
          <time dateTime={story.postedAt}>{ago(story.postedAt)}</time>
          <span class="story-head-actions">
            <button type="button" class="story-icon" aria-pressed={paused} aria-label={paused ? 'Play' : 'Pause'} onClick={() => setPaused((p) => !p)}>
              {paused ? '▶' : '❚❚'}
            </button>
            <button type="button" class="story-icon" aria-label="Close stories" onClick={onClose}>
              ×
            </button>
          </span>
        </header>
        <div class="story-stage" style={{ backgroundColor: story.media.dominantColor ?? '#222' }}>
          <StoryMedia
            key={`${story.id}-${at.round}`}
            media={story.media}
            alt={alt}
            playing={!(paused || held || panel !== 'none')}
            onReady={(videoMs) => {
              if (videoMs) setDurationMs(videoMs);
              setReady(true);
            }}
          />
          <button type="button" class="story-tap left" aria-label="Previous story" onPointerDown={press} onPointerUp={release} onPointerLeave={release} onPointerCancel={release} onContextMenu={(event) => event.preventDefault()} onClick={tap(previous)} />
          <button type="button" class="story-tap right" aria-label="Next story" onPointerDown={press} onPointerUp={release} onPointerLeave={release} onPointerCancel={release} onContextMenu={(event) => event.preventDefault()} onClick={tap(next)} />
          {story.sharedPost && (
            <p class="story-shared">
              <span>Post by @{story.sharedPost.author.username}</span>
              <a href={`/p/${story.sharedPost.id}`} onClick={onClose}>
                View post
              </a>
            </p>
          )}
          {stopped && ready && panel === 'none' && (
            <p class="story-paused" aria-hidden="true">
              Paused
            </p>
          )}
        </div>
        {mine && (
          <footer class="story-foot">
            <button type="button" aria-expanded={panel === 'viewers'} onClick={() => setPanel(panel === 'viewers' ? 'none' : 'viewers')}>
              Viewers
            </button>
            <button type="button" class="danger" aria-expanded={panel === 'delete'} onClick={() => setPanel(panel === 'delete' ? 'none' : 'delete')}>
              Delete story
            </button>
          </footer>
        )}
        {panel === 'viewers' && <StoryViewersList key={story.id} storyId={story.id} onClose={() => setPanel('none')} />}
        {panel === 'delete' && (
          <div class="story-panel" role="group" aria-label="Delete this story">
            <p>Delete this story? It cannot be undone.</p>
            <button type="button" class="danger primary" disabled={deleting} onClick={() => void remove()}>
              {deleting ? 'Deleting…' : 'Delete'}
            </button>
            <button type="button" onClick={() => setPanel('none')}>
              Cancel
            </button>
          </div>
        )}
        {error !== null && <ErrorMessage error={error} />}
        <p class="visually-hidden" aria-live="polite">
          {paused ? 'Paused' : ''}
        </p>
      </div>
    </div>
  );
};

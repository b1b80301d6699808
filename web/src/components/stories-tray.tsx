import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api/client';
import { getSession } from '../session';
import { AddStoryInput, AddStoryStatus, useAddStory } from './add-story';
import { Avatar } from './avatar';
import { StoryViewer } from './story-viewer';
import { STORIES_CHANGED, unseenCount, withSeen, without, type TrayEntry } from './stories-model';
import { ErrorMessage } from './status';
import './stories.css';

// The stories tray at the top of the home feed (GET /api/v1/stories/feed): one's own first with
// the "Add story" control, then the followed authors, a ring around those with unseen stories.
// The row keeps its height while loading, so the feed below does not move. While Redis cannot
// answer, the API says so with `x-degraded: stories` and an empty tray: the tray says stories are
// unavailable for now, and one can still post one.

const label = (entry: TrayEntry, mine: boolean) => {
  const count = entry.stories.length;
  if (mine) return `Your story, ${count} ${count === 1 ? 'story' : 'stories'}`;
  const unseen = unseenCount(entry);
  return `Stories of @${entry.author.username}, ${unseen > 0 ? `${unseen} new` : 'all seen'}`;
};

export const StoriesTray = () => {
  const me = getSession();
  const [entries, setEntries] = useState<TrayEntry[] | null>(null);
  const [degraded, setDegraded] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [open, setOpen] = useState<number | null>(null);
  const generation = useRef(0);
  // Views sent from here: a read that races its own view's projection still shows them seen.
  const seenHere = useRef(new Set<string>());

  const load = useCallback(async () => {
    const mine = ++generation.current;
    setError(null);
    try {
      let down = false;
      // fresh: one's own view, post or share just made shows in the answer (README "Read-your-writes").
      const tray = await api.get('/api/v1/stories/feed', { fresh: true, onHeaders: (headers) => (down = (headers.get('x-degraded') ?? '').includes('stories')) });
      if (mine !== generation.current) return;
      setEntries([...seenHere.current].reduce(withSeen, tray.items));
      setDegraded(down);
    } catch (failure) {
      if (mine === generation.current) setError(failure);
    }
  }, []);

  useEffect(() => {
    void load();
    const reload = () => void load();
    window.addEventListener(STORIES_CHANGED, reload);
    return () => window.removeEventListener(STORIES_CHANGED, reload);
  }, [load]);

  const add = useAddStory(() => void load());
  // One's own live stories get the ring too: one's own views are not counted.
  const own = entries?.find((entry) => entry.author.id === me?.userId);
  const others = entries?.filter((entry) => entry !== own) ?? [];
  const shown = own ? [own, ...others] : others;

  return (
    <section class="stories" aria-label="Stories">
      <ul class="stories-tray" aria-busy={entries === null && error === null}>
        <li class="story-slot own">
          {own ? (
            <button type="button" class="story-open" data-unseen="true" aria-label={label(own, true)} onClick={() => setOpen(0)}>
              <span class="story-ring">{me && <Avatar avatar={own.author.avatar ?? null} name={own.author.displayName || own.author.username} size={56} />}</span>
              <span class="story-name">Your story</span>
            </button>
          ) : (
            <span class="story-open placeholder" aria-hidden="true">
              <span class="story-ring">{me && <Avatar avatar={null} name={me.username} size={56} />}</span>
              <span class="story-name">Your story</span>
            </span>
          )}
          <AddStoryInput add={add} />
        </li>
        {others.map((entry) => (
          <li class="story-slot" key={entry.author.id}>
            <button type="button" class="story-open" data-unseen={String(entry.hasUnseen)} aria-label={label(entry, false)} onClick={() => setOpen(shown.indexOf(entry))}>
              <span class="story-ring">
                <Avatar avatar={entry.author.avatar ?? null} name={entry.author.displayName || entry.author.username} size={56} />
              </span>
              <span class="story-name">{entry.author.username}</span>
            </button>
          </li>
        ))}
      </ul>
      <AddStoryStatus add={add} />
      {entries === null && error === null && (
        <p class="visually-hidden" role="status">
          Loading stories…
        </p>
      )}
      {degraded && <p class="stories-note">Stories are unavailable right now. Try again in a moment.</p>}
      {error !== null && <ErrorMessage error={error} onRetry={() => void load()} />}
      {open !== null && shown.length > 0 && (
        <StoryViewer
          entries={shown}
          start={open}
          meId={me?.userId ?? ''}
          onSeen={(storyId) => {
            seenHere.current.add(storyId);
            setEntries((current) => current && withSeen(current, storyId));
          }}
          onDeleted={(storyId) => setEntries((current) => current && without(current, storyId))}
          onClose={() => {
            setOpen(null);
            void load();
          }}
        />
      )}
    </section>
  );
};

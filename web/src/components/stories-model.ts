import type { Answer } from '../api/client';

// The stories tray's shapes (GET /api/v1/stories/feed) and the steps the tray and the viewer share.

export type TrayEntry = Answer<'/api/v1/stories/feed', 'get'>['items'][number];
export type Story = TrayEntry['stories'][number];
export type StoryAuthor = TrayEntry['author'];

/** Said whenever one's own stories change elsewhere (a post shared to one's story): the tray reads them again. */
export const STORIES_CHANGED = 'instagram-es:stories-changed';
export const storiesChanged = () => window.dispatchEvent(new Event(STORIES_CHANGED));

/** Where a viewer starts in an author's stories: the first unseen one, else the first. */
export const startOf = (entry: TrayEntry) => Math.max(0, entry.stories.findIndex((story) => !story.seen));

export const unseenCount = (entry: TrayEntry) => entry.stories.filter((story) => !story.seen).length;

/** The entries with one story marked seen (and each author's ring recomputed). */
export const withSeen = (entries: TrayEntry[], storyId: string): TrayEntry[] =>
  entries.map((entry) => {
    if (!entry.stories.some((story) => story.id === storyId)) return entry;
    const stories = entry.stories.map((story) => (story.id === storyId ? { ...story, seen: true } : story));
    return { ...entry, stories, hasUnseen: stories.some((story) => !story.seen) };
  });

/** The entries without one story (deleted), and without an author left with none. */
export const without = (entries: TrayEntry[], storyId: string): TrayEntry[] =>
  entries.map((entry) => ({ ...entry, stories: entry.stories.filter((story) => story.id !== storyId) })).filter((entry) => entry.stories.length > 0);

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'always', style: 'narrow' });

/** "now", "5m ago", "3h ago": a story lives a day at most. */
export const ago = (iso: string, now = Date.now()) => {
  const minutes = Math.max(0, Math.round((now - Date.parse(iso)) / 60_000));
  if (minutes < 1) return 'now';
  return minutes < 60 ? relative.format(-minutes, 'minute') : relative.format(-Math.round(minutes / 60), 'hour');
};

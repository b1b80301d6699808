import { pageLimit, toPage, type Page, type PageRequest } from '../runtime/page.js';
import { decodeViewerCursor, viewerSortKey } from './viewer-cursor.js';
import { msOf } from './story-records.js';
import type { StoriesStore, Story, StoryViewer } from './stories-store.js';

// The stories read side, on either adapter. Reads take the clock as an argument and hide a
// story once its expiresAt has passed, whether or not StoryExpired has been projected yet (the
// expiry process may be behind, or down).

/** A date, or an ISO-8601 string. */
export type Instant = Date | string;

export type TrayStory = Story & { seen: boolean };

export interface TrayEntry {
  authorId: string;
  /** Oldest first, as they play. */
  stories: TrayStory[];
  hasUnseen: boolean;
  latestPostedAt: string;
}

export interface StoriesReader {
  /** Per requested author (every one is a key), their live stories, oldest first. */
  activeStories(authorIds: readonly string[], now: Instant): Promise<Map<string, Story[]>>;
  /**
   * Authors with live stories: those with unseen ones first, then the most recent poster first.
   * `shown`, when given, keeps only the stories it names of those live (a shared story whose post
   * the viewer may not see: read-api/story-shares.ts), before the tray is ordered.
   */
  tray(viewerId: string, followedAuthorIds: readonly string[], now: Instant, shown?: (live: readonly Story[]) => Promise<ReadonlySet<string>>): Promise<TrayEntry[]>;
  seenBy(viewerId: string, storyIds: readonly string[]): Promise<Set<string>>;
  /** The story, or null when unknown; given `now`, an active story past its expiry reads as expired. */
  story(storyId: string, now?: Instant): Promise<Story | null>;
  /** Who viewed the story, newest first; 20 a page unless asked, at most 100. Throws AppError('INVALID_CURSOR') for a cursor it did not make. */
  viewers(storyId: string, page?: PageRequest): Promise<Page<StoryViewer>>;
  /** Stories due (expiresAt <= now) that are neither expired nor deleted in the read model, earliest first. */
  dueForExpiry(now: Instant, limit: number): Promise<string[]>;
}

const msAt = (now: Instant): number => (typeof now === 'string' ? msOf(now) : now.getTime());

/** Unseen first, then the latest story first; the author id settles ties so the order is stable. */
const trayOrder = (a: TrayEntry, b: TrayEntry): number =>
  Number(b.hasUnseen) - Number(a.hasUnseen) ||
  msOf(b.latestPostedAt) - msOf(a.latestPostedAt) ||
  (a.authorId < b.authorId ? -1 : a.authorId > b.authorId ? 1 : 0);

export const createStoriesReader = (store: StoriesStore): StoriesReader => ({
  activeStories: (authorIds, now) => store.liveStories(authorIds, msAt(now)),

  async tray(viewerId, followedAuthorIds, now, shown) {
    const authors = [...new Set(followedAuthorIds)];
    const live = await store.liveStories(authors, msAt(now));
    const kept = shown ? await shown([...live.values()].flat()) : undefined;
    const seen = await store.seenBy(viewerId, [...live.values()].flat().map((story) => story.id));
    const entries: TrayEntry[] = [];
    for (const [authorId, all] of live) {
      const stories = kept ? all.filter((story) => kept.has(story.id)) : all;
      if (stories.length === 0) continue;
      const marked = stories.map((story) => ({ ...story, seen: seen.has(story.id) }));
      entries.push({
        authorId,
        stories: marked,
        hasUnseen: marked.some((story) => !story.seen),
        // Oldest first, so the last one is the latest.
        latestPostedAt: marked.at(-1)!.postedAt,
      });
    }
    return entries.sort(trayOrder);
  },

  seenBy: (viewerId, storyIds) => store.seenBy(viewerId, storyIds),

  async story(storyId, now) {
    const story = await store.story(storyId);
    if (!story || now === undefined || story.state !== 'active') return story;
    return msOf(story.expiresAt) <= msAt(now) ? { ...story, state: 'expired' } : story;
  },

  async viewers(storyId, page = {}) {
    const limit = pageLimit(page);
    const after = page.cursor ? decodeViewerCursor(page.cursor) : null;
    // One more than asked tells whether a next page exists without a second query.
    const rows = await store.viewers(storyId, after, limit + 1);
    return toPage(rows, limit, viewerSortKey, ({ viewerId, viewedAt }) => ({ viewerId, viewedAt }));
  },

  dueForExpiry: (now, limit) => store.dueForExpiry(msAt(now), Math.max(1, Math.trunc(limit))),
});

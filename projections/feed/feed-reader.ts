import { decodeFeedCursor, encodeFeedCursor } from './feed-cursor.js';
import type { FeedEntry, FeedKey, FeedStore } from './feed-store.js';
import { furthest, justAbove, mergeNewest } from './newest-first.js';

// Reading home feeds (docs/architecture.md "Projections"): newest first by (score, postId), in keyset pages.
//
// A home feed is, by definition, the posts of the authors the user follows plus their own,
// minus deleted ones. Above the feed's floor that is the pushed feed merged with the timelines
// of the pulled (celebrity) authors the user follows; at or below the floor (past the cap, or
// past what a backfill copied) it is the merge of the timelines of every followed author and
// the user's own, so the feed never "runs out". Deleted posts are filtered out on every read.

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

export interface FeedPageRequest {
  /** From a previous page's nextCursor; absent for the first page. */
  cursor?: string | null;
  /** Default 20, at most 100. */
  limit?: number;
}

export interface FeedPage {
  postIds: string[];
  /** Null on the last page. */
  nextCursor: string | null;
}

export interface FeedReader {
  homeFeed(userId: string, request?: FeedPageRequest): Promise<FeedPage>;
  /** One author's posts, newest first (the profile grid). */
  userTimeline(authorId: string, request?: FeedPageRequest): Promise<FeedPage>;
}

/** Up to `want` entries strictly after `after`, newest first; fewer only when there are no more. */
type Source = (after: FeedKey | null, want: number) => Promise<FeedEntry[]>;

const pageSize = (limit: number | undefined): number =>
  Math.min(MAX_PAGE_SIZE, Math.max(1, Math.trunc(Number.isFinite(limit) ? limit! : DEFAULT_PAGE_SIZE)));

const readPage = async (store: FeedStore, source: Source, request: FeedPageRequest): Promise<FeedPage> => {
  const limit = pageSize(request.limit);
  let after = request.cursor ? decodeFeedCursor(request.cursor) : null;
  // One entry more than the page tells whether another page follows.
  const kept: FeedEntry[] = [];
  while (kept.length <= limit) {
    const want = limit + 1 - kept.length;
    const entries = await source(after, want);
    const deleted = await store.deletedAmong(entries.map((entry) => entry.postId));
    kept.push(...entries.filter((entry) => !deleted.has(entry.postId)));
    if (entries.length < want) break;
    after = entries.at(-1)!;
  }
  const page = kept.slice(0, limit);
  return { postIds: page.map((entry) => entry.postId), nextCursor: kept.length > limit ? encodeFeedCursor(page.at(-1)!) : null };
};

const homeSource = async (store: FeedStore, userId: string): Promise<Source> => {
  const [following, floor] = await Promise.all([store.following(userId), store.feedFloor(userId)]);
  const states = await store.celebrityStates(following);
  const pulled = following.filter((authorId) => states.has(authorId));
  const everyone = [userId, ...following];
  return async (after, want) => {
    let above: FeedEntry[] = [];
    if (floor === null || after === null || after.score > floor) {
      const range = { after, minScore: floor === null ? null : floor + 1, limit: want };
      const [pushed, pulledTimelines] = await Promise.all([store.feed(userId, range), store.timelines(pulled, range)]);
      above = mergeNewest([pushed, ...pulledTimelines], want);
      if (above.length === want || floor === null) return above;
    }
    const rest = want - above.length;
    const below = await store.timelines(everyone, { after: furthest(after, justAbove(floor!)), limit: rest });
    return [...above, ...mergeNewest(below, rest)];
  };
};

export const createFeedReader = (store: FeedStore): FeedReader => ({
  homeFeed: async (userId, request = {}) => readPage(store, await homeSource(store, userId), request),
  userTimeline: (authorId, request = {}) =>
    readPage(store, async (after, want) => (await store.timelines([authorId], { after, limit: want }))[0] ?? [], request),
});

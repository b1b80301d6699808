import type { ProfilesReader } from '../projections/profiles/profiles-reader.js';
import type { FeedReader } from '../projections/feed/feed-reader.js';
import type { Marks } from './card-cache.js';
import type { DegradedReads } from './degraded.js';

// The viewer's own marks on posts (likedByMe, bookmarkedByMe), which no card holds: a port, so
// that the post page and the home feed can take them from wherever they are cheapest. With Redis,
// the feed read model's sets answer (one round trip: the home feed's script reads the same sets);
// while Redis cannot answer for the feed (read-api/degraded.ts), or without Redis, the profiles
// read model does (one query), so the post page never needs Redis.

/**
 * Each post id (lowercased) of `postIds` to the viewer's marks on it. `readThrough` (a
 * ?minPosition= read, which waits for the profiles read model only) asks the profiles read model.
 */
export type ViewerMarks = (viewerId: string, postIds: readonly string[], options?: { readThrough?: boolean }) => Promise<Map<string, Marks>>;

/** The marks from the live profiles read model, in one query. */
export const sqlViewerMarks =
  (profiles: () => Pick<ProfilesReader, 'viewerMarks'>): ViewerMarks =>
  async (viewerId, postIds) => {
    const marks = await profiles().viewerMarks(viewerId, postIds);
    return new Map([...marks].map(([id, { liked, bookmarked }]) => [id, { likedByMe: liked, bookmarkedByMe: bookmarked }]));
  };

/** The marks from the live feed read model, or `fallback` while Redis cannot answer for it. */
export const feedViewerMarks =
  (feed: () => Pick<FeedReader, 'marksAmong'>, fallback: ViewerMarks, degraded: Pick<DegradedReads, 'unavailable' | 'isRedisFailure'>): ViewerMarks =>
  async (viewerId, postIds, options = {}) => {
    if (options.readThrough || degraded.unavailable('feed')) return fallback(viewerId, postIds);
    const ids = postIds.map((postId) => postId.toLowerCase());
    try {
      const { liked, saved } = await feed().marksAmong(viewerId, ids);
      return new Map(ids.map((id) => [id, { likedByMe: liked.has(id), bookmarkedByMe: saved.has(id) }]));
    } catch (error) {
      if (degraded.isRedisFailure(error)) return fallback(viewerId, postIds);
      throw error;
    }
  };

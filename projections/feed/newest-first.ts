import { isAfter, newestFirst, type FeedEntry, type FeedKey } from './feed-store.js';

/**
 * The newest `limit` entries of several newest-first lists, without repeats (a post pushed
 * into a feed and also pulled from its author's timeline). Each list must hold at least its own
 * newest `limit` entries of the range asked for; then the result is the range's true top `limit`.
 */
export const mergeNewest = (lists: readonly (readonly FeedEntry[])[], limit: number): FeedEntry[] => {
  const byId = new Map<string, FeedEntry>();
  for (const list of lists) for (const entry of list) byId.set(entry.postId, entry);
  return [...byId.values()].sort(newestFirst).slice(0, limit);
};

/** Of two keyset positions, the one further along in newest-first order (null: the start). */
export const furthest = (a: FeedKey | null, b: FeedKey): FeedKey => (a !== null && isAfter(a, b) ? a : b);

/** The keyset position just before every entry scored at or below `score`. */
export const justAbove = (score: number): FeedKey => ({ score, postId: '\uffff' });

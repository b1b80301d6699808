// Redis keys of the feed read model, all under one prefix so that a rebuild can
// write a new generation beside the live one. No command spans two keys, except that a user's
// feed and its floor share a hash tag ({userId}): they sit in one slot of a Redis Cluster, so the
// floor is raised on the same connection, before the trim that needs it.
export const feedKeys = (prefix: string) => ({
  /** Sorted set: post ids scored by createdAt (ms); at most feedCap members. */
  feed: (userId: string) => `${prefix}feed:{${userId}}`,
  /** Sorted set with one member, 'floor', scored by the feed's floor (raised with ZADD GT). */
  floor: (userId: string) => `${prefix}feed-floor:{${userId}}`,
  /** Sorted set: the author's live posts scored by createdAt (ms); not capped. */
  timeline: (authorId: string) => `${prefix}feed-timeline:${authorId}`,
  followers: (userId: string) => `${prefix}feed-followers:${userId}`,
  following: (userId: string) => `${prefix}feed-following:${userId}`,
  /** Hash: authorId -> CelebrityState, for the authors pulled at read time. */
  celebrities: `${prefix}feed-celebrities`,
  /** Set of deleted post ids. */
  deleted: `${prefix}feed-deleted`,
});

/** SCAN patterns covering every key above (and no key of the stories read model under the same prefix). */
export const feedKeyPatterns = (prefix: string): string[] => [`${prefix}feed:*`, `${prefix}feed-*`];

export type FeedKeys = ReturnType<typeof feedKeys>;

export const FLOOR_MEMBER = 'floor';

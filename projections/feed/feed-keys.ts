// Redis keys of the feed read model, all under one prefix so that a rebuild can
// write a new generation beside the live one. No command spans two keys, except the scripts over
// one user's keys: a user's feed, floor, following set and viewer marks share a hash tag
// ({userId}), so they sit in one slot of a Redis Cluster, where the settle script raises the
// floor before the trim that needs it and the home-page script reads them all at once
// (feed-store-redis.ts).
export const feedKeys = (prefix: string) => ({
  /** Sorted set: post ids scored by createdAt (ms); at most feedCap members. */
  feed: (userId: string) => `${prefix}feed:{${userId}}`,
  /** Sorted set with one member, 'floor', scored by the feed's floor (raised with ZADD GT). */
  floor: (userId: string) => `${prefix}feed-floor:{${userId}}`,
  /** Sorted set: the author's live posts scored by createdAt (ms); not capped. */
  timeline: (authorId: string) => `${prefix}feed-timeline:${authorId}`,
  followers: (userId: string) => `${prefix}feed-followers:${userId}`,
  /** Set of followee ids; in the user's slot, for the home-page script. */
  following: (userId: string) => `${prefix}feed-following:{${userId}}`,
  /** Set of the post ids the user likes. */
  liked: (userId: string) => `${prefix}feed-liked:{${userId}}`,
  /** Set of the post ids the user bookmarked. */
  saved: (userId: string) => `${prefix}feed-saved:{${userId}}`,
  /** Set of the hashtags the user follows; in the user's slot, for the home-page script. */
  tags: (userId: string) => `${prefix}feed-tags:{${userId}}`,
  /** Set of the user ids following the tag (tags hold no braces: domain/post/caption.ts). */
  tagFollowers: (tag: string) => `${prefix}feed-tag-followers:${tag}`,
  /** Sorted set: the live posts created with the tag, scored by createdAt (ms); not capped. */
  tagTimeline: (tag: string) => `${prefix}feed-tag-timeline:${tag}`,
  /** Hash: post id -> JSON [authorId, ...tags] of each live tagged post. */
  postTags: `${prefix}feed-post-tags`,
  /**
   * Hash: authorId -> CelebrityState, for the authors pulled at read time, and the field
   * CELEBRITY_VERSION_FIELD: a random id written with every change (one script), which readers
   * check their in-process copy against.
   */
  celebrities: `${prefix}feed-celebrities`,
  /** Set of deleted post ids. */
  deleted: `${prefix}feed-deleted`,
});

/** SCAN patterns covering every key above (and no key of the stories read model under the same prefix). */
export const feedKeyPatterns = (prefix: string): string[] => [`${prefix}feed:*`, `${prefix}feed-*`];

export type FeedKeys = ReturnType<typeof feedKeys>;

export const FLOOR_MEMBER = 'floor';

/** The field of the celebrity hash that changes with every write to it (never a user id: ids are UUIDs). */
export const CELEBRITY_VERSION_FIELD = '#version';

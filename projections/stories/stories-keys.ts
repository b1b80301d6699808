// Redis keys of the stories read model, all under one prefix (each generation its own) so that a rebuild
// can write a new generation beside the live one. No command ever spans two of these keys, so
// they may sit in any slots of a Redis Cluster.
export const storiesKeys = (prefix: string) => ({
  /** Hash: authorId, media (JSON), postedAtMs, expiresAtMs, and deletedAtMs / expiredAtMs once ended. */
  story: (storyId: string) => `${prefix}stories:story:${storyId}`,
  /** Sorted set of every story the author posted, scored by expiresAt (ms): live ones are a range. */
  byAuthor: (authorId: string) => `${prefix}stories:author:${authorId}`,
  /** Sorted set of viewers, all scored 0, members `viewedAtMs|viewerId` (see viewer-member.ts). */
  viewers: (storyId: string) => `${prefix}stories:viewers:${storyId}`,
  /** Set of the story ids a viewer has seen. */
  seen: (viewerId: string) => `${prefix}stories:seen:${viewerId}`,
  /** Sorted set of stories not yet ended, scored by expiresAt (ms): the expiry process's queue. */
  due: `${prefix}stories:due`,
});

/** A SCAN pattern covering every key above (and no key of the feed read model under the same prefix). */
export const storiesKeyPatterns = (prefix: string): string[] => [`${prefix}stories:*`];

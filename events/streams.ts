// Stream ids. Facts about a pair that must be unique or idempotent get a stream of their own,
// so that no stream grows with popularity (a post with a million likes keeps a short stream).
export const streams = {
  user: (userId: string) => `user-${userId}`,
  username: (username: string) => `username-${username.toLowerCase()}`,
  post: (postId: string) => `post-${postId}`,
  comment: (commentId: string) => `comment-${commentId}`,
  story: (storyId: string) => `story-${storyId}`,
  follow: (followerId: string, followeeId: string) => `follow-${followerId}-${followeeId}`,
  block: (blockerId: string, blockedId: string) => `block-${blockerId}-${blockedId}`,
  mute: (muterId: string, mutedId: string) => `mute-${muterId}-${mutedId}`,
  /** One (user, hashtag) pair; the tag as normalised (kernel/hashtags.ts normalizeHashtag). */
  hashtagFollow: (userId: string, tag: string) => `hashtagfollow-${userId}-${tag}`,
  like: (postId: string, userId: string) => `like-${postId}-${userId}`,
  bookmark: (userId: string, postId: string) => `bookmark-${userId}-${postId}`,
  /** One owner's named collection of saved posts (the posts themselves stay bookmarked on their bookmark- streams). */
  collection: (collectionId: string) => `collection-${collectionId}`,
  storyView: (storyId: string, viewerId: string) => `storyview-${storyId}-${viewerId}`,
  /** One upload's life, from the presigned URL to its deletion. */
  media: (mediaId: string) => `media-${mediaId}`,
  /** What one user has marked read among their notifications. */
  notifications: (userId: string) => `notifications-${userId}`,
} as const;

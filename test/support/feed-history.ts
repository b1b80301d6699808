import type { HistoryEvent } from './history-arbitraries.js';

// The feed projection's inputs as history events (toRecordedEvents turns them into a log), at one
// fixed instant: the follows, unfollows and posts the feed tests and the fan-out benches feed it.
export const FEED_HISTORY_AT = '2025-03-01T12:00:00.000Z';

export const followed = (followerId: string, followeeId: string, at = FEED_HISTORY_AT): HistoryEvent => ({
  type: 'Followed',
  streamId: `follow-${followerId}-${followeeId}`,
  data: { followerId, followeeId, followedAt: at },
  at,
});

export const unfollowed = (followerId: string, followeeId: string, at = FEED_HISTORY_AT): HistoryEvent => ({
  type: 'Unfollowed',
  streamId: `follow-${followerId}-${followeeId}`,
  data: { followerId, followeeId, reason: 'unfollowed' },
  at,
});

export const posted = (postId: string, authorId: string, at = FEED_HISTORY_AT): HistoryEvent => ({
  type: 'PostCreated',
  streamId: `post-${postId}`,
  data: { postId, authorId, caption: 'hi', hashtags: [], mentions: [], media: [{ url: 'https://cdn.example.com/a.jpg', type: 'image' }], createdAt: at },
  at,
});

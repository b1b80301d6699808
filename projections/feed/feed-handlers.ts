import type { EventsOf } from '../../events/index.js';
import { blockEvents, bookmarkEvents, hashtagFollowEvents, likeEvents } from '../runtime/event-families.js';
import { everyTypeHandled } from '../runtime/projection.js';
import { backfillFeed, backfillTag, removeAuthorFromFeed, removeTagFromFeed } from './backfill.js';
import { forEachBounded } from './bounded.js';
import { promoteIfCelebrity, reconcileCelebrity } from './celebrity.js';
import type { FanOut } from './fan-out.js';
import type { FeedTunables } from './feed-options.js';
import type { FeedEntry, FeedStore } from './feed-store.js';

// What each event does to the feed read model. Every step is idempotent, so an event applied
// twice changes nothing. Events of different streams may come in any order and run at once (a
// Followed before its followee's PostCreated, in another instance): where a post's fan-out and
// a new follower's backfill meet, each side first WRITES its own fact (the post into the
// author's timeline; the follower into the author's followers) and only then READS the other's
// (the followers; the timeline), so at least one of the two sees the other.

export const feedEventTypes = ['PostCreated', 'PostDeleted', 'Followed', 'Unfollowed', ...blockEvents, ...likeEvents, ...bookmarkEvents, ...hashtagFollowEvents, 'AccountErased'] as const;
export type FeedEvent = EventsOf<(typeof feedEventTypes)[number]>;

export interface FeedContext {
  store: FeedStore;
  fanOut: FanOut;
  tunables: FeedTunables;
  /** The batch comes from a replay: chunks carry it, so that their delivery pushes nothing. */
  replay: boolean;
}

export const applyFeedEvent = async (context: FeedContext, event: FeedEvent): Promise<void> => {
  switch (event.type) {
    case 'PostCreated':
      return postCreated(context, event.data);
    case 'PostDeleted':
      return postDeleted(context, event.data);
    case 'Followed':
      return followed(context, event.data);
    case 'Unfollowed':
      return unfollowed(context, event.data);
    case 'Blocked':
      return blocked(context, event.data);
    case 'Unblocked':
      return unblocked(context, event.data);
    // Viewer marks, as sets: a (user, post) pair's like and unlike share the stream
    // like-{postId}-{userId} (bookmarks: bookmark-{userId}-{postId}, events/streams.ts), and the
    // projection applies a stream's events in log order (feed-batch.ts; instances split the
    // log by stream), a re-applied batch included, so the pair's last event is the one that stands.
    case 'Liked':
      return context.store.addMark('liked', event.data.userId, event.data.postId);
    case 'Unliked':
      return context.store.removeMark('liked', event.data.userId, event.data.postId);
    case 'Bookmarked':
      return context.store.addMark('saved', event.data.userId, event.data.postId);
    case 'Unbookmarked':
      return context.store.removeMark('saved', event.data.userId, event.data.postId);
    case 'HashtagFollowed':
      return hashtagFollowed(context, event.data);
    case 'HashtagUnfollowed':
      return hashtagUnfollowed(context, event.data);
    case 'AccountErased':
      return accountErased(context, event.data);
    default:
      return everyTypeHandled(event);
  }
};

type DataOf<T extends FeedEvent['type']> = Extract<FeedEvent, { type: T }>['data'];

const postCreated = async (context: FeedContext, { postId, authorId, createdAt, hashtags }: DataOf<'PostCreated'>) => {
  const { store } = context;
  const score = Date.parse(createdAt);
  await Promise.all([store.addToTimeline(authorId, { postId, score }), store.addToTagTimelines([{ postId, authorId, score, tags: hashtags }])]);
  // Authors see their own posts in their home feed, celebrities included.
  await store.pushToFeeds([authorId], { postId, score });
  // A celebrity's tagged post goes to the tags' followers all the same: they do not pull the author.
  await fanOutToTags(context, { postId, authorId, score, tags: hashtags });
  // Pulled at read time, and pushed to no stream: announcing it would be the very fan-out to
  // every follower that the pull path exists to avoid; followers see it when they next read.
  if ((await reconcileCelebrity(context, authorId)) === 'celebrity') return;
  await fanOutPost(context, { postId, authorId, score });
};

/**
 * Publishes a post to the followers of each hashtag it was created with, chunk by chunk, as an
 * author's fan-out is (the chunk names the tag, so its delivery checks the tag follow). A user
 * following the author and a tag gets the post twice: a push is a set addition. The author's
 * privacy is not known here: a private author's post reaches its tags' followers' feeds, and is
 * shown only to those the access rule lets see it (read-api/card-cache.ts visiblePosts).
 */
export const fanOutToTags = async ({ store, fanOut, tunables, replay }: FeedContext, { postId, authorId, score, tags }: { postId: string; authorId: string; score: number; tags: readonly string[] }) => {
  for (const tag of tags) {
    await forEachBounded(store.tagFollowerChunks(tag, tunables.chunkSize), tunables.fanOutConcurrency, (followerIds) =>
      fanOut.publish({ postId, authorId, score, followerIds, tag, ...(replay ? { replay } : {}) }),
    );
  }
};

/** Publishes a post to its author's followers, chunk by chunk as the follower set is walked. */
export const fanOutPost = async ({ store, fanOut, tunables, replay }: FeedContext, { postId, authorId, score }: { postId: string; authorId: string; score: number }) => {
  await forEachBounded(store.followerChunks(authorId, tunables.chunkSize), tunables.fanOutConcurrency, (followerIds) =>
    fanOut.publish({ postId, authorId, score, followerIds, ...(replay ? { replay } : {}) }),
  );
};

const postDeleted = async ({ store, tunables }: FeedContext, { postId, authorId }: DataOf<'PostDeleted'>) => {
  // Marked first: whatever copy a concurrent push or backfill still lands is never served, and
  // those read the mark after writing and take their copy out again.
  await store.markDeleted(postId);
  await store.removeFromTimeline(authorId, postId);
  await store.removeFromFeeds([authorId], postId);
  // The tags' followers' copies, then the tags themselves (last: a retry still finds them).
  for (const tag of (await store.postTags([postId])).get(postId)?.tags ?? []) {
    for await (const followerIds of store.tagFollowerChunks(tag, tunables.chunkSize)) await store.removeFromFeeds(followerIds, postId);
  }
  await store.removeFromTagTimelines(postId);
  // A celebrity's post went to no follower's feed (bar copies pushed before the promotion,
  // which the mark hides until they are trimmed): no need to visit every follower.
  if ((await store.celebrityStates([authorId])).get(authorId) === 'celebrity') return;
  for await (const followerIds of store.followerChunks(authorId, tunables.chunkSize)) {
    await store.removeFromFeeds(followerIds, postId);
  }
};

const followed = async (context: FeedContext, { followerId, followeeId }: DataOf<'Followed'>) => {
  const { store, tunables } = context;
  await store.addFollow(followerId, followeeId);
  // A celebrity's posts are pulled at read time: nothing to copy.
  if ((await promoteIfCelebrity(context, followeeId)) === 'celebrity') return;
  await backfillFeed(store, followerId, followeeId, tunables.backfillLimit);
};

const unfollowed = async (context: FeedContext, { followerId, followeeId }: DataOf<'Unfollowed'>) => {
  // Whatever the reason ('unfollowed' or 'blocked').
  await context.store.removeFollow(followerId, followeeId);
  await removeAuthorFromFeed(context.store, followerId, followeeId);
  await reconcileCelebrity(context, followeeId);
};

// The follows themselves end with the Unfollowed events the block appends next. A post a followed
// hashtag brought stays in the feed read model, as the tag still wants it: the access rule hides
// it on read (read-api/card-cache.ts visiblePosts), as it hides a fan-out landing after the block.
const blocked = async ({ store }: FeedContext, { blockerId, blockedId }: DataOf<'Blocked'>) => {
  await Promise.all([removeAuthorFromFeed(store, blockerId, blockedId, { byFollow: false }), removeAuthorFromFeed(store, blockedId, blockerId, { byFollow: false })]);
};

// Hashtag follows (hashtagfollow-{userId}-{tag}): as a follow, the follow is written first, then the
// tag's timeline read (a post writes its tag timeline, then reads the tag's followers).
const hashtagFollowed = async ({ store, tunables }: FeedContext, { userId, tag }: DataOf<'HashtagFollowed'>) => {
  await store.addTagFollow(userId, tag);
  await backfillTag(store, userId, tag, tunables.backfillLimit);
};

const hashtagUnfollowed = async ({ store }: FeedContext, { userId, tag }: DataOf<'HashtagUnfollowed'>) => {
  await store.removeTagFollow(userId, tag);
  await removeTagFromFeed(store, userId, tag);
};

// Blocked and Unblocked share a stream, but the follows between the two users do not: a follow
// made after an unblock may be applied BEFORE the Blocked that preceded it in the log, whose
// removal then takes out posts the follow rightly brought in. So an unblock puts back the posts
// of every follow between the two that stands now (once every event is applied, the last word
// on each pair is right: either the block with the follows it ended, or the unblock).
const unblocked = async (context: FeedContext, { blockerId, blockedId }: DataOf<'Unblocked'>) => {
  await Promise.all([refollow(context, blockerId, blockedId), refollow(context, blockedId, blockerId)]);
};

const refollow = async ({ store, tunables }: FeedContext, followerId: string, followeeId: string) => {
  if (!(await store.followersAmong(followeeId, [followerId])).has(followerId)) return;
  if ((await store.celebrityStates([followeeId])).get(followeeId) === 'celebrity') return;
  await backfillFeed(store, followerId, followeeId, tunables.backfillLimit);
};

const ERASED_TIMELINE_PAGE = 1_000;

// The erasure's cascade (PostDeleted, Unfollowed with reason 'account-erased') came first in the
// log and took the person's posts and follows out; the feed projection applies the erasure after
// the rest of its batch (feed-projection.ts), so that within a batch it comes last too. What may
// remain goes here: a post still in the timeline is marked deleted (never served, wherever a copy
// sits), then every key of the person goes (their home feed, floor, timeline, celebrity state,
// follows both ways, viewer marks; the cascade's Unliked and Unbookmarked took the marks out
// already, and end any a late instance adds back). Another instance may still apply an older cascade event of another stream
// afterwards: those only remove, and a follow it adds back is ended by the Unfollowed after it.
const accountErased = async ({ store }: FeedContext, { userId }: DataOf<'AccountErased'>) => {
  let after: FeedEntry | null = null;
  for (;;) {
    const [page = []]: FeedEntry[][] = await store.timelines([userId], { after, limit: ERASED_TIMELINE_PAGE });
    await Promise.all(page.map((entry) => store.markDeleted(entry.postId)));
    if (page.length < ERASED_TIMELINE_PAGE) break;
    after = page.at(-1)!;
  }
  await store.eraseUser(userId);
};

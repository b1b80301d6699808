import type { EventsOf } from '../../events/index.js';
import { blockEvents, bookmarkEvents, likeEvents } from '../runtime/event-families.js';
import { everyTypeHandled } from '../runtime/projection.js';
import { backfillFeed, removeAuthorFromFeed } from './backfill.js';
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

export const feedEventTypes = ['PostCreated', 'PostDeleted', 'Followed', 'Unfollowed', ...blockEvents, ...likeEvents, ...bookmarkEvents, 'AccountErased'] as const;
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
    case 'AccountErased':
      return accountErased(context, event.data);
    default:
      return everyTypeHandled(event);
  }
};

type DataOf<T extends FeedEvent['type']> = Extract<FeedEvent, { type: T }>['data'];

const postCreated = async (context: FeedContext, { postId, authorId, createdAt }: DataOf<'PostCreated'>) => {
  const { store } = context;
  const score = Date.parse(createdAt);
  await store.addToTimeline(authorId, { postId, score });
  // Authors see their own posts in their home feed, celebrities included.
  await store.pushToFeeds([authorId], { postId, score });
  // Pulled at read time, and pushed to no stream: announcing it would be the very fan-out to
  // every follower that the pull path exists to avoid; followers see it when they next read.
  if ((await reconcileCelebrity(context, authorId)) === 'celebrity') return;
  await fanOutPost(context, { postId, authorId, score });
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

// The follows themselves end with the Unfollowed events the block appends next.
const blocked = async ({ store }: FeedContext, { blockerId, blockedId }: DataOf<'Blocked'>) => {
  await Promise.all([removeAuthorFromFeed(store, blockerId, blockedId), removeAuthorFromFeed(store, blockedId, blockerId)]);
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

import type { FeedEntry, FeedStore } from './feed-store.js';

// Moving one author's posts into or out of one user's feed: a follow's backfill, a demoted
// celebrity's catch-up, an unfollow's or a block's removal.

/**
 * Pushes the newest `limit` of `newestFirst` (an author's timeline, newest first, one entry
 * more than `limit` when there are more) into the user's feed. When the author has more than
 * that, the feed is no longer complete below the oldest one pushed, so the floor rises there
 * first. Afterwards, reads which of them were deleted meanwhile (a PostDeleted on another
 * stream, maybe in another instance) and takes those out again: write, then read.
 */
export const pushNewest = async (store: FeedStore, userId: string, newestFirst: readonly FeedEntry[], limit: number): Promise<void> => {
  const pushed = newestFirst.slice(0, limit);
  if (pushed.length === 0) return;
  if (newestFirst.length > limit) await store.raiseFeedFloor(userId, pushed.at(-1)!.score);
  await store.pushToFeed(userId, pushed);
  const deleted = await store.deletedAmong(pushed.map((entry) => entry.postId));
  if (deleted.size > 0) await store.removeFromFeed(userId, [...deleted]);
};

/**
 * A follow (new, or back in force after an unblock): the followee's newest posts above the
 * follower's floor go into the follower's feed. Then reads whether the follow still stands: an
 * unfollow applied meanwhile (from another stream) may have run its removal before this push.
 */
export const backfillFeed = async (store: FeedStore, userId: string, authorId: string, limit: number): Promise<void> => {
  const floor = await store.feedFloor(userId);
  const [newest = []] = await store.timelines([authorId], { minScore: floor === null ? null : floor + 1, limit: limit + 1 });
  await pushNewest(store, userId, newest, limit);
  if (newest.length > 0 && !(await store.followersAmong(authorId, [userId])).has(userId)) {
    await store.removeFromFeed(
      userId,
      newest.map((entry) => entry.postId),
    );
  }
};

const REMOVAL_PAGE = 1_000;

/**
 * Takes the author's posts out of the user's feed: those of the author's timeline at or above
 * the feed's oldest entry (older ones cannot be in it). A fan-out chunk landing after this
 * removal takes itself out again (fan-out.ts), since the follow is gone by then.
 */
export const removeAuthorFromFeed = async (store: FeedStore, userId: string, authorId: string): Promise<void> => {
  const oldest = await store.oldestInFeed(userId);
  if (oldest === null) return;
  let after: FeedEntry | null = null;
  for (;;) {
    const [page = []]: FeedEntry[][] = await store.timelines([authorId], { after, minScore: oldest, limit: REMOVAL_PAGE });
    await store.removeFromFeed(
      userId,
      page.map((entry) => entry.postId),
    );
    if (page.length < REMOVAL_PAGE) return;
    after = page.at(-1)!;
  }
};

import type { FeedEntry, FeedStore, Follow } from './feed-store.js';

// Moving one author's posts into or out of one user's feed: a follow's backfill, a demoted
// celebrity's catch-up, an unfollow's or a block's removal.

/**
 * Pushes the newest `limit` of `newestFirst` (an author's timeline, newest first, one entry
 * more than `limit` when there are more) into the user's feed. When the author has more than
 * that, the feed is no longer complete below the oldest one pushed, so the floor rises there
 * first. Afterwards, reads which of them were deleted meanwhile (a PostDeleted on another
 * stream, maybe in another instance) and takes those out again: write, then read.
 */
export const pushNewest = (store: FeedStore, userId: string, newestFirst: readonly FeedEntry[], limit: number): Promise<void> =>
  pushNewestMany(store, [{ userId, newestFirst }], limit);

/** pushNewest into each feed, each step one bulk store call for them all. */
const pushNewestMany = async (store: FeedStore, feeds: readonly { userId: string; newestFirst: readonly FeedEntry[] }[], limit: number): Promise<void> => {
  const pushes = feeds.map(({ userId, newestFirst }) => ({ userId, entries: newestFirst.slice(0, limit), incomplete: newestFirst.length > limit }));
  const due = pushes.filter((push) => push.entries.length > 0);
  if (due.length === 0) return;
  await Promise.all(due.filter((push) => push.incomplete).map((push) => store.raiseFeedFloor(push.userId, push.entries.at(-1)!.score)));
  await store.pushToFeedMany(due);
  const deleted = await store.deletedAmong([...new Set(due.flatMap((push) => push.entries.map((entry) => entry.postId)))]);
  if (deleted.size === 0) return;
  await Promise.all(
    due.map(({ userId, entries }) => {
      const gone = entries.filter((entry) => deleted.has(entry.postId)).map((entry) => entry.postId);
      return gone.length > 0 ? store.removeFromFeed(userId, gone) : undefined;
    }),
  );
};

/**
 * A follow (new, or back in force after an unblock): the followee's newest posts above the
 * follower's floor go into the follower's feed. Then reads whether the follow still stands: an
 * unfollow applied meanwhile (from another stream) may have run its removal before this push.
 */
export const backfillFeed = (store: FeedStore, userId: string, authorId: string, limit: number): Promise<void> =>
  backfillFeeds(store, [{ followerId: userId, followeeId: authorId }], limit);

/** backfillFeed of each follow, each step one bulk store call for them all. */
export const backfillFeeds = async (store: FeedStore, follows: readonly Follow[], limit: number): Promise<void> => {
  if (follows.length === 0) return;
  // Each followee's newest, whatever the floor: those above a follower's floor are a prefix of
  // them, the very entries a read of the timeline from that floor would answer.
  const followees = [...new Set(follows.map((follow) => follow.followeeId))];
  const timelines = await store.timelines(followees, { limit: limit + 1 });
  const newestOf = new Map(followees.map((followeeId, i) => [followeeId, timelines[i]!]));
  const withPosts = follows.filter((follow) => newestOf.get(follow.followeeId)!.length > 0);
  if (withPosts.length === 0) return;
  const followers = [...new Set(withPosts.map((follow) => follow.followerId))];
  const floors = await Promise.all(followers.map((followerId) => store.feedFloor(followerId)));
  const floorOf = new Map(followers.map((followerId, i) => [followerId, floors[i]!]));
  const backfills = withPosts
    .map((follow) => {
      const floor = floorOf.get(follow.followerId)!;
      const newest = newestOf.get(follow.followeeId)!;
      return { ...follow, newest: floor === null ? newest : newest.filter((entry) => entry.score > floor) };
    })
    .filter((backfill) => backfill.newest.length > 0);
  await pushNewestMany(
    store,
    backfills.map(({ followerId, newest }) => ({ userId: followerId, newestFirst: newest })),
    limit,
  );
  const standing = await store.followersAmongMany(backfills.map(({ followerId, followeeId }) => ({ userId: followeeId, candidateIds: [followerId] })));
  await Promise.all(
    backfills.map(({ followerId, newest }, i) =>
      standing[i]!.has(followerId)
        ? undefined
        : store.removeFromFeed(
            followerId,
            newest.map((entry) => entry.postId),
          ),
    ),
  );
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

import type { FeedEntry, FeedStore, Follow } from './feed-store.js';

// Moving one author's (or one hashtag's) posts into or out of one user's feed: a follow's
// backfill, a demoted celebrity's catch-up, an unfollow's or a block's removal, a hashtag
// follow's backfill and its unfollow's removal.

/** Posts that may leave one user's feed, each with its author. */
export interface Removal {
  userId: string;
  posts: readonly { postId: string; authorId: string }[];
}

/**
 * Takes out of each feed the posts no reason wants there any more (feed-store.ts): not the
 * user's own, not by an author they follow (unless `byFollow` is false: a block's removal, whose
 * follows end with the Unfollowed events after it), not created with a tag they follow. Called
 * after the caller wrote its own change. The store decides and removes in one step
 * (removeUnwantedFromFeeds), since a hashtag follow's or a follow's backfill may push a post
 * between a read of the follows here and a removal after it (a CI failure: a block and a hashtag
 * follow of one user, applied at once, lost the post the hashtag brought). A post's tags never
 * change once created, so they are read here; a deleted post's are forgotten (its marker hides it).
 */
export const removeUnwanted = async (store: FeedStore, removals: readonly Removal[], { byFollow = true } = {}): Promise<void> => {
  const due = removals.filter((removal) => removal.posts.length > 0);
  if (due.length === 0) return;
  const postTags = await store.postTags([...new Set(due.flatMap((removal) => removal.posts.map((post) => post.postId)))]);
  await store.removeUnwantedFromFeeds(
    due.map(({ userId, posts }) => ({ userId, posts: posts.map((post) => ({ ...post, tags: postTags.get(post.postId)?.tags ?? [] })) })),
    { byFollow },
  );
};

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
  const floorOf = await store.feedFloors(followers);
  const backfills = withPosts
    .map((follow) => {
      const floor = floorOf.get(follow.followerId) ?? null;
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
  // A post a followed tag brought stays (removeUnwanted).
  await removeUnwanted(
    store,
    backfills
      .filter(({ followerId }, i) => !standing[i]!.has(followerId))
      .map(({ followerId, followeeId, newest }) => ({ userId: followerId, posts: newest.map((entry) => ({ postId: entry.postId, authorId: followeeId })) })),
  );
};

const REMOVAL_PAGE = 1_000;

/**
 * Takes the author's posts out of the user's feed: those of the author's timeline at or above
 * the feed's oldest entry (older ones cannot be in it), but those a followed tag wants there
 * (and, unless `byFollow` is false, those of a follow standing again). A fan-out chunk landing
 * after this removal takes itself out again (fan-out.ts), since the follow is gone by then.
 */
export const removeAuthorFromFeed = async (store: FeedStore, userId: string, authorId: string, { byFollow = true } = {}): Promise<void> => {
  const oldest = await store.oldestInFeed(userId);
  if (oldest === null) return;
  let after: FeedEntry | null = null;
  for (;;) {
    const [page = []]: FeedEntry[][] = await store.timelines([authorId], { after, minScore: oldest, limit: REMOVAL_PAGE });
    await removeUnwanted(store, [{ userId, posts: page.map((entry) => ({ postId: entry.postId, authorId })) }], { byFollow });
    if (page.length < REMOVAL_PAGE) return;
    after = page.at(-1)!;
  }
};

/**
 * A hashtag follow (new): the tag's newest posts above the user's floor go into their feed, as a
 * follow's backfill does (the floor rising first when the tag has more). Then reads whether the
 * tag follow still stands: an unfollow applied meanwhile may have run its removal before this push.
 */
export const backfillTag = async (store: FeedStore, userId: string, tag: string, limit: number): Promise<void> => {
  const [[newest = []], floor] = await Promise.all([store.tagTimelines([tag], { limit: limit + 1 }), store.feedFloor(userId)]);
  const above = floor === null ? newest : newest.filter((entry) => entry.score > floor);
  if (above.length === 0) return;
  await pushNewest(store, userId, above, limit);
  const [standing] = await store.tagFollowersAmongMany([{ tag, candidateIds: [userId] }]);
  if (standing!.has(userId)) return;
  await removeTagPosts(store, userId, above.slice(0, limit));
};

/** Of these posts of a tag, those no other reason wants in the user's feed go (removeUnwanted, with the posts' authors). */
const removeTagPosts = async (store: FeedStore, userId: string, entries: readonly FeedEntry[]): Promise<void> => {
  const postTags = await store.postTags(entries.map((entry) => entry.postId));
  // A post whose tags are forgotten was deleted: its marker hides it, its removal takes it out.
  const posts = entries.flatMap((entry) => {
    const tagged = postTags.get(entry.postId);
    return tagged ? [{ postId: entry.postId, authorId: tagged.authorId }] : [];
  });
  await removeUnwanted(store, [{ userId, posts }]);
};

/**
 * A hashtag unfollow: the tag's posts at or above the feed's oldest entry leave it, but those
 * another reason wants there (Mastodon's `unmerge_tag_from_home`): the user's own, a followed
 * author's, or one created with another tag the user follows.
 */
export const removeTagFromFeed = async (store: FeedStore, userId: string, tag: string): Promise<void> => {
  const oldest = await store.oldestInFeed(userId);
  if (oldest === null) return;
  let after: FeedEntry | null = null;
  for (;;) {
    const [page = []]: FeedEntry[][] = await store.tagTimelines([tag], { after, minScore: oldest, limit: REMOVAL_PAGE });
    await removeTagPosts(store, userId, page);
    if (page.length < REMOVAL_PAGE) return;
    after = page.at(-1)!;
  }
};

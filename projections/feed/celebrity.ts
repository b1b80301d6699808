import { pushNewest, removeUnwanted } from './backfill.js';
import type { FeedTunables } from './feed-options.js';
import type { CelebrityState, FeedStore } from './feed-store.js';

// Which authors are pulled at read time instead of pushed (docs/architecture.md "Feed": hybrid fan-out). The state
// follows the follower count: at or above the threshold an author is a 'celebrity'. Every post
// is either pushed into a follower's feed or its author is pulled, whatever the interleaving:
// - a post reads the state AFTER writing itself to the author's timeline, and is pushed unless
//   the author is a 'celebrity';
// - the reader pulls 'celebrity' and 'demoting' authors (the Redis store answers from a copy of
//   the states checked by their version at every read, so as the hash is then: feed-store-redis.ts);
// - falling below the threshold, an author becomes 'demoting' FIRST (still pulled), then their
//   newest posts are pushed to every follower, and only then is the state cleared. A post made
//   meanwhile either sees 'demoting' (and pushes itself) or was already in the timeline the
//   demotion read. A crash mid-way leaves 'demoting', which the next post or unfollow of the
//   author finishes.

type Context = { store: FeedStore; tunables: FeedTunables };

/**
 * Where the follower count takes an author's state. A follow only promotes (at the threshold); a
 * post or an unfollow reconciles: promotes, or demotes a pulled author below the threshold (which
 * may also have changed in the configuration).
 */
const transition = (count: number, state: CelebrityState | null, threshold: number, reconciles: boolean): 'promote' | 'demote' | 'stay' => {
  if (count >= threshold) return state === 'celebrity' ? 'stay' : 'promote';
  return reconciles && state !== null ? 'demote' : 'stay';
};

const enactTransition = async (context: Context, authorId: string, count: number, state: CelebrityState | null, reconciles: boolean) => {
  switch (transition(count, state, context.tunables.celebrityThreshold, reconciles)) {
    case 'promote':
      await context.store.setCelebrityState(authorId, 'celebrity');
      return 'celebrity';
    case 'demote':
      return demote(context, authorId);
    case 'stay':
      return state;
  }
};

/** After a follow: promotes the followee when the count reached the threshold. Returns the state. */
export const promoteIfCelebrity = (context: Context, authorId: string): Promise<CelebrityState | null> => settleCelebrities(context, [authorId], []).then((settled) => settled.get(authorId)!.state);

/** After a post or an unfollow: brings the state in line with the count, promoting or demoting. Returns the state. */
export const reconcileCelebrity = (context: Context, authorId: string): Promise<CelebrityState | null> => settleCelebrities(context, [], [authorId]).then((settled) => settled.get(authorId)!.state);

/**
 * promoteIfCelebrity of the `followees` and reconcileCelebrity of the `authors` (a batch's follows
 * and posts) with one read of their counts and states; an author in both lists is reconciled,
 * which promotes as a follow would. Returns each one's state, and the follower count read.
 */
export const settleCelebrities = async (
  context: Context,
  followees: readonly string[],
  authors: readonly string[],
): Promise<Map<string, { state: CelebrityState | null; followers: number }>> => {
  const reconciled = new Set(authors);
  const ids = [...new Set([...followees, ...authors])];
  const [counts, states] = await Promise.all([context.store.followerCounts(ids), context.store.celebrityStates(ids)]);
  const settled = await Promise.all(ids.map((id) => enactTransition(context, id, counts.get(id)!, states.get(id) ?? null, reconciled.has(id))));
  return new Map(ids.map((id, i) => [id, { state: settled[i]!, followers: counts.get(id)! }]));
};

const demote = async ({ store, tunables }: Context, authorId: string): Promise<CelebrityState | null> => {
  await store.setCelebrityState(authorId, 'demoting');
  const { backfillLimit, chunkSize, celebrityThreshold } = tunables;
  const [newest = []] = await store.timelines([authorId], { limit: backfillLimit + 1 });
  const pushedIds = newest.slice(0, backfillLimit).map((entry) => entry.postId);
  for await (const followerIds of store.followerChunks(authorId, chunkSize)) {
    await Promise.all(followerIds.map((followerId) => pushNewest(store, followerId, newest, backfillLimit)));
    // Write, then read: a follower whose unfollow was applied meanwhile gets them taken out again.
    const still = await store.followersAmong(authorId, followerIds);
    const gone = followerIds.filter((followerId) => !still.has(followerId));
    await removeUnwanted(
      store,
      gone.map((userId) => ({ userId, posts: pushedIds.map((postId) => ({ postId, authorId })) })),
    );
  }
  await store.setCelebrityState(authorId, null);
  // A follow may have lifted the count again while the posts were being pushed: clear, then read.
  if ((await store.followerCount(authorId)) < celebrityThreshold) return null;
  await store.setCelebrityState(authorId, 'celebrity');
  return 'celebrity';
};

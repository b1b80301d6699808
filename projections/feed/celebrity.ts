import { pushNewest } from './backfill.js';
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

const stateOf = async (store: FeedStore, authorId: string): Promise<CelebrityState | null> =>
  (await store.celebrityStates([authorId])).get(authorId) ?? null;

/** After a follow: promotes the followee when the count reached the threshold. Returns the state. */
export const promoteIfCelebrity = async ({ store, tunables }: Context, authorId: string): Promise<CelebrityState | null> => {
  const [count, state] = await Promise.all([store.followerCount(authorId), stateOf(store, authorId)]);
  if (count < tunables.celebrityThreshold || state === 'celebrity') return state;
  await store.setCelebrityState(authorId, 'celebrity');
  return 'celebrity';
};

/**
 * After a post or an unfollow: brings the state in line with the count (the threshold may also
 * have changed in the configuration), promoting or demoting. Returns the state.
 */
export const reconcileCelebrity = async (context: Context, authorId: string): Promise<CelebrityState | null> => {
  const { store, tunables } = context;
  const [count, state] = await Promise.all([store.followerCount(authorId), stateOf(store, authorId)]);
  if (count >= tunables.celebrityThreshold) {
    if (state !== 'celebrity') await store.setCelebrityState(authorId, 'celebrity');
    return 'celebrity';
  }
  return state === null ? null : demote(context, authorId);
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
    await Promise.all(gone.map((followerId) => store.removeFromFeed(followerId, pushedIds)));
  }
  await store.setCelebrityState(authorId, null);
  // A follow may have lifted the count again while the posts were being pushed: clear, then read.
  if ((await store.followerCount(authorId)) < celebrityThreshold) return null;
  await store.setCelebrityState(authorId, 'celebrity');
  return 'celebrity';
};

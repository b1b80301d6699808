import type { Cluster, Redis } from 'ioredis';
import { feedKeys, FLOOR_MEMBER } from './feed-keys.js';
import { assertScore, DEFAULT_FEED_CAP, type CelebrityState, type FeedEntry, type FeedStore, type RangeQuery } from './feed-store.js';

// The feed in Redis (DESIGN §5): sorted sets for feeds and timelines, sets for the graph.
// Redis-Cluster-safe: every command names one key, and commands issued together are sent
// together (give the client `enableAutoPipelining: true` to batch them into few writes).
// Nothing here uses MULTI or scripts; the orderings that matter are awaited (see pushEntries).

export interface RedisFeedStoreOptions {
  /** Prefix of every key (default 'ig:'): a rebuild writes a new generation under another. */
  prefix?: string;
  feedCap?: number;
}

type RedisClient = Redis | Cluster;

const toEntries = (flat: string[]): FeedEntry[] => {
  const entries: FeedEntry[] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) entries.push({ postId: flat[i]!, score: Number(flat[i + 1]) });
  return entries;
};

/** A newest-first range of a sorted set, resuming strictly after `range.after` (ties on score included). */
const readRange = async (client: RedisClient, key: string, { after, minScore, limit }: RangeQuery): Promise<FeedEntry[]> => {
  if (limit <= 0) return [];
  const min = minScore ?? '-inf';
  if (!after) return toEntries(await client.zrevrangebyscore(key, '+inf', min, 'WITHSCORES', 'LIMIT', 0, limit));
  if (minScore != null && after.score < minScore) return [];
  // Members tied on the cursor's score come in reverse byte order, like the keyset; they are
  // few (same millisecond), so read them all and keep those after the cursor's id.
  const [ties, older] = await Promise.all([
    client.zrevrangebyscore(key, after.score, after.score),
    client.zrevrangebyscore(key, `(${after.score}`, min, 'WITHSCORES', 'LIMIT', 0, limit),
  ]);
  const tied = ties.filter((postId) => postId < after.postId).map((postId) => ({ postId, score: after.score }));
  return [...tied, ...toEntries(older)].slice(0, limit);
};

export const createRedisFeedStore = (client: RedisClient, options: RedisFeedStoreOptions = {}): FeedStore => {
  const keys = feedKeys(options.prefix ?? 'ig:');
  const feedCap = options.feedCap ?? DEFAULT_FEED_CAP;

  /** Adds entries to feeds, then trims each feed that went over the cap. */
  const pushEntries = async (pushes: ReadonlyArray<{ userId: string; entries: readonly FeedEntry[] }>): Promise<void> => {
    const overflows = await Promise.all(
      pushes.map(async ({ userId, entries }) => {
        if (entries.length === 0) return null;
        for (const entry of entries) assertScore(entry.score);
        const key = keys.feed(userId);
        // Same key, same connection: the range reads the feed as the ZADD left it.
        const [, beyond] = await Promise.all([
          client.zadd(key, ...entries.flatMap((entry) => [entry.score, entry.postId])),
          client.zrevrange(key, feedCap, feedCap, 'WITHSCORES'),
        ]);
        return beyond.length === 2 ? { userId, cut: Number(beyond[1]) } : null;
      }),
    );
    // The floor rises before the trim removes anything, so a reader never trusts a stretch of
    // the feed with holes in it: the two keys share a slot (feed-keys.ts), so the two commands,
    // issued in this order, run in this order. Entries tied with the cut go too (the floor covers them).
    await Promise.all(
      overflows
        .filter((trim) => trim !== null)
        .flatMap(({ userId, cut }) => [client.zadd(keys.floor(userId), 'GT', cut, FLOOR_MEMBER), client.zremrangebyscore(keys.feed(userId), '-inf', cut)]),
    );
  };

  const membersIn = async (key: string, candidates: readonly string[]): Promise<Set<string>> => {
    if (candidates.length === 0) return new Set();
    const flags = await client.smismember(key, ...candidates);
    return new Set(candidates.filter((_, i) => flags[i] === 1));
  };

  return {
    feedCap,
    setup: async () => undefined,

    addToTimeline: async (authorId, entry) => {
      assertScore(entry.score);
      await client.zadd(keys.timeline(authorId), entry.score, entry.postId);
    },
    removeFromTimeline: async (authorId, postId) => {
      await client.zrem(keys.timeline(authorId), postId);
    },
    timelines: (authorIds, range) => Promise.all(authorIds.map((authorId) => readRange(client, keys.timeline(authorId), range))),

    markDeleted: async (postId) => {
      await client.sadd(keys.deleted, postId);
    },
    deletedAmong: (postIds) => membersIn(keys.deleted, postIds),

    addFollow: async (followerId, followeeId) => {
      await Promise.all([client.sadd(keys.followers(followeeId), followerId), client.sadd(keys.following(followerId), followeeId)]);
    },
    removeFollow: async (followerId, followeeId) => {
      await Promise.all([client.srem(keys.followers(followeeId), followerId), client.srem(keys.following(followerId), followeeId)]);
    },
    followerCount: (userId) => client.scard(keys.followers(userId)),
    async *followerChunks(userId, chunkSize) {
      // SSCAN returns every member present for the whole scan at least once; a repeat only
      // repeats an idempotent push.
      const pending: string[] = [];
      let cursor = '0';
      do {
        const [next, members] = await client.sscan(keys.followers(userId), cursor, 'COUNT', chunkSize);
        pending.push(...members);
        cursor = next;
        while (pending.length >= chunkSize) yield pending.splice(0, chunkSize);
      } while (cursor !== '0');
      if (pending.length > 0) yield pending;
    },
    followersAmong: (userId, candidateIds) => membersIn(keys.followers(userId), candidateIds),
    following: (userId) => client.smembers(keys.following(userId)),

    celebrityStates: async (userIds) => {
      if (userIds.length === 0) return new Map();
      const states = await client.hmget(keys.celebrities, ...userIds);
      const found = new Map<string, CelebrityState>();
      userIds.forEach((userId, i) => {
        const state = states[i];
        if (state === 'celebrity' || state === 'demoting') found.set(userId, state);
      });
      return found;
    },
    setCelebrityState: async (userId, state) => {
      if (state === null) await client.hdel(keys.celebrities, userId);
      else await client.hset(keys.celebrities, userId, state);
    },

    pushToFeeds: (userIds, entry) => pushEntries(userIds.map((userId) => ({ userId, entries: [entry] }))),
    pushToFeed: (userId, entries) => pushEntries([{ userId, entries }]),
    removeFromFeeds: async (userIds, postId) => {
      await Promise.all(userIds.map((userId) => client.zrem(keys.feed(userId), postId)));
    },
    removeFromFeed: async (userId, postIds) => {
      if (postIds.length > 0) await client.zrem(keys.feed(userId), ...postIds);
    },
    feed: (userId, range) => readRange(client, keys.feed(userId), range),
    oldestInFeed: async (userId) => {
      const [, score] = await client.zrange(keys.feed(userId), 0, 0, 'WITHSCORES');
      return score === undefined ? null : Number(score);
    },
    feedFloor: async (userId) => {
      const score = await client.zscore(keys.floor(userId), FLOOR_MEMBER);
      return score === null ? null : Number(score);
    },
    raiseFeedFloor: async (userId, score) => {
      assertScore(score);
      await client.zadd(keys.floor(userId), 'GT', score, FLOOR_MEMBER);
    },
  };
};

import type { Cluster, Redis } from 'ioredis';
import { feedKeys, FLOOR_MEMBER } from './feed-keys.js';
import { assertScore, DEFAULT_FEED_CAP, type CelebrityState, type FeedEntry, type FeedStore, type RangeQuery } from './feed-store.js';

// The feed in Redis (docs/architecture.md "Projections"): sorted sets for feeds and timelines, sets for the graph.
// Redis-Cluster-safe: every command names one key, and commands issued together are sent
// together (give the client `enableAutoPipelining: true` to batch them into few writes).
// Nothing here uses MULTI or scripts; the orderings that matter are awaited (see pushEntries).

export interface RedisFeedStoreOptions {
  /** Prefix of every key: a rebuild writes a new generation under another. */
  prefix: string;
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

// Pushing into one feed is one script: add, and when the feed goes over the cap, raise its floor
// to the first entry beyond the cap and remove everything down to it (entries tied with the cut
// go too: the floor covers them). It touches only the feed and its floor, which share a hash tag
// ({userId}, feed-keys.ts) and so a Redis Cluster slot: Cluster-safe, and one round trip per
// follower instead of two to four commands, which is what a fan-out to 10,000 followers costs.
const PUSH_SCRIPT = `
local feed, floor, cap = KEYS[1], KEYS[2], tonumber(ARGV[1])
redis.call('ZADD', feed, unpack(ARGV, 2))
if redis.call('ZCARD', feed) > cap then
  local beyond = redis.call('ZREVRANGE', feed, cap, cap, 'WITHSCORES')
  redis.call('ZADD', floor, 'GT', beyond[2], '${FLOOR_MEMBER}')
  redis.call('ZREMRANGEBYSCORE', feed, '-inf', beyond[2])
end
return 0`;
const PUSH_COMMAND = 'igFeedPush';
/** Members read per SSCAN step when an erasure walks a user's follow sets. */
const ERASE_SCAN_COUNT = 500;
/** Keeps a script's argument list well inside Lua's unpack limit. */
const MAX_ENTRIES_PER_CALL = 500;

type PushCommand = (feedKey: string, floorKey: string, cap: number, ...scoresAndIds: (string | number)[]) => Promise<unknown>;

const definePushScript = (client: RedisClient) => {
  // ioredis sends it with EVALSHA, loading it with EVAL when the server does not know it yet.
  if (!(PUSH_COMMAND in client)) client.defineCommand(PUSH_COMMAND, { numberOfKeys: 2, lua: PUSH_SCRIPT });
  const command = (client as unknown as Record<string, PushCommand>)[PUSH_COMMAND]!.bind(client);
  return (feedKey: string, floorKey: string, cap: number, scoresAndIds: (string | number)[]) => command(feedKey, floorKey, cap, ...scoresAndIds);
};

export const createRedisFeedStore = (client: RedisClient, options: RedisFeedStoreOptions): FeedStore => {
  const keys = feedKeys(options.prefix);
  const feedCap = options.feedCap ?? DEFAULT_FEED_CAP;

  const push = definePushScript(client);
  /** Adds entries to feeds, trimming each feed that goes over the cap: one script call per feed. */
  const pushEntries = async (pushes: ReadonlyArray<{ userId: string; entries: readonly FeedEntry[] }>): Promise<void> => {
    await Promise.all(
      pushes.map(async ({ userId, entries }) => {
        for (const entry of entries) assertScore(entry.score);
        for (let i = 0; i < entries.length; i += MAX_ENTRIES_PER_CALL) {
          const slice = entries.slice(i, i + MAX_ENTRIES_PER_CALL);
          await push(keys.feed(userId), keys.floor(userId), feedCap, slice.flatMap((entry) => [entry.score, entry.postId]));
        }
      }),
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

    // The other side of each follow first (one key per command, in whatever slot it sits), while
    // the user's own sets still say who they are; then each of the user's keys on its own.
    eraseUser: async (userId) => {
      const otherSides = [
        { own: keys.followers(userId), other: keys.following },
        { own: keys.following(userId), other: keys.followers },
      ];
      for (const { own, other } of otherSides) {
        let cursor = '0';
        do {
          const [next, members] = await client.sscan(own, cursor, 'COUNT', ERASE_SCAN_COUNT);
          await Promise.all(members.map((member) => client.srem(other(member), userId)));
          cursor = next;
        } while (cursor !== '0');
      }
      const own = [keys.followers(userId), keys.following(userId), keys.feed(userId), keys.floor(userId), keys.timeline(userId)];
      await Promise.all([...own.map((key) => client.del(key)), client.hdel(keys.celebrities, userId)]);
    },
  };
};

import { randomUUID } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import { CELEBRITY_VERSION_FIELD, feedKeys, FLOOR_MEMBER } from './feed-keys.js';
import { settlesOn } from './feed-options.js';
import { waitForReplicas } from '../runtime/redis-replicas.js';
import {
  assertScore,
  DEFAULT_FEED_CAP,
  type CelebrityState,
  type FeedEntry,
  type FeedStore,
  type HomeWindow,
  type PostTags,
  type RangeQuery,
  type ViewerMarks,
} from './feed-store.js';

// The feed in Redis (docs/architecture.md "Projections"): sorted sets for feeds and timelines, sets for the graph.
// Redis-Cluster-safe: every command names one key, and commands issued together are sent
// together (give the client `enableAutoPipelining: true` to batch them into few writes).
// Nothing here uses MULTI; each script sent to a Cluster touches one slot: the settle and
// home-page scripts one user's keys (one hash tag), the celebrity script the celebrity hash alone.
// The fan-out script, over many users' feeds, goes to a single server only.

export interface RedisFeedStoreOptions {
  /** Prefix of every key: a rebuild writes a new generation under another. */
  prefix: string;
  feedCap?: number;
}

type RedisClient = Redis | Cluster;

/**
 * Number(text.slice(from, to)) without the slice: a score as Redis writes an integer one (ms, at
 * most 15 digits, so exact) read digit by digit; anything else (a sign, a fraction, an exponent)
 * as Number reads it.
 */
const scoreIn = (text: string, from: number, to: number): number => {
  if (to - from > 15 || to === from) return Number(text.slice(from, to));
  let value = 0;
  for (let i = from; i < to; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return Number(text.slice(from, to));
    value = value * 10 + digit;
  }
  return value;
};

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

// Trimming at the cap is amortized (FEED_TRIM_EVERY in feed-options.ts, with its reason): a
// fan-out push is a bare ZADD, and only for one follower in FEED_TRIM_EVERY (settlesOn: a hash
// of follower and post) is it followed by a SETTLE of the feed (SETTLE_LUA, in the settle script
// below and in the fan-out script after it): when it holds more than the
// cap, its floor rises to the first entry beyond the cap and everything down to it goes (entries
// tied with the cut go too: the floor covers them). Between settles a feed may hold entries past
// the cap; no read shows them: `feed` answers only entries above the cut (the score at rank
// `cap`), and `feedFloor` is at least the cut, exactly what a trim would have left. A removal
// settles first, so hidden entries never come back into view below a floor that would then have
// fallen. A backfill (pushToFeed) always settles. The settle script touches only the feed and
// its floor, which share a hash tag ({userId}, feed-keys.ts) and so a Redis Cluster slot.
// The settle itself, shared by the scripts below (one rule, one home): Lua, feed and floor keys.
const SETTLE_LUA = `
local function settle(feed, floor, cap)
  if redis.call('ZCARD', feed) > cap then
    local beyond = redis.call('ZREVRANGE', feed, cap, cap, 'WITHSCORES')
    redis.call('ZADD', floor, 'GT', beyond[2], '${FLOOR_MEMBER}')
    redis.call('ZREMRANGEBYSCORE', feed, '-inf', beyond[2])
  end
end`;
const SETTLE_SCRIPT = `${SETTLE_LUA}
local feed, floor, cap, op = KEYS[1], KEYS[2], tonumber(ARGV[1]), ARGV[2]
if op == 'add' then redis.call('ZADD', feed, unpack(ARGV, 3)) end
settle(feed, floor, cap)
if op == 'rem' then redis.call('ZREM', feed, unpack(ARGV, 3)) end
return 0`;
const SETTLE_COMMAND = 'igFeedSettle';

// removeUnwantedFromFeeds of one user (feed-store.ts): KEYS the feed, its floor, the user's
// following set and hashtag set (one hash tag: Cluster-safe); ARGV the cap, '1' to keep the posts
// of followed authors, the user's id, then per post its id, author, tag count and tags. Settles
// first, as every removal does. Run alone on the server, so no follow or push lands between the
// reads of the follows and the removal.
const REMOVE_UNWANTED_SCRIPT = `${SETTLE_LUA}
local feed, floor, following, tags = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local cap, byFollow, userId = tonumber(ARGV[1]), ARGV[2] == '1', ARGV[3]
settle(feed, floor, cap)
local i = 4
while i <= #ARGV do
  local postId, authorId, n = ARGV[i], ARGV[i + 1], tonumber(ARGV[i + 2])
  local wanted = authorId == userId or (byFollow and redis.call('SISMEMBER', following, authorId) == 1)
  for j = 1, n do
    if not wanted and redis.call('SISMEMBER', tags, ARGV[i + 2 + j]) == 1 then wanted = true end
  end
  if not wanted then redis.call('ZREM', feed, postId) end
  i = i + 3 + n
end
return 0`;
const REMOVE_UNWANTED_COMMAND = 'igFeedRemoveUnwanted';

// A fan-out push of one post into many feeds, on a single server, in one call: KEYS the feeds,
// then the floors of those among them whose push settles (FEED_TRIM_EVERY); ARGV the cap, the
// post's score and id, then the 1-based index among KEYS of each settling feed, in the floors'
// order. The same writes as a ZADD per feed and a settling script for the chosen few, in one
// command for the client to encode and one reply to parse, instead of one each per follower
// (which cost the client more than Redis's own work: bench:fanout). Not on a Redis Cluster,
// whose script may name keys of one slot only: there each feed gets its own command (sendAll).
const FAN_OUT_SCRIPT = `${SETTLE_LUA}
local cap, score, postId = tonumber(ARGV[1]), ARGV[2], ARGV[3]
local settling = #ARGV - 3
local feeds = #KEYS - settling
for i = 1, feeds do redis.call('ZADD', KEYS[i], score, postId) end
for j = 1, settling do settle(KEYS[tonumber(ARGV[3 + j])], KEYS[feeds + j], cap) end
return 0`;
const FAN_OUT_COMMAND = 'igFeedFanOut';
/**
 * Feeds per FAN_OUT_SCRIPT call: a call runs alone on the server, so this bounds how long it
 * holds other clients up (about a millisecond: FANOUT_CHUNK_SIZE's default).
 */
const FEEDS_PER_FAN_OUT_CALL = 1_000;
/** Members read per SSCAN step when an erasure walks a user's follow sets. */
const ERASE_SCAN_COUNT = 500;
/** Keeps a script's argument list well inside Lua's unpack limit. */
const MAX_ENTRIES_PER_CALL = 500;

// A home page's first read (HomeWindow in feed-store.ts; feed-reader.ts `homePage`), in one call
// over one user's keys (one hash tag: Cluster-safe): the floor as `feedFloor` answers it (the
// stored floor or the cut, the score at rank `cap`, whichever is higher), the feed's entries
// strictly above it and after the cursor's score (all those tied on the cursor's score, which
// the caller filters by id, then `limit` older ones: readRange's reads), the likes and bookmarks
// among them, and which of the given celebrity ids the user follows. Scores travel as the strings
// Redis keeps (exact); the caller compares ids, Lua's string order following the server's locale.
// Replies: floor (nil: none), the entries as one string 'id score id score ...', their marks as
// one string of a digit each (liked + 2 × saved, + 4 × deleted on one server), the followed
// celebrities, how many hashtags the user follows. Joined in the script, the page is 2 bulk
// strings instead of ~80 elements for the client to parse one by one (ids and scores hold no space).
//
// On a single server (no slots to stay within) the same call also reads what a Cluster needs
// other commands for, in other slots: the entries' deleted markers (KEYS[7]) and the celebrity
// hash's version (KEYS[8], the last reply), so that a warm page is ONE command, where it was the
// script, the version's HGET and the markers' SMISMEMBER (each command costs the API process
// more CPU than the script's whole answer does: bench:feed).
const homeScript = (oneServer: boolean) => `
local feed, floorKey, following, liked, saved, tags = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local cap, limit, after = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3]
local floor = redis.call('ZSCORE', floorKey, '${FLOOR_MEMBER}')
local cut = redis.call('ZREVRANGE', feed, cap, cap, 'WITHSCORES')[2]
if cut and (not floor or tonumber(cut) > tonumber(floor)) then floor = cut end
local entries = {}
if after == '' or not floor or tonumber(after) > tonumber(floor) then
  local min = floor and ('(' .. floor) or '-inf'
  if after == '' then
    entries = redis.call('ZREVRANGEBYSCORE', feed, '+inf', min, 'WITHSCORES', 'LIMIT', 0, limit)
  else
    entries = redis.call('ZREVRANGEBYSCORE', feed, after, after, 'WITHSCORES')
    local older = redis.call('ZREVRANGEBYSCORE', feed, '(' .. after, min, 'WITHSCORES', 'LIMIT', 0, limit)
    for i = 1, #older do entries[#entries + 1] = older[i] end
  end
end
-- A page's ids (at most 500) in one SMISMEMBER, its reply as it is; more (the ranked feed's
-- candidates) in parts of 500, within Lua's unpack limit; none, no call (SMISMEMBER needs one).
local function among(key, ids)
  if #ids == 0 then return {} end
  if #ids <= 500 then return redis.call('SMISMEMBER', key, unpack(ids)) end
  local flags = {}
  for i = 1, #ids, 500 do
    local part = redis.call('SMISMEMBER', key, unpack(ids, i, math.min(i + 499, #ids)))
    for j = 1, #part do flags[#flags + 1] = part[j] end
  end
  return flags
end
local ids = {}
for i = 1, #entries, 2 do ids[#ids + 1] = entries[i] end
local likes, saves, marks = among(liked, ids), among(saved, ids), {}
-- Each mark as its digit's string: table.concat would format numbers one by one (sprintf, %.14g).
local digit = {'0', '1', '2', '3', '4', '5', '6', '7'}
${oneServer ? `local gone = among(KEYS[7], ids)
for i = 1, #ids do marks[i] = digit[1 + likes[i] + 2 * saves[i] + 4 * gone[i]] end` : `for i = 1, #ids do marks[i] = digit[1 + likes[i] + 2 * saves[i]] end`}
local followed = {}
if #ARGV > 3 then
  local celebrities = {}
  for i = 4, #ARGV do celebrities[#celebrities + 1] = ARGV[i] end
  local flags = among(following, celebrities)
  for i = 1, #flags do if flags[i] == 1 then followed[#followed + 1] = celebrities[i] end end
end
return {floor or false, table.concat(entries, ' '), table.concat(marks), followed, redis.call('SCARD', tags)${oneServer ? `, redis.call('HGET', KEYS[8], '${CELEBRITY_VERSION_FIELD}')` : ''}}`;
const HOME_COMMAND = 'igFeedHome5';
const HOME_ONE_SERVER_COMMAND = 'igFeedHomeOne2';
/**
 * Commands the client sends as they come rather than auto-pipelined (app/redis-client.ts): the home
 * script, a page's one command on a single server. Auto-pipelined, every page read in one turn of
 * the event loop waits for the turn's end (setImmediate) before Redis sees any of them, and the
 * pipeline's bookkeeping costs more than the write it saves: bench:feed, the same run, 43-47 µs of
 * the API's CPU a page against 49-51, and 18,542-19,922 pages/s against 15,102-15,498.
 */
export const UNPIPELINED_COMMANDS: readonly string[] = [HOME_COMMAND, HOME_ONE_SERVER_COMMAND];
/** On a single server, the celebrity hash's version last (null: no version written). */
type HomeReply = [floor: string | null, entries: string, marks: string, followed: string[], tagCount: number, version?: string | null];

// A celebrity state and the hash's version change together (one script on one key), so a reader
// whose copy carries the version it reads holds exactly the hash as it is at that read.
// A write that changes nothing keeps the version, so that readers keep their copy (an erasure
// clears the state of every erased account).
const CELEBRITY_SCRIPT = `
local state = ARGV[2] ~= '' and ARGV[2] or false
if redis.call('HGET', KEYS[1], ARGV[1]) == state then return 0 end
if state then redis.call('HSET', KEYS[1], ARGV[1], state) else redis.call('HDEL', KEYS[1], ARGV[1]) end
redis.call('HSET', KEYS[1], '${CELEBRITY_VERSION_FIELD}', ARGV[3])
return 1`;
const CELEBRITY_COMMAND = 'igFeedCelebrity';

type ScriptCommand<R> = (...args: (string | number)[]) => Promise<R>;

/**
 * A script as a client command: ioredis sends it with EVALSHA, loading it with EVAL when the server
 * does not know it yet. Without `numberOfKeys`, each call's first argument says how many keys follow.
 */
const defineScript = <R>(client: RedisClient, name: string, numberOfKeys: number | undefined, lua: string): ScriptCommand<R> => {
  if (!(name in client)) client.defineCommand(name, { lua, ...(numberOfKeys === undefined ? {} : { numberOfKeys }) });
  return (client as unknown as Record<string, ScriptCommand<R>>)[name]!.bind(client);
};

const defineSettleScript = (client: RedisClient) => {
  const command = defineScript<unknown>(client, SETTLE_COMMAND, 2, SETTLE_SCRIPT);
  return (feedKey: string, floorKey: string, cap: number, op: 'add' | 'rem', args: (string | number)[]) => command(feedKey, floorKey, cap, op, ...args);
};

/** The in-process copy of the celebrity hash, as of `version` (null: a hash never written with one). */
interface CelebrityCopy {
  version: string | null;
  ids: string[];
}

/** One command of one key: its name (a client method, or a script defined on the client) and its arguments. */
type Command = [name: string, ...args: (string | number)[]];
type Sender = Record<string, (...args: (string | number)[]) => Promise<unknown>>;

/**
 * Sends commands together and answers their replies in order. On a single server, one explicit
 * pipeline: an auto-pipelined command costs its own promise and queue bookkeeping, which put a
 * fan-out to 10,000 full feeds at 1.65x a bare pipeline of ZADDs (bench:fanout). A Cluster
 * pipeline must stay within one node's slots, so there each command goes on its own
 * (auto-pipelined per node with `enableAutoPipelining`).
 */
const sendAll = async (client: RedisClient, commands: readonly Command[]): Promise<unknown[]> => {
  if (commands.length === 0) return [];
  if (client.isCluster) return Promise.all(commands.map(([name, ...args]) => (client as unknown as Sender)[name]!(...args)));
  const pipeline = client.pipeline() as unknown as Record<string, (...args: (string | number)[]) => unknown> & { exec(): Promise<[Error | null, unknown][] | null> };
  for (const [name, ...args] of commands) pipeline[name]!(...args);
  const replies = (await pipeline.exec()) ?? [];
  const failed = replies.find(([error]) => error !== null);
  if (failed) throw failed[0];
  return replies.map(([, reply]) => reply);
};

/** One command per key: `name key ...args` with the arguments of every item of that key, in order. */
const perKey = <T>(items: readonly T[], name: string, keyOf: (item: T) => string, argsOf: (item: T) => (string | number)[]): Command[] => {
  const byKey = new Map<string, (string | number)[]>();
  for (const item of items) {
    const key = keyOf(item);
    const args = byKey.get(key) ?? byKey.set(key, []).get(key)!;
    args.push(...argsOf(item));
  }
  return [...byKey].map(([key, args]): Command => [name, key, ...args]);
};

export const createRedisFeedStore = (client: RedisClient, options: RedisFeedStoreOptions): FeedStore => {
  const keys = feedKeys(options.prefix);
  const feedCap = options.feedCap ?? DEFAULT_FEED_CAP;

  const settle = defineSettleScript(client);
  defineScript<unknown>(client, FAN_OUT_COMMAND, undefined, FAN_OUT_SCRIPT);
  defineScript<unknown>(client, REMOVE_UNWANTED_COMMAND, 4, REMOVE_UNWANTED_SCRIPT);
  /** Adds entries to one feed and settles it: a script call per MAX_ENTRIES_PER_CALL entries. */
  const settlingPushes = (userId: string, entries: readonly FeedEntry[]): Command[] => {
    const commands: Command[] = [];
    for (const entry of entries) assertScore(entry.score);
    for (let i = 0; i < entries.length; i += MAX_ENTRIES_PER_CALL) {
      const slice = entries.slice(i, i + MAX_ENTRIES_PER_CALL);
      commands.push([SETTLE_COMMAND, keys.feed(userId), keys.floor(userId), feedCap, 'add', ...slice.flatMap((entry) => [entry.score, entry.postId])]);
    }
    return commands;
  };
  // The calls of one feed go in order (one connection on a single server; one slot on a Cluster).
  const pushSettling = async (userId: string, entries: readonly FeedEntry[]): Promise<void> => void (await sendAll(client, settlingPushes(userId, entries)));
  /** Settles one feed, then removes posts from it. */
  const removeSettling = async (userId: string, postIds: readonly string[]): Promise<void> => {
    for (let i = 0; i < postIds.length; i += MAX_ENTRIES_PER_CALL) {
      await settle(keys.feed(userId), keys.floor(userId), feedCap, 'rem', postIds.slice(i, i + MAX_ENTRIES_PER_CALL));
    }
  };
  /** The score at rank `feedCap` (newest first): entries at or below it are past the cap, hidden until the next settle. */
  const cutOf = async (userId: string): Promise<number | null> => {
    const [, score] = await client.zrevrange(keys.feed(userId), feedCap, feedCap, 'WITHSCORES');
    return score === undefined ? null : Number(score);
  };

  const membersIn = async (key: string, candidates: readonly string[]): Promise<Set<string>> => {
    if (candidates.length === 0) return new Set();
    const flags = await client.smismember(key, ...candidates);
    return new Set(candidates.filter((_, i) => flags[i] === 1));
  };
  const marksAmong = async (userId: string, postIds: readonly string[]): Promise<ViewerMarks> => {
    const [liked, saved] = await Promise.all([membersIn(keys.liked(userId), postIds), membersIn(keys.saved(userId), postIds)]);
    return { liked, saved };
  };

  /** Each set's members, in the order of `setKeys`, in one round trip. */
  const membersOf = async (setKeys: readonly string[]): Promise<string[][]> =>
    (await sendAll(
      client,
      setKeys.map((key): Command => ['smembers', key]),
    )) as string[][];
  /** SSCAN of a set in chunks of at most `chunkSize`: every member present for the whole scan at least once. */
  async function* scanChunks(key: string, chunkSize: number): AsyncIterable<string[]> {
    const pending: string[] = [];
    let cursor = '0';
    do {
      const [next, members] = await client.sscan(key, cursor, 'COUNT', chunkSize);
      pending.push(...members);
      cursor = next;
      while (pending.length >= chunkSize) yield pending.splice(0, chunkSize);
    } while (cursor !== '0');
    if (pending.length > 0) yield pending;
  }
  const postTags = async (postIds: readonly string[]): Promise<Map<string, PostTags>> => {
    const found = new Map<string, PostTags>();
    if (postIds.length === 0) return found;
    const values = await client.hmget(keys.postTags, ...postIds);
    postIds.forEach((postId, i) => {
      const value = values[i];
      if (value == null) return;
      const [authorId, ...tags] = JSON.parse(value) as string[];
      found.set(postId, { authorId: authorId!, tags });
    });
    return found;
  };

  /** The home script's six keys of one user, in its KEYS order. */
  const homeKeysOf = (userId: string): readonly string[] => [keys.feed(userId), keys.floor(userId), keys.following(userId), keys.liked(userId), keys.saved(userId), keys.tags(userId)];

  const oneServer = !client.isCluster;
  const home = oneServer
    ? defineScript<HomeReply>(client, HOME_ONE_SERVER_COMMAND, 8, homeScript(true))
    : defineScript<HomeReply>(client, HOME_COMMAND, 6, homeScript(false));
  const writeCelebrity = defineScript<unknown>(client, CELEBRITY_COMMAND, 1, CELEBRITY_SCRIPT);
  // Which authors are pulled, without reading the hash on every home page: a copy of it, checked
  // by the version read in the same round trip as the page's script (which is handed the copy's
  // ids and answers which of them the user follows); re-read whole when the version moved. The
  // hash holds only pulled authors (a few, by definition of the threshold), so the copy is small.
  let celebrityCopy: CelebrityCopy | null = null;
  const readCelebrities = async (): Promise<CelebrityCopy> => {
    const { [CELEBRITY_VERSION_FIELD]: version = null, ...states } = await client.hgetall(keys.celebrities);
    celebrityCopy = { version, ids: Object.keys(states) };
    return celebrityCopy;
  };
  // The version's HGET, one for every home page read in the same turn of the event loop: the
  // client flushes what was issued meanwhile on the next setImmediate (ioredis autoPipelining;
  // the scripts themselves go out at once, UNPIPELINED_COMMANDS), so the pages sharing this read
  // send it once, where each of them would have sent its own (the hash is in another slot than the
  // user's keys: no single command could read both). Dropped on the same setImmediate, after the
  // flush, so that a later page reads the version afresh. At 50 connections it saves most of a
  // page's second command.
  let versionRead: Promise<string | null> | null = null;
  const celebrityVersion = (): Promise<string | null> => {
    if (versionRead) return versionRead;
    const read = client.hget(keys.celebrities, CELEBRITY_VERSION_FIELD);
    versionRead = read;
    setImmediate(() => {
      if (versionRead === read) versionRead = null;
    });
    return read;
  };

  // On a single server, one FAN_OUT_SCRIPT call per post and FEEDS_PER_FAN_OUT_CALL feeds. On a
  // Cluster, one command per feed, with all of its posts: a bare ZADD, or the settling script when
  // any of them is one of the pushes that settle (FEED_TRIM_EVERY), which then settles after them all.
  const pushToFeedsMany: FeedStore['pushToFeedsMany'] = async (posts) => {
    if (!client.isCluster) {
      const commands: Command[] = [];
      for (const { entry, userIds } of posts) {
        assertScore(entry.score);
        const settles = settlesOn(entry.postId);
        for (let i = 0; i < userIds.length; i += FEEDS_PER_FAN_OUT_CALL) {
          const slice = userIds.slice(i, i + FEEDS_PER_FAN_OUT_CALL);
          const floors: string[] = [];
          const settling: number[] = [];
          slice.forEach((userId, j) => {
            if (!settles(userId)) return;
            floors.push(keys.floor(userId));
            settling.push(j + 1);
          });
          commands.push([FAN_OUT_COMMAND, slice.length + floors.length, ...slice.map(keys.feed), ...floors, feedCap, entry.score, entry.postId, ...settling]);
        }
      }
      await sendAll(client, commands);
      return;
    }
    const feeds = new Map<string, { entries: FeedEntry[]; settles: boolean }>();
    for (const { entry, userIds } of posts) {
      assertScore(entry.score);
      const settles = settlesOn(entry.postId);
      for (const userId of userIds) {
        const feed = feeds.get(userId) ?? feeds.set(userId, { entries: [], settles: false }).get(userId)!;
        feed.entries.push(entry);
        feed.settles ||= settles(userId);
      }
    }
    const commands: Command[] = [];
    for (const [userId, { entries, settles }] of feeds) {
      if (settles) commands.push(...settlingPushes(userId, entries));
      else commands.push(['zadd', keys.feed(userId), ...entries.flatMap((entry) => [entry.score, entry.postId])]);
    }
    await sendAll(client, commands);
  };

  const feedFloor = async (userId: string): Promise<number | null> => {
    const [score, cut] = await Promise.all([client.zscore(keys.floor(userId), FLOOR_MEMBER), cutOf(userId)]);
    const floor = score === null ? null : Number(score);
    return floor === null ? cut : cut === null ? floor : Math.max(floor, cut);
  };

  return {
    feedCap,
    setup: async () => undefined,
    replicated: async () => void (await waitForReplicas(client)),

    addToTimeline: async (authorId, entry) => {
      assertScore(entry.score);
      await client.zadd(keys.timeline(authorId), entry.score, entry.postId);
    },
    addToTimelines: async (posts) => {
      posts.forEach((post) => assertScore(post.score));
      await sendAll(
        client,
        perKey(posts, 'zadd', (post) => keys.timeline(post.authorId), (post) => [post.score, post.postId]),
      );
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
    addFollows: async (follows) => {
      await sendAll(client, [
        ...perKey(follows, 'sadd', (follow) => keys.followers(follow.followeeId), (follow) => [follow.followerId]),
        ...perKey(follows, 'sadd', (follow) => keys.following(follow.followerId), (follow) => [follow.followeeId]),
      ]);
    },
    removeFollow: async (followerId, followeeId) => {
      await Promise.all([client.srem(keys.followers(followeeId), followerId), client.srem(keys.following(followerId), followeeId)]);
    },
    followerCount: (userId) => client.scard(keys.followers(userId)),
    followerCounts: async (userIds) => {
      const counts = await sendAll(
        client,
        userIds.map((userId): Command => ['scard', keys.followers(userId)]),
      );
      return new Map(userIds.map((userId, i) => [userId, counts[i] as number]));
    },
    followersOf: async (userIds) => {
      const members = await sendAll(
        client,
        userIds.map((userId): Command => ['smembers', keys.followers(userId)]),
      );
      return new Map(userIds.map((userId, i) => [userId, members[i] as string[]]));
    },
    // A repeat only repeats an idempotent push.
    followerChunks: (userId, chunkSize) => scanChunks(keys.followers(userId), chunkSize),
    followersAmong: (userId, candidateIds) => membersIn(keys.followers(userId), candidateIds),
    followersAmongMany: async (queries) => {
      const asked = queries.filter(({ candidateIds }) => candidateIds.length > 0);
      const flags = await sendAll(
        client,
        asked.map(({ userId, candidateIds }): Command => ['smismember', keys.followers(userId), ...candidateIds]),
      );
      const found = new Map(asked.map((query, i) => [query, new Set(query.candidateIds.filter((_, j) => (flags[i] as number[])[j] === 1))]));
      return queries.map((query) => found.get(query) ?? new Set());
    },
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
      await writeCelebrity(keys.celebrities, userId, state ?? '', randomUUID());
    },

    // The fan-out's write (pushToFeedsMany): a script call per 1,000 feeds on a single server, a
    // command per feed on a Cluster.
    pushToFeeds: (userIds, entry) => pushToFeedsMany([{ entry, userIds }]),
    pushToFeedsMany,
    pushToFeed: (userId, entries) => pushSettling(userId, entries),
    pushToFeedMany: async (feeds) => void (await sendAll(client, feeds.flatMap(({ userId, entries }) => settlingPushes(userId, entries)))),
    removeFromFeeds: async (userIds, postId) => {
      await Promise.all(userIds.map((userId) => removeSettling(userId, [postId])));
    },
    removeFromFeed: (userId, postIds) => removeSettling(userId, postIds),
    removeUnwantedFromFeeds: async (removals, { byFollow }) => {
      const commands = removals.flatMap(({ userId, posts }) => {
        const calls: Command[] = [];
        for (let i = 0; i < posts.length; i += MAX_ENTRIES_PER_CALL) {
          const args = posts.slice(i, i + MAX_ENTRIES_PER_CALL).flatMap(({ postId, authorId, tags }) => [postId, authorId, tags.length, ...tags]);
          calls.push([REMOVE_UNWANTED_COMMAND, keys.feed(userId), keys.floor(userId), keys.following(userId), keys.tags(userId), feedCap, byFollow ? '1' : '0', userId, ...args]);
        }
        return calls;
      });
      await sendAll(client, commands);
    },
    feed: async (userId, range) => {
      const [cut, entries] = await Promise.all([cutOf(userId), readRange(client, keys.feed(userId), range)]);
      return cut === null ? entries : entries.filter((entry) => entry.score > cut);
    },
    // Hidden entries included: a removal that starts from here reaches them too.
    oldestInFeed: async (userId) => {
      const [, score] = await client.zrange(keys.feed(userId), 0, 0, 'WITHSCORES');
      return score === undefined ? null : Number(score);
    },
    feedFloor,
    feedFloors: async (userIds) => {
      const floors = await Promise.all(userIds.map(feedFloor));
      return new Map(userIds.map((userId, i) => [userId, floors[i]!]));
    },
    raiseFeedFloor: async (userId, score) => {
      assertScore(score);
      await client.zadd(keys.floor(userId), 'GT', score, FLOOR_MEMBER);
    },

    // One round trip when the celebrity copy is current: on one server the script alone; on a
    // Cluster the script and the version's HGET (shared by the pages of one pipelined write:
    // celebrityVersion), the deleted markers then read by the caller (no `deleted`).
    homeWindow: async (userId, { after, limit }): Promise<HomeWindow> => {
      const copy = celebrityCopy;
      const userKeys = homeKeysOf(userId);
      const scoreAfter = after?.score ?? '';
      let reply: HomeReply;
      let version: string | null;
      if (oneServer) {
        // The common call (no pulled author) as a literal argument list: no arrays to build and spread.
        reply = await (copy === null || copy.ids.length === 0
          ? home(userKeys[0]!, userKeys[1]!, userKeys[2]!, userKeys[3]!, userKeys[4]!, userKeys[5]!, keys.deleted, keys.celebrities, feedCap, limit, scoreAfter)
          : home(...userKeys, keys.deleted, keys.celebrities, feedCap, limit, scoreAfter, ...copy.ids));
        version = reply[5] ?? null;
      } else [reply, version] = await Promise.all([home(...userKeys, feedCap, limit, scoreAfter, ...(copy?.ids ?? [])), celebrityVersion()]);
      const [floor, joined, flags, followed, tagCount] = reply;
      let pulled = followed;
      if (copy === null || copy.version !== version) {
        const fresh = await readCelebrities();
        pulled = [...(await membersIn(keys.following(userId), fresh.ids))];
      }
      const marks: ViewerMarks = { liked: new Set(), saved: new Set() };
      const deleted = oneServer ? new Set<string>() : undefined;
      const entries: FeedEntry[] = [];
      // 'id score id score ...', walked without splitting it into an array first.
      for (let at = 0, i = 0; at < joined.length; i++) {
        const space = joined.indexOf(' ', at);
        const end = joined.indexOf(' ', space + 1);
        const next = end === -1 ? joined.length : end;
        const entry = { postId: joined.slice(at, space), score: scoreIn(joined, space + 1, next) };
        at = next + 1;
        // The cursor's ties come first, all of them: those up to the cursor's id are not after it.
        if (after && entry.score === after.score && entry.postId >= after.postId) continue;
        if (entries.length === limit) break;
        entries.push(entry);
        const mark = flags.charCodeAt(i) - 48;
        if ((mark & 1) === 1) marks.liked.add(entry.postId);
        if ((mark & 2) === 2) marks.saved.add(entry.postId);
        if ((mark & 4) === 4) deleted!.add(entry.postId);
      }
      return { floor: floor === null ? null : Number(floor), entries, marks, ...(deleted && { deleted }), pulled, followsTags: tagCount > 0 };
    },

    addMark: async (kind, userId, postId) => {
      await client.sadd(keys[kind](userId), postId);
    },
    removeMark: async (kind, userId, postId) => {
      await client.srem(keys[kind](userId), postId);
    },
    setMarks: async (changes) => {
      // At most one change per member: the additions and the removals of a set may go in either order.
      await sendAll(client, [
        ...perKey(changes.filter((change) => change.marked), 'sadd', (change) => keys[change.kind](change.userId), (change) => [change.postId]),
        ...perKey(changes.filter((change) => !change.marked), 'srem', (change) => keys[change.kind](change.userId), (change) => [change.postId]),
      ]);
    },
    marksAmong,

    addTagFollow: async (userId, tag) => {
      await Promise.all([client.sadd(keys.tagFollowers(tag), userId), client.sadd(keys.tags(userId), tag)]);
    },
    removeTagFollow: async (userId, tag) => {
      await Promise.all([client.srem(keys.tagFollowers(tag), userId), client.srem(keys.tags(userId), tag)]);
    },
    followedTagsOf: async (userIds) => {
      const members = await membersOf(userIds.map((userId) => keys.tags(userId)));
      return new Map(userIds.map((userId, i) => [userId, members[i]!]));
    },
    tagFollowerChunks: (tag, chunkSize) => scanChunks(keys.tagFollowers(tag), chunkSize),
    tagsWithFollowers: async (tags) => {
      const unique = [...new Set(tags)];
      const found = await sendAll(
        client,
        unique.map((tag): Command => ['exists', keys.tagFollowers(tag)]),
      );
      return new Set(unique.filter((_, i) => found[i] === 1));
    },
    tagFollowersAmongMany: async (queries) => {
      const asked = queries.filter(({ candidateIds }) => candidateIds.length > 0);
      const flags = await sendAll(
        client,
        asked.map(({ tag, candidateIds }): Command => ['smismember', keys.tagFollowers(tag), ...candidateIds]),
      );
      const found = new Map(asked.map((query, i) => [query, new Set(query.candidateIds.filter((_, j) => (flags[i] as number[])[j] === 1))]));
      return queries.map((query) => found.get(query) ?? new Set());
    },
    // The post's tags first: a removal that finds them reaches every timeline written after.
    addToTagTimelines: async (posts) => {
      const tagged = posts.filter((post) => post.tags.length > 0);
      tagged.forEach((post) => assertScore(post.score));
      if (tagged.length === 0) return;
      await client.hset(keys.postTags, ...tagged.flatMap((post) => [post.postId, JSON.stringify([post.authorId, ...post.tags])]));
      await sendAll(
        client,
        perKey(
          tagged.flatMap((post) => post.tags.map((tag) => ({ tag, post }))),
          'zadd',
          ({ tag }) => keys.tagTimeline(tag),
          ({ post }) => [post.score, post.postId],
        ),
      );
    },
    // The tags are forgotten last, so that a retry after a crash still finds them.
    removeFromTagTimelines: async (postId) => {
      const tags = (await postTags([postId])).get(postId)?.tags ?? [];
      await Promise.all(tags.map((tag) => client.zrem(keys.tagTimeline(tag), postId)));
      await client.hdel(keys.postTags, postId);
    },
    tagTimelines: (tags, range) => Promise.all(tags.map((tag) => readRange(client, keys.tagTimeline(tag), range))),
    postTags,

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
      const [tags = []] = await membersOf([keys.tags(userId)]);
      await Promise.all(tags.map((tag) => client.srem(keys.tagFollowers(tag), userId)));
      const own = [keys.followers(userId), keys.following(userId), keys.feed(userId), keys.floor(userId), keys.timeline(userId), keys.liked(userId), keys.saved(userId), keys.tags(userId)];
      await Promise.all([...own.map((key) => client.del(key)), writeCelebrity(keys.celebrities, userId, '', randomUUID())]);
    },
  };
};

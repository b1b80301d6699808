// Redis memory per home-feed entry (issue 15, part 6): fills FEEDS full home feeds (800 entries,
// the cap) and sums `MEMORY USAGE key SAMPLES 0` (exact) over every one of them, next to the floor
// of 16 bytes of id plus 8 of score. Two member encodings, in the same run:
// - text: the post id as its 36-character UUID, written through the Redis feed store (what is stored today);
// - binary: the same ids as 16 raw bytes (ZADD of Buffers), which the store does not do.
// And, for each, the rate of the read a home-feed page makes (ZREVRANGE of 20 with scores, the
// binary ids turned back into text on the client), over the same feeds. Also the bytes a listpack
// would take (feeds of 128 entries: `zset-max-listpack-entries` is 128 on the shared server and is
// not changed here). And the viewer marks the home page reads with the feed (each user's likes,
// `feed-liked:{u}`, a Redis set written through the store): bytes per like, for users with
// MARKS_MANY and MARKS_FEW likes (sets of strings are hashtables on Redis 7.0 at any size; 7.2
// keeps small ones, up to `set-max-listpack-entries`, as listpacks). Post cards are held in each API
// process (read-api/card-cache.ts), not in Redis: nothing of them to measure here.
//   npm run bench:feed:memory    (REDIS_URL, else redis://127.0.0.1:6379; FEEDS, else 10000)
// Works in rounds of ROUND feeds under a scratch key prefix of the shared Redis, deleting each
// round's keys after it (never a FLUSH), so at most ROUND full feeds of each encoding exist at once.
import { randomBytes, randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { stringify as uuidString, parse as uuidBytes } from 'uuid';
import { feedKeys } from '../projections/feed/feed-keys.js';
import { createRedisFeedStore } from '../projections/feed/feed-store-redis.js';
import { DEFAULT_FEED_CAP, type FeedEntry } from '../projections/feed/feed-store.js';
import { dropRedisKeys } from '../projections/runtime/dump-redis.js';
import { printFigures } from './support/report.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const FEEDS = Number(process.env.FEEDS ?? 10_000);
const ROUND = 1_000;
const CAP = DEFAULT_FEED_CAP;
const LISTPACK_ENTRIES = 128;
const PAGE = 20;
const READS = 5_000;
const READ_BATCH = 50;
const FLOOR_BYTES = 16 + 8;
const MARK_USERS = 1_000;
const MARKS_MANY = 500;
const MARKS_FEW = 100;

const T0 = Date.parse('2025-01-01T00:00:00.000Z');

/** One feed's entries: distinct random post ids, scores one second apart in ms (as the projection writes them). */
const feedEntries = (count: number): FeedEntry[] => Array.from({ length: count }, (_, i) => ({ postId: randomUUID(), score: T0 + i * 1000 }));

interface Tally {
  bytes: number;
  entries: number;
}

const memoryOf = async (redis: Redis, keys: readonly string[]): Promise<Tally> => {
  const [bytes, entries] = await Promise.all([
    Promise.all(keys.map((key) => redis.memory('USAGE', key, 'SAMPLES', 0) as Promise<number | null>)),
    Promise.all(keys.map((key) => redis.zcard(key))),
  ]);
  return { bytes: bytes.reduce<number>((sum, b) => sum + (b ?? 0), 0), entries: entries.reduce((sum, n) => sum + n, 0) };
};

const setMemoryOf = async (redis: Redis, keys: readonly string[]): Promise<Tally> => {
  const [bytes, entries] = await Promise.all([
    Promise.all(keys.map((key) => redis.memory('USAGE', key, 'SAMPLES', 0) as Promise<number | null>)),
    Promise.all(keys.map((key) => redis.scard(key))),
  ]);
  return { bytes: bytes.reduce<number>((sum, b) => sum + (b ?? 0), 0), entries: entries.reduce((sum, n) => sum + n, 0) };
};

/** MARK_USERS users with `count` likes each, through the store; bytes per like and the set's encoding. */
const marksMemory = async (redis: Redis, prefix: string, count: number) => {
  const store = createRedisFeedStore(redis, { prefix });
  const users = Array.from({ length: MARK_USERS }, () => randomUUID());
  for (let i = 0; i < users.length; i += 50) {
    await Promise.all(users.slice(i, i + 50).flatMap((userId) => Array.from({ length: count }, () => store.addMark('liked', userId, randomUUID()))));
  }
  const keys = users.map((userId) => feedKeys(prefix).liked(userId));
  const tally = await setMemoryOf(redis, keys);
  const encoding = await redis.object('ENCODING', keys[0]!);
  await dropRedisKeys(redis, [`${prefix}*`]);
  return { bytesPerLike: perEntry(tally), encoding, likesPerUser: count };
};

const add = (a: Tally, b: Tally): Tally => ({ bytes: a.bytes + b.bytes, entries: a.entries + b.entries });
const perEntry = (t: Tally) => (t.entries === 0 ? 0 : t.bytes / t.entries);

/** Home-feed page reads per second over `keys`: READS reads, READ_BATCH at once. */
const readRate = async (redis: Redis, keys: readonly string[], binary: boolean): Promise<number> => {
  const started = performance.now();
  let seen = 0;
  for (let i = 0; i < READS; i += READ_BATCH) {
    const pages = await Promise.all(
      Array.from({ length: READ_BATCH }, async (_, j) => {
        const key = keys[(i + j) % keys.length]!;
        if (!binary) return (await redis.zrevrange(key, 0, PAGE - 1, 'WITHSCORES')).length;
        const flat = await redis.zrevrangeBuffer(key, 0, PAGE - 1, 'WITHSCORES');
        const ids: string[] = [];
        for (let k = 0; k < flat.length; k += 2) ids.push(uuidString(flat[k]!));
        return ids.length * 2;
      }),
    );
    seen += pages.reduce((sum, n) => sum + n, 0);
  }
  if (seen !== READS * PAGE * 2) throw new Error(`short reads: ${seen}`);
  return READS / ((performance.now() - started) / 1000);
};

const main = async () => {
  const redis = new Redis(REDIS_URL, { enableAutoPipelining: true });
  const prefix = `bench_feed_memory_${randomBytes(4).toString('hex')}:`;
  const textPrefix = `${prefix}text:`;
  const binaryKey = (i: number) => `${prefix}binary:feed:{u${i}}`;
  const store = createRedisFeedStore(redis, { prefix: textPrefix, feedCap: CAP });
  const textKeys = feedKeys(textPrefix);
  let text: Tally = { bytes: 0, entries: 0 };
  let binary: Tally = { bytes: 0, entries: 0 };
  const textRates: number[] = [];
  const binaryRates: number[] = [];
  const started = performance.now();
  try {
    for (let round = 0; round * ROUND < FEEDS; round++) {
      const users = Array.from({ length: Math.min(ROUND, FEEDS - round * ROUND) }, () => randomUUID());
      const firsts = users.map((_, i) => round * ROUND + i);
      for (let i = 0; i < users.length; i += 100) {
        await Promise.all(
          users.slice(i, i + 100).map(async (userId, j) => {
            const entries = feedEntries(CAP);
            await store.pushToFeed(userId, entries);
            await redis.zadd(binaryKey(firsts[i + j]!), ...entries.flatMap((e) => [e.score, Buffer.from(uuidBytes(e.postId))]));
          }),
        );
      }
      const tKeys = users.map((userId) => textKeys.feed(userId));
      const bKeys = firsts.map(binaryKey);
      text = add(text, await memoryOf(redis, tKeys));
      binary = add(binary, await memoryOf(redis, bKeys));
      // Both read rates in every round, alternating which goes first: the shared machine's load weighs on both alike.
      if (round % 2 === 0) {
        textRates.push(await readRate(redis, tKeys, false));
        binaryRates.push(await readRate(redis, bKeys, true));
      } else {
        binaryRates.push(await readRate(redis, bKeys, true));
        textRates.push(await readRate(redis, tKeys, false));
      }
      await dropRedisKeys(redis, [`${prefix}*`]);
    }

    // What a listpack would take: feeds at the server's listpack limit, both encodings.
    const small = Array.from({ length: ROUND }, (_, i) => i);
    await Promise.all(
      small.map(async (i) => {
        const entries = feedEntries(LISTPACK_ENTRIES);
        await redis.zadd(`${prefix}lp-text:{u${i}}`, ...entries.flatMap((e) => [e.score, e.postId]));
        await redis.zadd(`${prefix}lp-binary:{u${i}}`, ...entries.flatMap((e) => [e.score, Buffer.from(uuidBytes(e.postId))]));
      }),
    );
    const encoding = await redis.object('ENCODING', `${prefix}lp-text:{u0}`);
    const listpackText = await memoryOf(redis, small.map((i) => `${prefix}lp-text:{u${i}}`));
    const listpackBinary = await memoryOf(redis, small.map((i) => `${prefix}lp-binary:{u${i}}`));
    await dropRedisKeys(redis, [`${prefix}*`]);

    const [manyMarks, fewMarks] = [await marksMemory(redis, `${prefix}marks-many:`, MARKS_MANY), await marksMemory(redis, `${prefix}marks-few:`, MARKS_FEW)];

    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    const row = (name: string, tally: Tally, rate?: number) => ({
      'home-feed entries': name,
      'bytes per entry': perEntry(tally).toFixed(1),
      'vs floor of 24': `${(perEntry(tally) / FLOOR_BYTES).toFixed(2)}x`,
      'page reads/s (ZREVRANGE 20)': rate === undefined ? '-' : Math.round(rate).toLocaleString('en'),
    });
    console.log(`Redis memory per home-feed entry over ${FEEDS.toLocaleString('en')} full feeds (${CAP} entries each), MEMORY USAGE SAMPLES 0`);
    console.log('post cards: held in each API process (read-api/card-cache.ts), not in Redis\n');
    console.table([
      row(`text ids (36 chars), skiplist: what the store writes`, text, median(textRates)),
      row('binary ids (16 bytes), skiplist', binary, median(binaryRates)),
      row(`text ids, ${encoding} (${LISTPACK_ENTRIES} entries)`, listpackText),
      row(`binary ids, ${encoding} (${LISTPACK_ENTRIES} entries)`, listpackBinary),
    ]);
    console.log(`viewer marks (feed-liked:{u}), ${MARK_USERS.toLocaleString('en')} users:`);
    console.table(
      [manyMarks, fewMarks].map((m) => ({ 'likes per user': m.likesPerUser, encoding: m.encoding, 'bytes per like': m.bytesPerLike.toFixed(1), 'vs 16 bytes of id': `${(m.bytesPerLike / 16).toFixed(2)}x` })),
    );
    console.log(`total run time ${((performance.now() - started) / 1000).toFixed(1)} s`);
    printFigures('feed-memory', {
      feeds: FEEDS,
      entriesPerFeed: CAP,
      floorBytesPerEntry: FLOOR_BYTES,
      postCards: null,
      marks: { users: MARK_USERS, many: manyMarks, few: fewMarks },
      text: { bytesPerEntry: perEntry(text), pageReadsPerSecond: median(textRates) },
      binary: { bytesPerEntry: perEntry(binary), pageReadsPerSecond: median(binaryRates) },
      listpack: { entriesPerFeed: LISTPACK_ENTRIES, encoding, textBytesPerEntry: perEntry(listpackText), binaryBytesPerEntry: perEntry(listpackBinary) },
    });
  } finally {
    await dropRedisKeys(redis, [`${prefix}*`]);
    redis.disconnect();
  }
};

await main();

// Fan-out latency (docs/architecture.md "Performance budgets": "a post by an author with 10,000 followers is in all their feeds
// within 100 ms"): the time from applying the PostCreated to the feed projection to the last
// follower having the post, for the Redis and the PostgreSQL feed stores, next to a same-run
// baseline: one pipeline of ZADDs of the same keys straight into Redis.
//   npm run bench:fanout    (REDIS_URL, else redis://127.0.0.1:6379; DATABASE_URL, else the local test database;
//                            FANOUT_SCENARIOS=redis-full-10000,... runs only the scenarios named)
// Two states of the followers' feeds: fresh (nothing to trim) and full (at the cap, so every push
// goes past it). Full Redis feeds at 10,000 followers are at the real cap, 800 (8 million entries);
// at 100,000 followers, and on PostgreSQL, a cap of 50 stands in for 800 to keep the set-up short.
// Then 100,000 followers on Redis (the celebrity threshold raised above them), fresh and full.
// Two baselines for full feeds: ZADDs into fresh keys (the bare write), and ZADDs into sets as full
// as the feeds (the same write into the same shape: a ZADD into an 800-entry skiplist costs Redis
// itself more than one into an empty key, whoever sends it). Works in a scratch schema and under a
// scratch key prefix, each scenario's keys removed after it.
import { randomBytes, randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';
import { loadSettings } from '../app/config.js';
import type { DomainEvent, RecordedEvent } from '../events/index.js';
import { createFeedProjection } from '../projections/feed/feed-projection.js';
import { createPostgresFeedStore } from '../projections/feed/feed-store-postgres.js';
import { createRedisFeedStore } from '../projections/feed/feed-store-redis.js';
import type { FeedStore } from '../projections/feed/feed-store.js';
import type { Projection } from '../projections/runtime/projection.js';
import { createScratchSchema } from './support/scratch-schema.js';
import { dropRedisKeys } from '../projections/runtime/dump-redis.js';
import { printFigures } from './support/report.js';

const FOLLOWERS = 10_000;
const MANY_FOLLOWERS = 100_000;
const RUNS = 7;
const MANY_RUNS = 5;
const FULL_CAP = 800;
const SHORT_FULL_CAP = 50;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

let clock = Date.parse('2025-01-01T00:00:00.000Z');
let position = 0;

const postCreated = (authorId: string): RecordedEvent => {
  const postId = randomUUID();
  const event: DomainEvent = {
    type: 'PostCreated',
    data: { postId, authorId, caption: '', hashtags: [], mentions: [], media: [{ url: 'media/a.jpg', type: 'image' }], createdAt: new Date((clock += 1000)).toISOString() },
  };
  const at = new Date().toISOString();
  return {
    ...event,
    eventId: randomUUID(),
    schemaVersion: 2,
    metadata: { correlationId: randomUUID(), causationId: null, actorId: authorId, occurredAt: at },
    streamId: `post-${postId}`,
    streamRevision: 0,
    position: `${(++position).toString(16).padStart(33, '0')}` as RecordedEvent['position'],
    recordedAt: at,
  };
};

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const format = (values: number[]) => ({
  'median ms': median(values).toFixed(1),
  'min ms': Math.min(...values).toFixed(1),
  'max ms': Math.max(...values).toFixed(1),
});

/** An author and `count` followers in the store; returns the follower ids. */
const seedFollowers = async (store: FeedStore, authorId: string, count: number): Promise<string[]> => {
  const followers = Array.from({ length: count }, () => randomUUID());
  for (let i = 0; i < followers.length; i += 500) await Promise.all(followers.slice(i, i + 500).map((f) => store.addFollow(f, authorId)));
  return followers;
};

/** One pipeline of ZADDs of a new post into one sorted set per follower; returns its time in ms. */
const baseline = async (redis: Redis, prefix: string, followers: string[], set = 'baseline'): Promise<number> => {
  const postId = randomUUID();
  const started = performance.now();
  const pipeline = redis.pipeline();
  for (const f of followers) pipeline.zadd(`${prefix}${set}:${f}`, (clock += 1), postId);
  await pipeline.exec();
  return performance.now() - started;
};

/** The like-for-like baseline's sets: one per follower, as full as the feeds (`size` older entries). */
const fillBaselineSets = async (redis: Redis, prefix: string, followers: string[], size: number) => {
  const members = Array.from({ length: size }, (_, i) => [clock - 10_000_000 + i, randomUUID()] as const).flat();
  for (let i = 0; i < followers.length; i += 200) {
    const pipeline = redis.pipeline();
    for (const f of followers.slice(i, i + 200)) pipeline.zadd(`${prefix}baseline-full:${f}`, ...members);
    await pipeline.exec();
  }
};

/**
 * Applies one post per run and checks every follower has it; returns the apply times in ms, and
 * those of a baseline run taken before each (the machine's load weighs on both alike).
 */
const measure = async (
  store: FeedStore,
  projection: Projection,
  authorId: string,
  followers: string[],
  runs: number,
  runBaseline: () => Promise<number>,
  runFullBaseline: (() => Promise<number>) | null,
) => {
  const times: number[] = [];
  const baselineTimes: number[] = [];
  const fullBaselineTimes: number[] = [];
  for (let run = 0; run < runs; run++) {
    baselineTimes.push(await runBaseline());
    if (runFullBaseline) fullBaselineTimes.push(await runFullBaseline());
    const event = postCreated(authorId);
    const started = performance.now();
    await projection.apply({ events: [event], position: event.position, replay: false }, `bench-${authorId}`);
    times.push(performance.now() - started);
    const postId = (event.data as { postId: string }).postId;
    const last = await store.feed(followers.at(-1)!, { limit: 1 });
    if (last[0]?.postId !== postId) throw new Error('the last follower does not have the post');
  }
  let missing = 0;
  for (let i = 0; i < followers.length; i += 1_000) {
    const feeds = await Promise.all(followers.slice(i, i + 1_000).map((f) => store.feed(f, { limit: store.feedCap + 1 })));
    missing += feeds.filter((feed) => feed.length === 0).length;
    if (feeds.some((feed) => feed.length > store.feedCap)) throw new Error('a feed reads more than its cap');
  }
  if (missing > 0) throw new Error(`${missing} followers have an empty feed`);
  return { times, baselineTimes, fullBaselineTimes };
};

/** Fills every follower's feed to the cap through the store (older posts, from elsewhere). */
const fillFeeds = async (store: FeedStore, followers: string[]) => {
  const entries = Array.from({ length: store.feedCap }, (_, i) => ({ postId: randomUUID(), score: clock - 10_000_000 + i }));
  for (let i = 0; i < followers.length; i += 200) await Promise.all(followers.slice(i, i + 200).map((f) => store.pushToFeed(f, entries)));
};

interface Scenario {
  store: 'redis' | 'postgres';
  feeds: 'fresh' | 'full';
  followers: number;
  runs: number;
}

const SCENARIOS: Scenario[] = [
  ...(['redis', 'postgres'] as const).flatMap((store) => (['fresh', 'full'] as const).map((feeds) => ({ store, feeds, followers: FOLLOWERS, runs: RUNS }))),
  // PostgreSQL is left out at 100,000: it takes minutes, and answers no question Redis does not.
  ...(['fresh', 'full'] as const).map((feeds) => ({ store: 'redis' as const, feeds, followers: MANY_FOLLOWERS, runs: MANY_RUNS })),
];

const only = (process.env.FANOUT_SCENARIOS ?? '').split(',').filter(Boolean);
const nameOf = ({ store, feeds, followers }: Scenario) => `${store}-${feeds}-${followers}`;
const unknown = only.filter((name) => !SCENARIOS.some((scenario) => nameOf(scenario) === name));
if (unknown.length > 0) throw new Error(`FANOUT_SCENARIOS names no scenario: ${unknown.join(', ')} (they are ${SCENARIOS.map(nameOf).join(', ')})`);

const main = async () => {
  const scratch = await createScratchSchema('bench_feed');
  const pool = new pg.Pool({ connectionString: scratch.url, max: 10 });
  const redis = new Redis(REDIS_URL, { enableAutoPipelining: true });
  const prefix = `bench_feed_${randomBytes(4).toString('hex')}:`;
  const rows: Record<string, string>[] = [];
  const figures: { name: string; store: string; feeds: string; followers: number; feedCap: number; medianMs: number; baselineMedianMs: number; fullSetsBaselineMedianMs?: number }[] = [];
  const started = performance.now();
  try {
    for (const [index, scenario] of SCENARIOS.entries()) {
      if (only.length > 0 && !only.includes(nameOf(scenario))) continue;
      const { store: kind, feeds, followers: count, runs } = scenario;
      const feedCap = feeds === 'fresh' ? 800 : kind === 'redis' && count === FOLLOWERS ? FULL_CAP : SHORT_FULL_CAP;
      const generation = `s${index}`;
      const store =
        kind === 'redis'
          ? createRedisFeedStore(redis, { feedCap, prefix: `${prefix}${generation}:` })
          : createPostgresFeedStore(pool, { feedCap, tablePrefix: `feed_${generation}_` });
      // At the default threshold (10,000) this author would be a celebrity, pulled at read time.
      const projection = createFeedProjection({ store, checkpoints: pool, ...loadSettings({}, []).feed, celebrityThreshold: count + 1 });
      await projection.setup();
      const authorId = randomUUID();
      const followers = await seedFollowers(store, authorId, count);
      const keyPrefix = `${prefix}${generation}:`;
      if (feeds === 'full') await Promise.all([fillFeeds(store, followers), fillBaselineSets(redis, keyPrefix, followers, feedCap)]);
      const { times, baselineTimes, fullBaselineTimes } = await measure(
        store,
        projection,
        authorId,
        followers,
        runs,
        () => baseline(redis, keyPrefix, followers),
        feeds === 'full' ? () => baseline(redis, keyPrefix, followers, 'baseline-full') : null,
      );
      const name = nameOf(scenario);
      const fullSets = fullBaselineTimes.length > 0 ? { fullSetsBaselineMedianMs: median(fullBaselineTimes) } : {};
      figures.push({ name, store: kind, feeds, followers: count, feedCap, medianMs: median(times), baselineMedianMs: median(baselineTimes), ...fullSets });
      rows.push({
        scenario: `${kind} feed store, ${feeds} feeds (cap ${feedCap}), ${count.toLocaleString('en')} followers`,
        ...format(times),
        'baseline median ms': median(baselineTimes).toFixed(1),
        'vs baseline': `${(median(times) / median(baselineTimes)).toFixed(2)}x`,
        'full-sets baseline ms': fullBaselineTimes.length > 0 ? median(fullBaselineTimes).toFixed(1) : '-',
        'vs full sets': fullBaselineTimes.length > 0 ? `${(median(times) / median(fullBaselineTimes)).toFixed(2)}x` : '-',
      });
      console.error(`${name}: median ${median(times).toFixed(1)} ms, baseline ${median(baselineTimes).toFixed(1)} ms`);
      await dropRedisKeys(redis, [`${prefix}${generation}:*`]);
    }
    console.log(`Fan-out of one post to each follower, ${RUNS} posts per scenario (${MANY_RUNS} at ${MANY_FOLLOWERS.toLocaleString('en')}; time to the last follower's feed)`);
    console.log('baseline: one pipeline of one ZADD per follower straight into Redis (fresh keys), run before each post;');
    console.log('full sets: the same pipeline into sets as full as the feeds (the same write into the same shape)\n');
    console.table(rows);
    console.log(`total run time ${((performance.now() - started) / 1000).toFixed(1)} s`);
    printFigures('fanout', { scenarios: figures });
  } finally {
    await dropRedisKeys(redis, [`${prefix}*`]);
    redis.disconnect();
    await pool.end();
    await scratch.drop();
  }
};

await main();

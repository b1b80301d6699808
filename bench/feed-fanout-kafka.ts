// Fan-out through Kafka vs in-process (issue 7): for a post by an author with 10,000 and with
// 100,000 followers (the celebrity threshold raised above both), the time from appending the
// PostCreated to the event store to the last follower's feed insert, and the feed inserts per
// second that makes, next to a same-run baseline: one pipeline of as many ZADDs straight into Redis.
//   npm run bench:fanout:kafka     (KAFKA_BROKERS, REDIS_URL, DATABASE_URL; else .services/urls.env,
//                                   else the local defaults; run `npm run services:up` first)
// Both paths run the real projector over the real PostgreSQL event store into the Redis feed
// store; the Kafka path publishes chunks of FANOUT_CHUNK_SIZE (default 1,000) followers to a
// scratch topic of PARTITIONS (default 8) partitions, consumed by fan-out workers in this same
// process (so they share its two cores with the projector, as role `all` does).
import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { Redis } from 'ioredis';
import pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { readServiceUrls } from '../app/service-urls.js';
import { createPostgresEventStore } from '../events/postgres/index.js';
import { deliverFanOutChunk, type FanOut } from '../projections/feed/fan-out.js';
import { createKafkaFanOut } from '../projections/feed/fan-out-kafka.js';
import { startFanOutWorkers } from '../projections/feed/fan-out-workers.js';
import { createFeedProjection } from '../projections/feed/feed-projection.js';
import { createRedisFeedStore } from '../projections/feed/feed-store-redis.js';
import type { FeedStore } from '../projections/feed/feed-store.js';
import { startProjector } from '../projections/runtime/runner.js';
import { createScratchSchema } from './support/scratch-schema.js';
import { dropRedisKeys } from '../projections/runtime/dump-redis.js';
import { printFigures } from './support/report.js';

const fromFile = readServiceUrls(process.cwd());
const REDIS_URL = process.env.REDIS_URL ?? fromFile.REDIS_URL ?? 'redis://127.0.0.1:6379';
const BROKERS = (process.env.KAFKA_BROKERS ?? fromFile.KAFKA_BROKERS ?? '127.0.0.1:19092').split(',');
const CHUNK_SIZE = Number(process.env.FANOUT_CHUNK_SIZE ?? 1_000);
const PARTITIONS = Number(process.env.PARTITIONS ?? 8);
const SIZES = [
  { followers: 10_000, runs: 5 },
  { followers: 100_000, runs: 3 },
];

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** The feed store, telling `onPush` how many feeds each push reached (in-process and workers alike). */
const countingStore = (store: FeedStore, onPush: (postId: string, feeds: number) => void): FeedStore =>
  new Proxy(store, {
    get: (target, key, receiver) =>
      key === 'pushToFeeds'
        ? async (userIds: readonly string[], entry: { postId: string; score: number }) => {
            await target.pushToFeeds(userIds, entry);
            onPush(entry.postId, userIds.length);
          }
        : Reflect.get(target, key, receiver),
  });

const baseline = async (redis: Redis, prefix: string, followers: string[]) => {
  const started = performance.now();
  const pipeline = redis.pipeline();
  for (const id of followers) pipeline.zadd(`${prefix}baseline:${id}`, Date.now(), uuidv7());
  await pipeline.exec();
  return performance.now() - started;
};

const main = async () => {
  const scratch = await createScratchSchema('bench_kafka');
  const pool = new pg.Pool({ connectionString: scratch.url, max: 10 });
  const redis = new Redis(REDIS_URL, { enableAutoPipelining: true });
  const prefix = `bench_kafka_${randomBytes(4).toString('hex')}:`;
  const kafka = new Kafka({ clientId: 'bench', brokers: BROKERS, logLevel: logLevel.NOTHING });
  const topic = { topic: `bench-fanout-${randomBytes(4).toString('hex')}`, partitions: PARTITIONS, replicationFactor: 1 };
  const rows: Record<string, string>[] = [];
  const figures: { fanOut: string; followers: number; medianMs: number }[] = [];
  const reached = new Map<string, { count: number; done: (at: number) => void; target: number }>();
  const onPush = (postId: string, feeds: number) => {
    const waiting = reached.get(postId);
    if (waiting && (waiting.count += feeds) >= waiting.target) waiting.done(performance.now());
  };
  const store = countingStore(createRedisFeedStore(redis, { prefix }), onPush);
  const events = await createPostgresEventStore(pool);
  const kafkaFanOut = createKafkaFanOut(kafka, topic);
  const workers = await startFanOutWorkers(kafka, { ...topic, groupId: `${topic.topic}-workers`, deliver: (chunk) => deliverFanOutChunk(store, chunk) });
  try {
    await store.setup();
    for (const { followers: count, runs } of SIZES) {
      const authorId = uuidv7();
      const followers = Array.from({ length: count }, () => uuidv7());
      for (let i = 0; i < count; i += 1_000) await Promise.all(followers.slice(i, i + 1_000).map((id) => store.addFollow(id, authorId)));
      const baselines: number[] = [];
      for (const [name, fanOut] of [['in-process', undefined], ['Kafka', kafkaFanOut]] as [string, FanOut | undefined][]) {
        const projection = createFeedProjection({ store, checkpoints: pool, chunkSize: CHUNK_SIZE, celebrityThreshold: count + 1, ...(fanOut ? { fanOut } : {}) });
        await projection.setup();
        const projector = startProjector(events, projection, { pollIntervalMs: 50 });
        const times: number[] = [];
        try {
          for (let run = 0; run < runs; run++) {
            baselines.push(await baseline(redis, prefix, followers));
            const postId = uuidv7();
            // The author's own feed is pushed too: count + 1 feeds.
            const lastInsert = new Promise<number>((done) => reached.set(postId, { count: 0, target: count + 1, done }));
            const createdAt = new Date().toISOString();
            const appended = performance.now();
            await events.append(`post-${postId}`, [{ eventId: uuidv7(), type: 'PostCreated', data: { postId, authorId, caption: '', hashtags: [], mentions: [], media: [{ url: 'https://cdn.example.com/a.jpg', type: 'image' }], createdAt }, metadata: { correlationId: uuidv7(), causationId: null, actorId: authorId, occurredAt: createdAt } }], 'no_stream');
            times.push((await lastInsert) - appended);
            reached.delete(postId);
            const missing = (await Promise.all(followers.map((id) => store.feed(id, { limit: 1 })))).filter((feed) => feed[0]?.postId !== postId).length;
            if (missing > 0) throw new Error(`${name}: ${missing} followers lack the post`);
          }
        } finally {
          await projector.stop();
        }
        const ms = median(times);
        figures.push({ fanOut: name, followers: count, medianMs: ms });
        rows.push({ fan_out: name, followers: count.toLocaleString('en'), 'append → last insert, median ms': ms.toFixed(0), 'min ms': Math.min(...times).toFixed(0), 'feed inserts/s': Math.round((count / ms) * 1000).toLocaleString('en') });
      }
      const base = median(baselines);
      figures.push({ fanOut: 'baseline: pipelined ZADDs', followers: count, medianMs: base });
      rows.push({ fan_out: 'baseline: pipelined ZADDs', followers: count.toLocaleString('en'), 'append → last insert, median ms': base.toFixed(0), 'min ms': Math.min(...baselines).toFixed(0), 'feed inserts/s': Math.round((count / base) * 1000).toLocaleString('en') });
    }
    console.log(`Fan-out of one post, from append to the last follower's feed insert (chunks of ${CHUNK_SIZE}, ${PARTITIONS} partitions, Kafka ${BROKERS.join(',')})\n`);
    console.table(rows);
    printFigures('fanout:kafka', { chunkSize: CHUNK_SIZE, partitions: PARTITIONS, scenarios: figures });
  } finally {
    await workers.stop();
    await kafkaFanOut.close();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic.topic] }).catch(() => undefined);
    await admin.deleteGroups([`${topic.topic}-workers`]).catch(() => undefined);
    await admin.disconnect();
    await dropRedisKeys(redis, [`${prefix}*`]);
    redis.disconnect();
    await events.close();
    await pool.end();
    await scratch.drop();
  }
};

await main();

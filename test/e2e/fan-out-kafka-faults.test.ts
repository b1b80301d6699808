import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliverFanOutChunk, type FanOutChunk } from '../../projections/feed/fan-out.js';
import { createKafkaFanOut } from '../../projections/feed/fan-out-kafka.js';
import { startFanOutWorkers } from '../../projections/feed/fan-out-workers.js';
import { createFeedProjection } from '../../projections/feed/feed-projection.js';
import { createPostgresFeedStore } from '../../projections/feed/feed-store-postgres.js';
import { createRedisFeedStore } from '../../projections/feed/feed-store-redis.js';
import type { RecordedEvent } from '../../events/index.js';
import type { Projection } from '../../projections/runtime/projection.js';
import { startKafka, stopKafka } from '../../scripts/services/kafka.js';
import { freePort } from '../../scripts/services/probe.js';
import { startEntrypoint, type Running } from '../support/entrypoint.js';
import { applyRetrying, eventually, kafkaClient, postCreated, postIdOf, seedFollowers, testKafkaBrokers, testTopicName } from '../support/kafka.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { createTestRedis, isRedisReachable, type TestRedis } from '../support/test-redis.js';

// Faults with the real broker, for a post to 10,000 followers: the broker restarted (SIGKILL,
// then started again on its data) in the middle of the fan-out, and a fan-out worker process
// killed (SIGKILL) in the middle of its batch. Either way every follower's feed ends up holding
// the post exactly once, and nothing else.
const FOLLOWERS = 10_000;
const ROOT = resolve(import.meta.dirname, '../..');
const brokers = testKafkaBrokers();
const redisUp = await isRedisReachable();
if (brokers.length === 0) console.warn('[fan-out faults] worker test skipped: no Kafka broker (run `npm run services:up`)');
if (!redisUp) console.warn('[fan-out faults] broker restart test skipped: no Redis');

const apply = (projection: Projection, event: RecordedEvent) => projection.apply({ events: [event], position: event.position, replay: false }, 'feed-faults');

describe('fan-out through Kafka under faults', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  describe.skipIf(!redisUp)('a broker of its own, restarted mid-fan-out', () => {
    let nodeDir: string;
    let redis: TestRedis;
    beforeAll(async () => {
      nodeDir = await mkdtemp(join(tmpdir(), 'kafka-restart-'));
      redis = await createTestRedis();
    });
    afterAll(async () => {
      await stopKafka(nodeDir);
      await rm(nodeDir, { recursive: true, force: true });
      await redis.drop();
    });

    it('leaves every follower with each post exactly once', async () => {
      const [port, controllerPort] = [await freePort(), await freePort()];
      const node = { servicesDir: join(ROOT, '.services'), nodeDir, port, controllerPort, heap: '384m' };
      const kafka = kafkaClient([(await startKafka(node)).brokers]);
      const topic = { topic: testTopicName(), partitions: 4, replicationFactor: 1 };
      const store = createRedisFeedStore(redis.client, { prefix: redis.prefix });
      const reached = new Map<string, Set<string>>();
      // A slow worker, so that the broker dies with most of the chunks still to deliver.
      const deliver = async (chunk: FanOutChunk) => {
        await new Promise((resolveLater) => setTimeout(resolveLater, 15));
        await deliverFanOutChunk(store, chunk);
        const followers = reached.get(chunk.postId) ?? reached.set(chunk.postId, new Set()).get(chunk.postId)!;
        for (const id of chunk.followerIds) followers.add(id);
      };
      const fanOut = createKafkaFanOut(kafka, topic);
      const workers = await startFanOutWorkers(kafka, { ...topic, groupId: `${topic.topic}-workers`, sessionTimeoutMs: 6_000, deliver });
      try {
        const authorId = uuidv7();
        const followers = await seedFollowers(store, authorId, FOLLOWERS);
        const projection = createFeedProjection({ store, checkpoints: db.pool, fanOut, chunkSize: 100, celebrityThreshold: FOLLOWERS + 1 });
        await projection.setup();
        const first = postCreated(authorId, '2025-05-01T10:00:00.000Z');
        const second = postCreated(authorId, '2025-05-01T10:00:01.000Z');

        await apply(projection, first);
        await eventually('some followers have the first post', async () => (reached.get(postIdOf(first))?.size ?? 0) >= 500);
        await stopKafka(nodeDir, { kill: true });
        expect(reached.get(postIdOf(first))!.size).toBeLessThan(FOLLOWERS); // the broker died mid-fan-out
        // A post while the broker is down: its batch fails and is retried until the broker is back.
        const applyingSecond = applyRetrying(projection, second, 'feed-faults', 30);
        await new Promise((resolveLater) => setTimeout(resolveLater, 1_000));
        await startKafka(node);
        await applyingSecond;

        const everyone = async () => [first, second].every((event) => reached.get(postIdOf(event))?.size === FOLLOWERS);
        await eventually('every follower has both posts', everyone);
        const feeds = await Promise.all(followers.map((id) => store.feed(id, { limit: 10 })));
        const wrong = feeds.filter((feed) => feed.map((entry) => entry.postId).join() !== [postIdOf(second), postIdOf(first)].join());
        expect(wrong).toEqual([]);
      } finally {
        await workers.stop();
        await fanOut.close();
      }
      // It starts a broker (a JVM) twice: on a busy 2-core machine that alone takes most of a minute.
    }, 180_000);
  });

  describe.skipIf(brokers.length === 0)('a worker process killed mid-batch', () => {
    const workers: Running[] = [];
    let dataDir: string;
    beforeAll(async () => {
      dataDir = await mkdtemp(join(tmpdir(), 'fanout-worker-'));
    });
    afterAll(async () => {
      for (const worker of workers) worker.child.kill('SIGKILL');
      await Promise.all(workers.map((worker) => worker.exited));
      await rm(dataDir, { recursive: true, force: true });
    });

    it('leaves every follower with the post exactly once, the other worker finishing its chunks', async () => {
      const topic = { topic: testTopicName(), partitions: 4, replicationFactor: 1 };
      const env = {
        ROLE: 'worker',
        PORT: '0',
        LOG_LEVEL: 'warn',
        DATA_DIR: dataDir,
        DATABASE_URL: db.url,
        JWT_SECRET: 'test-secret-that-is-at-least-32-characters-long',
        KAFKA_BROKERS: brokers.join(','),
        KAFKA_FANOUT_TOPIC: topic.topic,
        KAFKA_TOPIC_PARTITIONS: '4',
        KAFKA_SESSION_TIMEOUT: '6s',
      };
      // Feeds in PostgreSQL, in this test's schema: the worker processes write there too.
      const store = createPostgresFeedStore(db.pool);
      await store.setup();
      const authorId = uuidv7();
      const followers = Array.from({ length: FOLLOWERS }, () => uuidv7());
      await db.pool.query('insert into feed_follows (follower_id, followee_id) select unnest($1::text[]), $2', [followers, authorId]);
      await db.pool.query('insert into feed_follower_counts (user_id, followers) values ($1, $2)', [authorId, FOLLOWERS]);
      const rows = async () => {
        const { rows: [row] } = await db.pool.query<{ n: string; users: string; others: string }>(
          `select count(*) n, count(distinct user_id) users, count(*) filter (where post_id <> $1) others from feed_items where user_id <> $2`,
          [postId, authorId],
        );
        return { n: Number(row!.n), users: Number(row!.users), others: Number(row!.others) };
      };

      const doomed = await startEntrypoint(dataDir, env);
      workers.push(doomed);
      const kafka = kafkaClient(brokers);
      const fanOut = createKafkaFanOut(kafka, topic);
      const projection = createFeedProjection({ store, checkpoints: db.pool, fanOut, chunkSize: 10, celebrityThreshold: FOLLOWERS + 1 });
      const event = postCreated(authorId);
      const postId = postIdOf(event);
      try {
        await apply(projection, event); // 1,000 chunks on the topic
      } finally {
        await fanOut.close();
      }
      await eventually('the worker has started on the chunks', async () => (await rows()).n > 0, 60_000);
      doomed.child.kill('SIGKILL');
      await doomed.exited;
      expect((await rows()).n).toBeLessThan(FOLLOWERS); // killed with chunks still to do

      workers.push(await startEntrypoint(dataDir, env));
      await eventually('every follower has the post', async () => (await rows()).n >= FOLLOWERS, 60_000);
      expect(await rows()).toEqual({ n: FOLLOWERS, users: FOLLOWERS, others: 0 });
      const { rows: own } = await db.pool.query('select post_id from feed_items where user_id = $1', [authorId]);
      expect(own).toEqual([{ post_id: postId }]);
    });
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { v7 as uuidv7 } from 'uuid';
import type { FanOutChunk } from '../../projections/feed/fan-out.js';
import { deliverFanOutChunk } from '../../projections/feed/fan-out.js';
import { Partitioners } from 'kafkajs';
import { chunkKey, createKafkaFanOut, type KafkaFanOut } from '../../projections/feed/fan-out-kafka.js';
import { FAN_OUT_WORKERS, startFanOutWorkers, type FanOutWorkers } from '../../projections/feed/fan-out-workers.js';
import { createParkingLot } from '../../projections/runtime/parked-events.js';
import { isTransientBackendError } from '../../app/http/backend-errors.js';
import { createFeedProjection } from '../../projections/feed/feed-projection.js';
import { createRedisFeedStore } from '../../projections/feed/feed-store-redis.js';
import type { FeedStore } from '../../projections/feed/feed-store.js';
import { eventually, kafkaClient, postCreated, postIdOf, seedFollowers, testKafkaBrokers, testTopicName } from '../support/kafka.js';
import { feedSettings } from '../support/settings.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { createTestRedis, isRedisReachable, type TestRedis } from '../support/test-redis.js';

// The Kafka adapter of the FanOut port against the real broker: chunks published by the feed
// projection reach the feeds through the workers, a redelivered chunk changes nothing, the topic
// gets the configured partitions, and a celebrity's post publishes nothing.
const brokers = testKafkaBrokers();
const reachable = brokers.length > 0 && (await isRedisReachable());
if (!reachable) console.warn('[fan-out-kafka] skipped: no Kafka broker (run `npm run services:up`) or no Redis');

describe.skipIf(!reachable)('Kafka fan-out', () => {
  const kafka = kafkaClient(brokers);
  const topic = { topic: testTopicName(), partitions: 3, replicationFactor: 1 };
  let db: TestDatabase;
  let redis: TestRedis;
  let store: FeedStore;
  let fanOut: KafkaFanOut;
  let workers: FanOutWorkers;
  const delivered: FanOutChunk[] = [];
  const POISON_SCORE = -1;

  beforeAll(async () => {
    db = await createTestDatabase();
    redis = await createTestRedis();
    store = createRedisFeedStore(redis.client, { prefix: redis.prefix });
    await store.setup();
    fanOut = createKafkaFanOut(kafka, topic);
    const deliver = async (chunk: FanOutChunk) => {
      // A chunk no delivery can apply (review: a bad score), as a bug or a forged message would be.
      if (chunk.score === POISON_SCORE) throw new Error('bad score');
      await deliverFanOutChunk(store, chunk);
      delivered.push(chunk);
    };
    const parking = { lot: createParkingLot(db.pool), afterAttempts: 2, isTransient: isTransientBackendError };
    workers = await startFanOutWorkers(kafka, { ...topic, groupId: `${topic.topic}-workers`, sessionTimeoutMs: 6_000, deliver, parking });
  });
  afterAll(async () => {
    await workers?.stop();
    await fanOut?.close();
    await redis?.drop();
    await db?.drop();
  });

  const feedIds = (followerId: string) => store.feed(followerId, { limit: 10 }).then((entries) => entries.map((entry) => entry.postId));

  it('creates the topic with the configured partitions', async () => {
    const admin = kafka.admin();
    await admin.connect();
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic.topic] });
    await admin.disconnect();
    expect(topics[0]!.partitions).toHaveLength(3);
  });

  it("delivers a non-celebrity's post, published chunk by chunk, into every follower's feed", async () => {
    const authorId = uuidv7();
    const followers = await seedFollowers(store, authorId, 250);
    const projection = createFeedProjection({ store, checkpoints: db.pool, fanOut, ...feedSettings({ chunkSize: 40 }) });
    await projection.setup();
    const event = postCreated(authorId);
    await projection.apply({ events: [event], position: event.position, replay: false }, 'feed-kafka-test');
    const postId = postIdOf(event);
    // 250 followers in chunks of 40: seven messages, spread over the partitions by their keys.
    await eventually('every follower has the post', async () => (await Promise.all(followers.map(feedIds))).every((ids) => ids.includes(postId)));
    // A chunk is recorded as delivered after its feeds are written: the last may land a moment later.
    await eventually('every chunk is recorded', async () => delivered.filter((chunk) => chunk.postId === postId).length >= 7);
    const chunks = delivered.filter((chunk) => chunk.postId === postId);
    expect(chunks.map((chunk) => chunk.followerIds.length).sort((a, b) => a - b)).toEqual([10, 40, 40, 40, 40, 40, 40]);
    expect(new Set(chunks.flatMap((chunk) => chunk.followerIds))).toEqual(new Set(followers));
    // Each chunk has a key of its own, and lands on the partition the producer's partitioner
    // gives that key: so a post's chunks spread over the partitions as their keys' hashes do.
    // (Not "more than one partition": 7 keys all hash to one of 3 partitions once in 729 runs.)
    const keys = chunks.map(chunkKey);
    expect(new Set(keys).size).toBe(7);
    const partitionOf = Partitioners.DefaultPartitioner();
    const partitionMetadata = [0, 1, 2].map((partitionId) => ({ partitionId, leader: 0, partitionErrorCode: 0, replicas: [0], isr: [0] }));
    const expected = [0, 0, 0];
    for (const key of keys) expected[partitionOf({ topic: topic.topic, partitionMetadata, message: { key, value: '' } })]! += 1;
    const admin = kafka.admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(topic.topic);
    await admin.disconnect();
    const landed = [0, 0, 0];
    for (const { partition, high } of offsets) landed[partition] = Number(high);
    // Which partitions hold messages, not how many: a send the producer retried may be written twice.
    expect(landed.map((count) => count > 0)).toEqual(expected.map((count) => count > 0));
  });

  it('changes nothing when a chunk is delivered again', async () => {
    const authorId = uuidv7();
    const followers = await seedFollowers(store, authorId, 30);
    const chunk: FanOutChunk = { postId: uuidv7(), authorId, score: Date.now(), followerIds: followers };
    await fanOut.publish(chunk);
    await eventually('the chunk is delivered', async () => delivered.some((seen) => seen.postId === chunk.postId));
    const before = await Promise.all(followers.map((id) => store.feed(id, { limit: 10 })));
    await fanOut.publish(chunk); // as a producer retry or a redelivery after a crash would
    await eventually('the chunk is delivered twice', async () => delivered.filter((seen) => seen.postId === chunk.postId).length === 2);
    expect(await Promise.all(followers.map((id) => store.feed(id, { limit: 10 })))).toEqual(before);
    expect(before.every((feed) => feed.length === 1 && feed[0]!.postId === chunk.postId)).toBe(true);
  });

  it('parks a chunk it cannot apply after bounded deliveries and commits past it: later chunks of its partition arrive', async () => {
    const authorId = uuidv7();
    const followers = await seedFollowers(store, authorId, 3);
    const postId = uuidv7();
    // Same post and first follower: the same key, so the same partition, in this order.
    await fanOut.publish({ postId, authorId, score: POISON_SCORE, followerIds: followers });
    await fanOut.publish({ postId, authorId, score: Date.now(), followerIds: followers });
    await eventually('the later chunk is delivered', async () => delivered.some((seen) => seen.postId === postId));
    const parked = (await createParkingLot(db.pool).list(FAN_OUT_WORKERS)).filter((p) => (p.event as unknown as FanOutChunk).postId === postId);
    expect(parked.map(({ type, error, attempts }) => ({ type, error, attempts }))).toEqual([{ type: 'FanOutChunk', error: 'bad score', attempts: 2 }]);
    expect(await feedIds(followers[0]!)).toEqual([postId]);
  });

  it("publishes nothing for a celebrity's post (pulled at read time)", async () => {
    const authorId = uuidv7();
    await seedFollowers(store, authorId, 20);
    const admin = kafka.admin();
    await admin.connect();
    const messages = async () => (await admin.fetchTopicOffsets(topic.topic)).reduce((sum, partition) => sum + Number(partition.high), 0);
    const before = await messages();
    const projection = createFeedProjection({ store, checkpoints: db.pool, fanOut, celebrityThreshold: 20, chunkSize: 5 });
    const event = postCreated(authorId);
    await projection.apply({ events: [event], position: event.position, replay: false }, 'feed-kafka-celebrity');
    const after = await messages();
    await admin.disconnect();
    expect(after).toBe(before);
    expect(await store.celebrityStates([authorId])).toEqual(new Map([[authorId, 'celebrity']]));
  });
});

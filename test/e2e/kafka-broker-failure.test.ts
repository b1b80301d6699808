import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Admin } from 'kafkajs';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandDeps } from '../../commands/deps.js';
import { streams, type EventStore } from '../../events/index.js';
import { createPostgresEventStore } from '../../events/postgres/index.js';
import { createKafkaFanOut } from '../../projections/feed/fan-out-kafka.js';
import { createFeedProjection } from '../../projections/feed/feed-projection.js';
import { createPostgresFeedStore } from '../../projections/feed/feed-store-postgres.js';
import { KAFKA_CLUSTER_SIZE, startKafka, startKafkaCluster, stopKafka, stopKafkaCluster, type KafkaCluster } from '../../scripts/services/kafka.js';
import { freePort } from '../../scripts/services/probe.js';
import { startEntrypoint, type Running } from '../support/entrypoint.js';
import { applyRetrying, eventually, kafkaClient, postCreated, postIdOf, testTopicName } from '../support/kafka.js';
import { makeJpeg } from '../support/media-fixtures.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { resultCounts, s3Environment, testS3, uploadAs } from '../integration/media-worker-support.js';

// Kafka with replication (issue 19 item 2): a cluster of three KRaft brokers of the test's own,
// the platform's topics created by a worker process (role worker) with its defaults for three
// brokers listed (3 replicas, min.insync.replicas 2). One broker, the leader of a fan-out
// partition, is SIGKILLed while a post fans out to 10,000 followers (chunks still being published
// and consumed) and while uploaded images are being processed. With two brokers of three left,
// every partition has a leader and two replicas in sync, so producers (acks=all) and consumers go
// on without it: every follower's feed holds the post exactly once, every media item has exactly
// one MediaProcessed, and the worker's /metrics shows both groups' lag, per partition, at zero.
// The killed broker, started again on its data, catches up and rejoins every partition's in-sync
// replicas. Starts three JVMs (256 MB of heap each; about 30 s on the project's shared 2-core
// machine) and a fourth at the end; needs no Kafka of `npm run services:up`.
//
// It failed about one run in four until the job topics' producer kept one produce call in flight
// (projections/feed/fan-out-topic.ts createTopicProducer): with the fan-out's chunks published
// side by side, kafkajs's idempotent producer reused a sequence number across the leader's loss,
// and the new leader acknowledged a chunk as a duplicate without writing it. The topic then held
// every message the workers committed, their lag was zero, and a few followers never had the post.
// And when the lost broker was a group's coordinator, kafkajs kept committing to it, so the lag
// stayed up for a minute or more: the consumers are started afresh once their commits have failed
// for 20 s (COMMIT_STALL_RESTART_MS, kafka_consumer_restarts_total).
const FOLLOWERS = 10_000;
const FILES = 16;
const PARTITIONS = 4;
const ROOT = resolve(import.meta.dirname, '../..');

/** Each partition's leader and in-sync replicas. */
const partitionsOf = async (admin: Admin, topic: string) =>
  (await admin.fetchTopicMetadata({ topics: [topic] })).topics[0]!.partitions.map(({ partitionId, leader, replicas, isr }) => ({ partitionId, leader, replicas: replicas.length, isr }));

describe('Kafka on three brokers, one killed mid-fan-out and mid-processing', () => {
  let db: TestDatabase;
  let store: EventStore;
  let dataDir: string;
  let clusterDir: string;
  let cluster: KafkaCluster;
  const workers: Running[] = [];
  beforeAll(async () => {
    db = await createTestDatabase();
    store = await createPostgresEventStore(db.pool);
    dataDir = await mkdtemp(join(tmpdir(), 'kafka-broker-failure-'));
    clusterDir = join(dataDir, 'cluster');
    const ports = [];
    for (let i = 0; i < KAFKA_CLUSTER_SIZE; i++) ports.push({ port: await freePort(), controllerPort: await freePort() });
    cluster = await startKafkaCluster({ servicesDir: join(ROOT, '.services'), clusterDir, ports });
  }, 240_000);
  afterAll(async () => {
    for (const worker of workers) worker.child.kill('SIGKILL');
    await Promise.all(workers.map((worker) => worker.exited));
    await stopKafkaCluster(clusterDir);
    await store?.close();
    await db?.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('ends every feed with the post once and every media item processed once, on two brokers of three', { timeout: 480_000 }, async () => {
    const topic = testTopicName();
    const mediaTopic = `${topic}-media`;
    const workTmp = join(dataDir, 'tmp');
    await mkdir(workTmp, { recursive: true });
    const worker = await startEntrypoint(dataDir, {
      TMPDIR: workTmp,
      ROLE: 'worker',
      PORT: '0',
      LOG_LEVEL: 'warn',
      DATA_DIR: dataDir,
      DATABASE_URL: db.url,
      JWT_SECRET: 'test-secret-that-is-at-least-32-characters-long',
      // Three brokers listed, no replication settings: the defaults for a cluster (3 replicas, 2 in sync).
      KAFKA_BROKERS: cluster.brokers,
      KAFKA_FANOUT_TOPIC: topic,
      KAFKA_MEDIA_TOPIC: mediaTopic,
      KAFKA_TOPIC_PARTITIONS: String(PARTITIONS),
      KAFKA_SESSION_TIMEOUT: '6s',
      ...(await s3Environment()),
    });
    workers.push(worker);
    const kafka = kafkaClient(cluster.brokers.split(','));
    const admin = kafka.admin();
    await admin.connect();
    const fanOut = createKafkaFanOut(kafka, { topic, partitions: PARTITIONS, replicationFactor: 3, minInsyncReplicas: 2 });
    try {
      // Media: uploads whose processing jobs the worker produces to the media topic and consumes.
      const deps = { store, storage: await testS3(), storyTtlMs: 86_400_000 } as unknown as CommandDeps;
      const owner = uuidv7();
      const photo = await makeJpeg({ width: 4000, height: 3000 });
      const mediaIds: string[] = [];
      for (let i = 0; i < FILES; i++) mediaIds.push(await uploadAs(deps, owner, photo));
      const results = () => resultCounts(store, mediaIds);
      const processed = async () => (await results()).filter((count) => count > 0).length;

      // Feeds in PostgreSQL, in this test's schema, where the worker writes them.
      const feeds = createPostgresFeedStore(db.pool);
      await feeds.setup();
      const authorId = uuidv7();
      const followers = Array.from({ length: FOLLOWERS }, () => uuidv7());
      await db.pool.query('insert into feed_follows (follower_id, followee_id) select unnest($1::text[]), $2', [followers, authorId]);
      await db.pool.query('insert into feed_follower_counts (user_id, followers) values ($1, $2)', [authorId, FOLLOWERS]);
      const event = postCreated(authorId);
      const postId = postIdOf(event);
      const rows = async () => {
        const { rows: [row] } = await db.pool.query<{ n: string; users: string; others: string }>(
          `select count(*) n, count(distinct user_id) users, count(*) filter (where post_id <> $1) others from feed_items where user_id <> $2`,
          [postId, authorId],
        );
        return { n: Number(row!.n), users: Number(row!.users), others: Number(row!.others) };
      };

      await eventually('the worker has created its topics', async () => {
        const existing = await admin.listTopics();
        return existing.includes(topic) && existing.includes(mediaTopic);
      }, 120_000);
      // The worker created both topics with three replicas, two of them to be in sync for a write.
      for (const name of [topic, mediaTopic]) {
        expect((await partitionsOf(admin, name)).map(({ replicas, isr }) => [replicas, isr.length])).toEqual(Array.from({ length: PARTITIONS }, () => [3, 3]));
        const { resources } = await admin.describeConfigs({ resources: [{ type: 2, name, configNames: ['min.insync.replicas'] }], includeSynonyms: false });
        expect(resources[0]!.configEntries.map(({ configName, configValue }) => [configName, configValue])).toEqual([['min.insync.replicas', '2']]);
      }

      // 1,000 chunks of 10 followers, published (acks=all) once the worker is through its first file
      // (the fan-out takes seconds, a file about one), the broker killed as the first chunks land.
      await eventually('the worker is on the files', async () => (await processed()) >= 1, 120_000);
      const projection = createFeedProjection({ store: feeds, checkpoints: db.pool, fanOut, chunkSize: 10, celebrityThreshold: FOLLOWERS + 1 });
      const publishing = applyRetrying(projection, event, 'feed-broker-failure', 60);
      await eventually('the worker is on the chunks', async () => (await rows()).n > 0, 60_000);
      // The leader of a fan-out partition (it leads some media partitions too, or is their follower).
      const victim = (await partitionsOf(admin, topic))[0]!.leader;
      await stopKafka(cluster.node(victim).nodeDir, { kill: true });
      const atKill = { feeds: (await rows()).n, media: await processed() };
      console.log(`[kafka broker failure] broker ${victim} killed with ${FOLLOWERS - atKill.feeds} feeds and ${FILES - atKill.media} files to go`);
      expect(atKill.feeds).toBeLessThan(FOLLOWERS); // killed mid-fan-out
      expect(atKill.media).toBeLessThan(FILES); // and mid-processing

      // Two brokers of three: leaders move to the survivors, two replicas stay in sync, writes go on.
      await publishing;
      await eventually('every follower has the post', async () => (await rows()).n >= FOLLOWERS, 120_000);
      await eventually('every file has a result', async () => (await processed()) === FILES, 180_000);
      expect(await rows()).toEqual({ n: FOLLOWERS, users: FOLLOWERS, others: 0 });
      expect(await results()).toEqual(mediaIds.map(() => 1));
      for (const mediaId of mediaIds) {
        expect((await store.readStream(streams.media(mediaId))).map(({ type }) => type)).toEqual(['MediaUploadRequested', 'MediaUploaded', 'MediaProcessed']);
      }
      for (const name of [topic, mediaTopic]) {
        const partitions = await partitionsOf(admin, name);
        expect(partitions.every(({ leader, isr }) => leader !== victim && !isr.includes(victim) && isr.length === 2)).toBe(true);
      }

      // The worker's /metrics: each group's lag on each partition, polled from the brokers, down to nothing.
      const lagSeries = async () => {
        const text = await (await fetch(`${worker.address}/metrics`)).text();
        return text.split('\n').filter((line) => line.startsWith('kafka_consumer_lag{')).sort();
      };
      const caughtUp = [topic, mediaTopic]
        .flatMap((name) => Array.from({ length: PARTITIONS }, (_, partition) => `kafka_consumer_lag{topic="${name}",partition="${partition}",group="${name}-workers"} 0`))
        .sort();
      // A group whose coordinator was the killed broker cannot commit until its consumer is started
      // afresh (COMMIT_STALL_RESTART_MS, 20 s), rejoins and has its uncommitted jobs delivered again:
      // most of a minute on a loaded machine.
      await eventually('the lag metrics show both groups caught up', async () => (await lagSeries()).join('\n') === caughtUp.join('\n'), 120_000).catch(async (error: unknown) => {
        console.log(`[kafka broker failure] the worker's log:\n${worker.output().split('\n').filter((line) => /afresh|commit|rebalanc|coordinator/i.test(line)).slice(-20).join('\n')}`);
        expect(await lagSeries()).toEqual(caughtUp);
        throw error;
      });

      // The killed broker, started again on its data, catches up and rejoins every partition's in-sync replicas.
      await startKafka(cluster.node(victim));
      await eventually(
        'the restarted broker is in sync again everywhere',
        async () => (await Promise.all([topic, mediaTopic].map((name) => partitionsOf(admin, name)))).flat().every(({ isr }) => isr.length === 3),
        60_000,
      );
    } finally {
      await fanOut.close();
      await admin.disconnect();
    }
  });
});

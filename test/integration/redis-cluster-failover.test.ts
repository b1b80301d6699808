import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Redis, type Cluster } from 'ioredis';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inProcessFanOut, type FanOut } from '../../projections/feed/fan-out.js';
import { createFeedProjection } from '../../projections/feed/feed-projection.js';
import { createRedisFeedStore } from '../../projections/feed/feed-store-redis.js';
import { createRedisCardBus } from '../../projections/profiles/card-bus-redis.js';
import { createRedisPushBus } from '../../projections/push/push-bus-redis.js';
import { waitForReplicas } from '../../projections/runtime/redis-replicas.js';
import type { PushMessage } from '../../projections/push/push-bus.js';
import type { CardTouches } from '../../projections/profiles/card-touches.js';
import {
  clusterInfo,
  clusterIsWhole,
  clusterNodePid,
  clusterPrimaries as primaries,
  ensureRedisCluster,
  freeClusterPorts,
  replicasInSync,
  restartClusterNode,
  stopRedisCluster,
  type RedisClusterOptions,
} from '../../scripts/services/redis-cluster.js';
import { waitFor } from '../../scripts/services/probe.js';
import { FEED_HISTORY_AT, followed, posted } from '../support/feed-history.js';
import { toRecordedEvents } from '../support/history-arbitraries.js';
import type { RecordedEvent } from '../../events/index.js';
import type { Projection } from '../../projections/runtime/projection.js';
import { applyEvents } from '../support/projection-harness.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { createTestRedisCluster, type TestRedis } from '../support/test-redis.js';

// A node of a Redis Cluster killed under the card bus's subscription; then a primary killed
// (SIGKILL) in the middle of a post's fan-out to 3,000 followers, chunked as the projection chunks
// it: once its replica is promoted, every follower's feed holds the post exactly once, and every
// stream held open through it (the sharded push bus) hears pushes again. The cluster is this
// test's own (six nodes on free ports, a 1 s cluster-node-timeout so that the failover takes
// seconds), so that the shared one is not harmed. What carries the fan-out through: the cluster
// client retries a command whose connection closed or that met CLUSTERDOWN (app/redis-client.ts
// CLUSTER_RETRY), and what still fails fails the batch, which the projector applies again from its
// checkpoint (here: the harness called again, as a restarted runner would), the feed's pushes
// being idempotent.

const FOLLOWERS = 3_000;
const CHUNK = 100;
/** Chunks delivered before the kill: the fan-out is well under way, far from done. */
const KILL_AFTER_CHUNKS = 8;
/**
 * The projector's loop: a batch that fails (a Redis failure the client's retries did not ride
 * out) is applied again from the checkpoint; answers how many times it failed. Each failure is
 * printed, so that a run that needed retries says why.
 */
const applyAsTheRunnerDoes = async (projection: Projection, log: readonly RecordedEvent[]): Promise<number> => {
  for (let failures = 0; ; failures++) {
    try {
      await applyEvents(projection, log, { checkpointKey: 'feed-failover' });
      return failures;
    } catch (error) {
      console.log(`[failover] batch failed, retried: ${(error as Error).message}`);
      if (failures >= 60) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
};

describe('Redis Cluster failover mid-fan-out', () => {
  let options: RedisClusterOptions;
  let db: TestDatabase;
  let redis: TestRedis<Cluster>;
  beforeAll(async () => {
    options = { home: await mkdtemp(join(tmpdir(), 'redis-cluster-failover-')), ports: await freeClusterPorts(), nodeTimeoutMs: 1_000, binariesHome: resolve(import.meta.dirname, '../../.services/redis') };
    await ensureRedisCluster(options);
    db = await createTestDatabase();
    redis = await createTestRedisCluster(options.ports.map((port) => `127.0.0.1:${port}`));
  }, 60_000);
  afterAll(async () => {
    redis?.client.disconnect();
    await db?.drop();
    if (options) {
      await stopRedisCluster(options.home, options.ports);
      await rm(options.home, { recursive: true, force: true });
    }
  }, 60_000);

  /** Writes under 64 hash tags: (2/3)^64, about 5e-12, is the chance that a primary gets none of them. */
  const writeEverywhere = () => Promise.all(Array.from({ length: 64 }, (_, i) => redis.client.set(`${redis.prefix}replicas:{${uuidv7()}}`, String(i))));

  // The feed and stories stores wait for this before their checkpoint (and the Kafka workers before
  // a commit): with it, a write acknowledged just before its primary dies cannot be behind the checkpoint.
  it("waits for every primary's replica to hold this client's writes, and reports one whose replica does not answer", async () => {
    // The client learns the replicas from its slot map, refreshed every 5 s (the cluster is new).
    await waitFor('the client to know every primary has a replica', 15_000, async () => redis.client.slots.length === 16_384 && redis.client.slots.every((owners) => owners.length > 1));
    await writeEverywhere();
    const all = await waitForReplicas(redis.client);
    expect(all.waited.map((node) => Number(node.split(':')[1])).sort()).toEqual((await primaries(options.ports)).sort());
    expect(all.unacknowledged).toEqual([]);

    // A primary's replica frozen (SIGSTOP): its writes are unacknowledged after the timeout, the others' are not.
    const [primary] = await primaries(options.ports);
    const role = new Redis(primary!, '127.0.0.1', { maxRetriesPerRequest: 1 });
    const [, , replicas] = (await role.call('ROLE')) as [string, number, [string, string, string][]];
    role.disconnect();
    const replicaPid = (await clusterNodePid(options.home, Number(replicas[0]![1])))!;
    process.kill(replicaPid, 'SIGSTOP');
    try {
      await writeEverywhere();
      const frozen = await waitForReplicas(redis.client, 300);
      expect(frozen.waited).toHaveLength(3);
      expect(frozen.unacknowledged).toEqual([`127.0.0.1:${primary}`]);
    } finally {
      process.kill(replicaPid, 'SIGCONT');
    }
    await waitFor('the thawed replica in sync in a whole cluster', 30_000, async () => (await clusterIsWhole(options.ports)) && (await replicasInSync(options.ports)));
  }, 60_000);

  // The card bus subscribes on one node (plain PUBLISH reaches every node): that node killed, the
  // cache hears down(), then live() once the bus has subscribed on another, and gets what is
  // published after. The node is then restarted, and rejoins, so that the next test starts whole.
  it('the card bus moves to another node when the one it subscribed on dies', async () => {
    const bus = createRedisCardBus(redis.client, { prefix: redis.prefix });
    const events: string[] = [];
    const received: CardTouches[] = [];
    const unsubscribe = bus.subscribe({ touched: (touches) => received.push(touches), clear: () => events.push('clear'), live: () => events.push('live'), down: () => events.push('down') });
    try {
      await waitFor('the card bus live', 10_000, async () => events.includes('live'));
      const named = await Promise.all(
        options.ports.map(async (port) => {
          const client = new Redis(port, '127.0.0.1', { maxRetriesPerRequest: 1 });
          try {
            return ((await client.client('LIST')) as string).includes(`name=${redis.prefix}cards`) ? port : null;
          } finally {
            client.disconnect();
          }
        }),
      );
      const subscribedOn = named.filter((port) => port !== null);
      expect(subscribedOn).toHaveLength(1);
      process.kill((await clusterNodePid(options.home, subscribedOn[0]!))!, 'SIGKILL');
      await waitFor('down, then live again', 30_000, async () => events.lastIndexOf('live') > events.indexOf('down') && events.includes('down'));
      const touches: CardTouches = { posts: [uuidv7()], users: [], pairs: [] };
      await waitFor('a publish after the move delivered', 30_000, async () => {
        await bus.publish(touches);
        return received.some((got) => got.posts[0] === touches.posts[0]);
      });
    } finally {
      unsubscribe();
      await bus.close();
    }
    await restartClusterNode(options, (await Promise.all(options.ports.map(async (port) => ((await clusterNodePid(options.home, port)) ? null : port)))).find((port) => port !== null)!);
    await waitFor('the restarted node back in a whole cluster, every replica in sync', 30_000, async () => (await clusterIsWhole(options.ports)) && (await replicasInSync(options.ports)));
  }, 60_000);

  it('kills the primary holding part of the feeds mid-fan-out; once its replica is promoted, every follower has the post exactly once', async () => {
    const store = createRedisFeedStore(redis.client, { prefix: redis.prefix });
    const [author, postId] = [uuidv7(), uuidv7()];
    const followers = Array.from({ length: FOLLOWERS }, () => uuidv7());
    const log = toRecordedEvents([...followers.map((follower) => followed(follower, author)), posted(postId, author)]);
    const graph = log.slice(0, -1);
    const feed = createFeedProjection({ store, checkpoints: db.pool, celebrityThreshold: FOLLOWERS * 10, chunkSize: CHUNK });
    await feed.setup();
    await applyAsTheRunnerDoes(feed, graph);

    // The victim: a primary (each owns a third of the slots, so about a third of the feeds).
    const [victim] = await primaries(options.ports);
    const victimPid = (await clusterNodePid(options.home, victim!))!;
    expect(victimPid).toBeGreaterThan(0);
    // Streams held open through the failover: the sharded push bus's subscriptions (one
    // connection per primary) must follow the dead primary's slots to its replica.
    const bus = createRedisPushBus(redis.client, { prefix: redis.prefix, sharded: true });
    const listening = followers.slice(0, 30);
    const pushed = new Map<string, PushMessage[]>(listening.map((userId) => [userId, []]));
    await Promise.all(listening.map((userId) => bus.subscribe(userId, (message) => pushed.get(userId)!.push(message))));
    const inner = inProcessFanOut(store);
    let delivered = 0;
    let killedAt: number | null = null;
    const killing: FanOut = {
      publish: async (chunk) => {
        if (++delivered === KILL_AFTER_CHUNKS + 1 && killedAt === null) {
          process.kill(victimPid, 'SIGKILL');
          killedAt = delivered;
        }
        await inner.publish(chunk);
      },
    };
    const projection = createFeedProjection({ store, checkpoints: db.pool, celebrityThreshold: FOLLOWERS * 10, chunkSize: CHUNK, fanOut: killing });

    const started = performance.now();
    const failures = await applyAsTheRunnerDoes(projection, log);
    const fanOutMs = performance.now() - started;

    expect(killedAt).toBe(KILL_AFTER_CHUNKS + 1);
    expect(delivered).toBeGreaterThanOrEqual(FOLLOWERS / CHUNK);
    const survivors = options.ports.filter((port) => port !== victim);
    await waitFor('the cluster to be whole again without the killed primary', 30_000, async () => {
      const infos = await Promise.all(survivors.map(clusterInfo));
      return infos.every((info) => info?.cluster_state === 'ok');
    });
    // Its replica took its slots: three primaries again, none of them the dead one.
    const after = await primaries(survivors);
    expect(after).toHaveLength(3);
    expect(after).not.toContain(victim);

    const feeds = await Promise.all(followers.map((follower) => redis.client.zrange(`${redis.prefix}feed:{${follower}}`, 0, -1)));
    const missing = followers.filter((_, i) => !feeds[i]!.includes(postId));
    expect(missing).toEqual([]);
    expect(feeds.every((members) => members.length === 1 && members[0] === postId)).toBe(true);
    // Delivery is at most once: publish until each stream has heard it (a lost subscription never would).
    const message: PushMessage = { type: 'feed', postId, authorId: author, score: Date.parse(FEED_HISTORY_AT) };
    await waitFor('every open stream to hear a push after the failover', 20_000, async () => {
      const deaf = listening.filter((userId) => pushed.get(userId)!.length === 0);
      if (deaf.length === 0) return true;
      await bus.publish(deaf, message);
      return false;
    });
    await bus.close();
    console.log(`[failover] fan-out of one post to ${FOLLOWERS} followers across a primary's SIGKILL: ${Math.round(fanOutMs)} ms, ${failures} batch retries`);
    // The shared helpers agree the cluster is not whole (one node dead): this is the test's own cluster.
    expect(await clusterIsWhole(options.ports)).toBe(false);
  }, 120_000);
});

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Cluster } from 'ioredis';
import pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { clusterOptions } from '../app/redis-client.js';
import { inProcessFanOut, type FanOut } from '../projections/feed/fan-out.js';
import { createFeedProjection } from '../projections/feed/feed-projection.js';
import { createRedisFeedStore } from '../projections/feed/feed-store-redis.js';
import { waitFor } from '../scripts/services/probe.js';
import { clusterInfo, clusterNodePid, clusterPrimaries, ensureRedisCluster, freeClusterPorts, stopRedisCluster } from '../scripts/services/redis-cluster.js';
import { posted } from '../test/support/feed-history.js';
import { toRecordedEvents } from '../test/support/history-arbitraries.js';
import { printFigures } from './support/report.js';
import { createScratchSchema } from './support/scratch-schema.js';

// Fan-out time during a Redis Cluster failover: one post to FOLLOWERS followers through the feed
// projection (chunks of FANOUT_CHUNK_SIZE, in-process), on a 3-primary cluster of the bench's own
// (cluster-node-timeout NODE_TIMEOUT_MS), next to the same fan-out with no failure (the median of
// RUNS, the same run's baseline); then with a primary SIGKILLed once KILL_AFTER chunks are
// delivered: the time to the last follower's push (the client's retries, and the projector's retry
// of the batch when they are spent), the time until the cluster is whole again, and how many
// followers miss the post afterwards (0 is the claim). The failover's length is set by
// cluster-node-timeout (Redis's default is 15 s; 1 s here).
//   npm run bench:fanout:failover   (DATABASE_URL, else the local test database)
const FOLLOWERS = Number(process.env.FOLLOWERS ?? 10_000);
const CHUNK = Number(process.env.FANOUT_CHUNK_SIZE ?? 1_000);
const NODE_TIMEOUT_MS = Number(process.env.NODE_TIMEOUT_MS ?? 1_000);
const RUNS = 5;
const KILL_AFTER = 3;

const postEvent = (authorId: string) => {
  const postId = uuidv7();
  return { postId, event: toRecordedEvents([posted(postId, authorId)])[0]! };
};
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const home = await mkdtemp(join(tmpdir(), 'bench-redis-cluster-'));
const options = { home, ports: await freeClusterPorts(7_300), nodeTimeoutMs: NODE_TIMEOUT_MS, binariesHome: resolve(import.meta.dirname, '../.services/redis') };
const scratch = await createScratchSchema('bench_failover');
const pool = new pg.Pool({ connectionString: scratch.url, max: 4 });
await ensureRedisCluster(options);
const client = new Cluster(options.ports.slice(0, 3).map((port) => ({ host: '127.0.0.1', port })), clusterOptions());
client.on('error', () => undefined);
try {
  const store = createRedisFeedStore(client, { prefix: 'bench:' });
  const author = uuidv7();
  const followers = Array.from({ length: FOLLOWERS }, () => uuidv7());
  await store.addFollows(followers.map((followerId) => ({ followerId, followeeId: author })));
  const projectionWith = (fanOut: FanOut) => createFeedProjection({ store, checkpoints: pool, celebrityThreshold: FOLLOWERS * 10, chunkSize: CHUNK, fanOut });
  await projectionWith(inProcessFanOut(store)).setup();

  const plain = projectionWith(inProcessFanOut(store));
  const baseline: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const { event } = postEvent(author);
    const started = performance.now();
    await plain.apply({ events: [event], position: event.position, replay: false }, 'feed');
    baseline.push(performance.now() - started);
  }

  const [victim] = await clusterPrimaries(options.ports);
  const victimPid = (await clusterNodePid(home, victim!))!;
  const inner = inProcessFanOut(store);
  let delivered = 0;
  let killedAtMs = 0;
  const killing: FanOut = {
    publish: async (chunk) => {
      if (++delivered === KILL_AFTER + 1) {
        process.kill(victimPid, 'SIGKILL');
        killedAtMs = performance.now();
      }
      await inner.publish(chunk);
    },
  };
  const { postId, event } = postEvent(author);
  const failing = projectionWith(killing);
  const started = performance.now();
  let batchRetries = 0;
  for (;;) {
    try {
      await failing.apply({ events: [event], position: event.position, replay: false }, 'feed');
      break;
    } catch (error) {
      if (++batchRetries > 60) throw error;
      await new Promise((done) => setTimeout(done, 250));
    }
  }
  const failoverMs = performance.now() - started;
  const survivors = options.ports.filter((port) => port !== victim);
  await waitFor('the cluster whole again', 60_000, async () => (await Promise.all(survivors.map(clusterInfo))).every((info) => info?.cluster_state === 'ok'));
  const wholeAfterKillMs = performance.now() - killedAtMs;
  const feeds = await Promise.all(followers.map((follower) => client.zscore(`bench:feed:{${follower}}`, postId)));
  const missing = feeds.filter((score) => score === null).length;

  console.log(`fan-out of one post to ${FOLLOWERS} followers (chunks of ${CHUNK}), cluster-node-timeout ${NODE_TIMEOUT_MS} ms`);
  console.log(`  no failure (median of ${RUNS}): ${median(baseline).toFixed(1)} ms`);
  console.log(`  a primary SIGKILLed after ${KILL_AFTER} chunks: ${failoverMs.toFixed(0)} ms (${batchRetries} batch retries); cluster whole ${wholeAfterKillMs.toFixed(0)} ms after the kill; ${missing} followers missing the post`);
  printFigures('fanout-failover', {
    followers: FOLLOWERS,
    chunkSize: CHUNK,
    nodeTimeoutMs: NODE_TIMEOUT_MS,
    baselineMs: median(baseline),
    failoverMs,
    ratio: failoverMs / median(baseline),
    wholeAfterKillMs,
    batchRetries,
    missing,
  });
} finally {
  client.disconnect();
  await pool.end();
  await scratch.drop();
  await stopRedisCluster(home, options.ports);
  await rm(home, { recursive: true, force: true });
}

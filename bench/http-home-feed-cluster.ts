import { randomBytes } from 'node:crypto';
import { Cluster, Redis } from 'ioredis';
import { clusterOptions, hostPortOf } from '../app/redis-client.js';
import { dropRedisKeys } from '../projections/runtime/dump-redis.js';
import { load, printTable, seedHomeFeed, startBenchServer } from './support/bench-run.js';
import { httpFigures, printFigures } from './support/report.js';
import { createScratchSchema } from './support/scratch-schema.js';

// The home feed (20 hydrated items, 50 connections) on a Redis Cluster next to a single Redis in
// the same run: two API servers, one with REDIS_URL, one with REDIS_CLUSTER_NODES (the 3-primary
// cluster `npm run services:up` starts), each seeded alike through its API, each beside its own
// baseline (a bare ZREVRANGE of 20 ids from the same feed, through the same client). On loopback
// every node shares the machine's cores with the servers and the load generator, so the figure is
// the client's cost of the cluster (slot routing, a connection per node), not its capacity.
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 50);
const DURATION_S = Number(process.env.DURATION ?? 10);
const AUTHORS = 20;
const POSTS_EACH = 3;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const CLUSTER_NODES = process.env.REDIS_CLUSTER_NODES ?? '127.0.0.1:7001,127.0.0.1:7002,127.0.0.1:7003,127.0.0.1:7004,127.0.0.1:7005,127.0.0.1:7006';

const measure = async (name: string, redisEnv: Record<string, string>) => {
  const scratch = await createScratchSchema(`bench_feed_${name}`);
  const prefix = `bench_${randomBytes(4).toString('hex')}:`;
  const server = await startBenchServer({ DATABASE_URL: scratch.url, ...redisEnv, REDIS_PREFIX: prefix, MEDIA_EXTERNAL_HOSTS: 'cdn.example.com' });
  try {
    const { readerToken } = await seedHomeFeed(server.address, { authors: AUTHORS, postsEach: POSTS_EACH });
    const run = (path: string) => load({ url: `${server.address}${path}`, connections: CONNECTIONS, duration: DURATION_S, headers: { authorization: `Bearer ${readerToken}` } });
    await run('/bench/zrevrange'); // warm-up
    const baseline = await run('/bench/zrevrange');
    const home = await run('/api/v1/feed/home');
    return { baseline, home, prefix };
  } finally {
    await server.stop();
    await scratch.drop();
  }
};

const single = await measure('single', { REDIS_URL });
const cluster = await measure('cluster', { REDIS_CLUSTER_NODES: CLUSTER_NODES });
const singleClient = new Redis(REDIS_URL);
const clusterClient = new Cluster(CLUSTER_NODES.split(',').map(hostPortOf), clusterOptions());
await Promise.all([dropRedisKeys(singleClient, [`${single.prefix}*`]), dropRedisKeys(clusterClient, [`${cluster.prefix}*`])]);
singleClient.disconnect();
clusterClient.disconnect();

printTable(`${CONNECTIONS} connections, ${DURATION_S}s each; feed of ${AUTHORS * POSTS_EACH} posts`, [
  ['single Redis: bare ZREVRANGE 20 (baseline)', single.baseline],
  ['single Redis: GET /api/v1/feed/home', single.home],
  ['Redis Cluster: bare ZREVRANGE 20', cluster.baseline],
  ['Redis Cluster: GET /api/v1/feed/home', cluster.home],
]);
const ratio = cluster.home.requests.average / single.home.requests.average;
console.log(`home feed, cluster / single Redis: ${ratio.toFixed(3)}`);
printFigures('feed-cluster', {
  connections: CONNECTIONS,
  durationSeconds: DURATION_S,
  clusterHomeFeed: httpFigures(cluster.home),
  singleHomeFeed: httpFigures(single.home),
  clusterBaseline: httpFigures(cluster.baseline),
  singleBaseline: httpFigures(single.baseline),
  ratio,
  baselineRatio: cluster.baseline.requests.average / single.baseline.requests.average,
});

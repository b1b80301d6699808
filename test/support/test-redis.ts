import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { Cluster, Redis } from 'ioredis';
import { clusterOptions, hostPortOf } from '../../app/redis-client.js';
import { isRedisReachable as isReachable } from '../../app/redis-reachable.js';
import { readServiceUrls } from '../../app/service-urls.js';
import { dropRedisKeys } from '../../projections/runtime/dump-redis.js';

// Redis for tests: TEST_REDIS_URL or REDIS_URL, else the one in .services/urls.env (npm run
// services:up), else the server pre-started on 127.0.0.1:6379. Each test file works
// under a key prefix of its own (its "namespace"), deleted afterwards, so files run in parallel.
const fromServicesUp = readServiceUrls(resolve(import.meta.dirname, '../..'));
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? process.env.REDIS_URL ?? fromServicesUp.REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * The Redis Cluster of the cluster suites: REDIS_CLUSTER_NODES, else the one services:up started
 * (.services/urls.env); none, and those suites skip, saying so.
 */
export const TEST_REDIS_CLUSTER_NODES = (process.env.REDIS_CLUSTER_NODES ?? fromServicesUp.REDIS_CLUSTER_NODES ?? '').split(',').filter(Boolean);

export const isRedisReachable = (url = TEST_REDIS_URL): Promise<boolean> => isReachable(url);

/** Whether the test cluster answers with all its slots served (CLUSTER INFO on its first node). */
export const isRedisClusterReachable = async (nodes = TEST_REDIS_CLUSTER_NODES): Promise<boolean> => {
  if (nodes.length === 0) return false;
  const { host, port } = hostPortOf(nodes[0]!);
  const client = new Redis(port, host, { lazyConnect: true, connectTimeout: 1_000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return ((await client.cluster('INFO')) as string).includes('cluster_state:ok');
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
};

/** The suite name's suffix when there is no cluster to run on. */
export const CLUSTER_SKIP_REASON = 'skipped: no Redis Cluster (set REDIS_CLUSTER_NODES, or `npm run services:up` starts one)';

export interface TestRedis<Client extends Redis | Cluster = Redis> {
  url: string;
  /** Prefix for every key this test file writes, e.g. "t_1a2b3c:". */
  prefix: string;
  client: Client;
  /** Deletes the prefix's keys and disconnects. */
  drop(): Promise<void>;
}

const withPrefix = <Client extends Redis | Cluster>(url: string, client: Client): TestRedis<Client> => {
  const prefix = `t_${randomBytes(6).toString('hex')}:`;
  return {
    url,
    prefix,
    client,
    async drop() {
      await dropRedisKeys(client, [`${prefix}*`]);
      client.disconnect();
    },
  };
};

/** A prefix of its own on the shared test Redis, or on the server at `url` (a test's own). */
export const createTestRedis = async (url = TEST_REDIS_URL): Promise<TestRedis> => withPrefix(url, new Redis(url, { maxRetriesPerRequest: 2 }));

/** A prefix of its own on the test cluster (or the cluster of `nodes`), through the platform's cluster client options. */
export const createTestRedisCluster = async (nodes = TEST_REDIS_CLUSTER_NODES): Promise<TestRedis<Cluster>> => {
  const client = new Cluster(nodes.map(hostPortOf), clusterOptions());
  client.on('error', () => undefined);
  return withPrefix(nodes.join(','), client);
};

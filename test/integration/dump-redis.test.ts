import type { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropRedisKeys, dumpRedisKeys } from '../../projections/runtime/dump-redis.js';
import { CLUSTER_SKIP_REASON, createTestRedis, createTestRedisCluster, isRedisClusterReachable, isRedisReachable, type TestRedis } from '../support/test-redis.js';

// A read model's dump and drop by key patterns (projections/runtime/dump-redis.ts), which the
// replay CLI's compare and a generation's drop run: on a Redis Cluster the keys are spread over
// every primary, which SCAN on one connection would not see. The same writes on a single server
// and on the cluster dump alike, and a drop leaves no key of the prefix on any node.

const KEYS = 120;

/** Keys of every type the read models use, under `prefix`, spread over many slots (no hash tag). */
const write = async (client: Redis | Cluster, prefix: string) => {
  await Promise.all(
    Array.from({ length: KEYS }, (_, i) => {
      const key = `${prefix}m:${i}`;
      switch (i % 4) {
        case 0:
          return client.zadd(key, i, `post-${i}`, i + 1, `post-${i + 1}`);
        case 1:
          return client.sadd(key, `a${i}`, `b${i}`);
        case 2:
          return client.hset(key, { field: `${i}` });
        default:
          return client.set(key, `${i}`);
      }
    }),
  );
};

const singleUp = await isRedisReachable();
const clusterUp = await isRedisClusterReachable();

describe.skipIf(!singleUp || !clusterUp)(`Redis dumps and drops on a Cluster${singleUp && clusterUp ? '' : ` (${CLUSTER_SKIP_REASON}, or no single Redis)`}`, () => {
  let single: TestRedis;
  let cluster: TestRedis<Cluster>;
  beforeAll(async () => {
    [single, cluster] = await Promise.all([createTestRedis(), createTestRedisCluster()]);
  });
  afterAll(async () => {
    await Promise.all([single?.drop(), cluster?.drop()]);
  });

  it('dumps every key of the prefix from every primary, as a single server does, and drops them all', async () => {
    await Promise.all([write(single.client, single.prefix), write(cluster.client, cluster.prefix)]);
    const [fromSingle, fromCluster] = await Promise.all([
      dumpRedisKeys(single.client, single.prefix, [`${single.prefix}m:*`]),
      dumpRedisKeys(cluster.client, cluster.prefix, [`${cluster.prefix}m:*`]),
    ]);
    expect(fromCluster.size).toBe(KEYS);
    expect([...fromCluster]).toEqual([...fromSingle]);
    // The keys really are spread: every primary holds some.
    const perPrimary = await Promise.all(cluster.client.nodes('master').map((node) => node.keys(`${cluster.prefix}m:*`)));
    expect(perPrimary.every((keys) => keys.length > 0)).toBe(true);

    await dropRedisKeys(cluster.client, [`${cluster.prefix}m:*`]);
    const left = await Promise.all(cluster.client.nodes('master').map((node) => node.keys(`${cluster.prefix}*`)));
    expect(left.flat()).toEqual([]);
  });
});

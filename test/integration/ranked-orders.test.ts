import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { createPostgresRankedOrders } from '../../read-api/ranked-orders-postgres.js';
import { createRedisRankedOrders } from '../../read-api/ranked-orders-redis.js';
import { createTestDatabase } from '../support/test-database.js';
import { CLUSTER_SKIP_REASON, createTestRedis, createTestRedisCluster, isRedisClusterReachable, isRedisReachable } from '../support/test-redis.js';
import { rankedOrdersContract } from './ranked-orders.contract.js';

rankedOrdersContract('PostgreSQL', async () => {
  const db = await createTestDatabase();
  return { orders: (options) => createPostgresRankedOrders(db.pool, options), cleanup: () => db.drop() };
});

rankedOrdersContract(
  'Redis',
  async () => {
    const redis = await createTestRedis();
    return { orders: async (options) => createRedisRankedOrders(redis.client, { prefix: redis.prefix, ...options }), cleanup: () => redis.drop() };
  },
  { skip: !(await isRedisReachable()) },
);

// One script over the viewer's hash: Cluster-safe.
const clusterUp = await isRedisClusterReachable();
rankedOrdersContract(
  `Redis Cluster${clusterUp ? '' : ` (${CLUSTER_SKIP_REASON})`}`,
  async () => {
    const redis = await createTestRedisCluster();
    return { orders: async (options) => createRedisRankedOrders(redis.client, { prefix: redis.prefix, ...options }), cleanup: () => redis.drop() };
  },
  { skip: !clusterUp },
);

// Redis expires a viewer's hash by itself; the PostgreSQL rows of anyone go as later sessions are saved.
it('PostgreSQL: saving a session purges expired ones', async () => {
  const db = await createTestDatabase();
  try {
    const orders = await createPostgresRankedOrders(db.pool, { ttlMs: 1_000 });
    for (let i = 0; i < 3; i++) await orders.save(randomUUID(), randomUUID(), [randomUUID()], 1_000_000);
    await orders.save(randomUUID(), randomUUID(), [], 1_000_000 + 1_000);
    const { rows } = await db.pool.query<{ count: number }>('select count(*)::int as count from ranked_orders');
    expect(rows[0]!.count).toBe(1);
  } finally {
    await db.drop();
  }
});

it.skipIf(!(await isRedisReachable()))("Redis: a viewer's hash expires with its newest session", async () => {
  const redis = await createTestRedis();
  try {
    const orders = createRedisRankedOrders(redis.client, { prefix: redis.prefix, ttlMs: 60_000 });
    const viewer = randomUUID();
    await orders.save(viewer, randomUUID(), [randomUUID()], Date.now());
    const ttl = await redis.client.pttl(`${redis.prefix}feed-ranked:{${viewer}}`);
    expect(ttl).toBeGreaterThan(50_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
  } finally {
    await redis.drop();
  }
});

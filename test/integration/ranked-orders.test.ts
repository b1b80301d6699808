import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { createPostgresRankedOrders } from '../../read-api/ranked-orders-postgres.js';
import { createRedisRankedOrders } from '../../read-api/ranked-orders-redis.js';
import { createTestDatabase } from '../support/test-database.js';
import { createTestRedis, isRedisReachable } from '../support/test-redis.js';
import { rankedOrdersContract } from './ranked-orders.contract.js';

rankedOrdersContract('PostgreSQL', async () => {
  const db = await createTestDatabase();
  return { orders: (ttlMs) => createPostgresRankedOrders(db.pool, { ttlMs }), cleanup: () => db.drop() };
});

rankedOrdersContract(
  'Redis',
  async () => {
    const redis = await createTestRedis();
    return { orders: async (ttlMs) => createRedisRankedOrders(redis.client, { prefix: redis.prefix, ttlMs }), cleanup: () => redis.drop() };
  },
  { skip: !(await isRedisReachable()) },
);

// Redis expires keys by itself; the PostgreSQL rows go as later sessions are saved.
it('PostgreSQL: saving a session purges expired ones', async () => {
  const db = await createTestDatabase();
  try {
    const short = await createPostgresRankedOrders(db.pool, { ttlMs: 1 });
    for (let i = 0; i < 3; i++) await short.save(randomUUID(), randomUUID(), [randomUUID()]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await (await createPostgresRankedOrders(db.pool)).save(randomUUID(), randomUUID(), []);
    const { rows } = await db.pool.query<{ count: number }>('select count(*)::int as count from ranked_orders');
    expect(rows[0]!.count).toBe(1);
  } finally {
    await db.drop();
  }
});

import { createPostgresRateLimitStore } from '../../app/rate-limit/store-postgres.js';
import { createRedisRateLimitStore } from '../../app/rate-limit/store-redis.js';
import { createTestDatabase } from '../support/test-database.js';
import { createTestRedis, isRedisReachable } from '../support/test-redis.js';
import { rateLimitStoreContract } from './rate-limit-store.contract.js';

rateLimitStoreContract('PostgreSQL', async () => {
  const db = await createTestDatabase();
  return { store: await createPostgresRateLimitStore(db.pool), cleanup: () => db.drop() };
});

rateLimitStoreContract(
  'Redis',
  async () => {
    const redis = await createTestRedis();
    return { store: createRedisRateLimitStore(redis.client, { prefix: redis.prefix }), cleanup: () => redis.drop() };
  },
  { skip: !(await isRedisReachable()) },
);

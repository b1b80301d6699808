import { Redis } from 'ioredis';
import { createPostgresFeedStore, type PostgresFeedStoreOptions } from '../../projections/feed/feed-store-postgres.js';
import { createRedisFeedStore } from '../../projections/feed/feed-store-redis.js';
import { WrittenKeys } from '../../projections/runtime/written-keys.js';
import { createTestDatabase } from '../support/test-database.js';
import { CLUSTER_SKIP_REASON, createTestRedis, createTestRedisCluster, isRedisClusterReachable, isRedisReachable, TEST_REDIS_URL } from '../support/test-redis.js';
import { feedStoreContract } from './feed-store.contract.js';

// The FeedStore contract against real servers: PostgreSQL always, Redis when it answers, a Redis
// Cluster (3 primaries, 3 replicas: npm run services:up) when one does. Each
// test gets a store of its own: a table prefix (PostgreSQL) or key prefix (Redis) per store.

/** A PostgreSQL harness: a database of its own, a table prefix per store, and each store's `extra` options. */
const postgresHarness = (extra: () => Partial<PostgresFeedStoreOptions> = () => ({})) => async () => {
  const db = await createTestDatabase();
  let stores = 0;
  return {
    checkpoints: db.pool,
    newStore: async (options = {}) => {
      const store = createPostgresFeedStore(db.pool, { ...options, tablePrefix: `feed${++stores}_`, ...extra() });
      await store.setup();
      return store;
    },
    close: () => db.drop(),
  };
};

feedStoreContract('PostgreSQL', postgresHarness());

// A generation being built (mode 'build'): its pass alone writes it, and appends the entries it
// has not written yet with COPY (feed-store-postgres.ts pushWhileBuilding); it keeps the same contract.
feedStoreContract('PostgreSQL, being built', postgresHarness(() => ({ mode: 'build', written: new WrittenKeys() })));

feedStoreContract(
  'Redis',
  async () => {
    const [db, redis] = await Promise.all([createTestDatabase(), createTestRedis()]);
    // The store is meant for a client that batches concurrent commands into pipelines.
    const client = new Redis(TEST_REDIS_URL, { enableAutoPipelining: true, maxRetriesPerRequest: 2 });
    let stores = 0;
    return {
      checkpoints: db.pool,
      newStore: async (options = {}) => {
        const store = createRedisFeedStore(client, { ...options, prefix: `${redis.prefix}${++stores}:` });
        await store.setup();
        return store;
      },
      close: async () => {
        client.disconnect();
        await Promise.all([redis.drop(), db.drop()]);
      },
    };
  },
  { skip: !(await isRedisReachable()) },
);

// On a Redis Cluster every command and script must stay within one slot (CROSSSLOT otherwise):
// the same contract, through the platform's cluster client (app/redis-client.ts).
const clusterReachable = await isRedisClusterReachable();
feedStoreContract(
  `Redis Cluster${clusterReachable ? '' : ` (${CLUSTER_SKIP_REASON})`}`,
  async () => {
    const [db, redis] = await Promise.all([createTestDatabase(), createTestRedisCluster()]);
    let stores = 0;
    return {
      checkpoints: db.pool,
      newStore: async (options = {}) => {
        const store = createRedisFeedStore(redis.client, { ...options, prefix: `${redis.prefix}${++stores}:` });
        await store.setup();
        return store;
      },
      close: () => Promise.all([redis.drop(), db.drop()]).then(() => undefined),
    };
  },
  { skip: !clusterReachable },
);

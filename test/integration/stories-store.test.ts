import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStoriesReader } from '../../projections/stories/stories-reader.js';
import { createPostgresStoriesStore } from '../../projections/stories/stories-store-postgres.js';
import { createRedisStoriesStore } from '../../projections/stories/stories-store-redis.js';
import { storyFactsOf } from '../../projections/stories/story-facts.js';
import { syntheticPosition } from '../support/history-arbitraries.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { CLUSTER_SKIP_REASON, createTestRedis, createTestRedisCluster, isRedisClusterReachable, isRedisReachable, type TestRedis } from '../support/test-redis.js';
import { storiesStoreContract } from './stories-store.contract.js';

const redisReachable = await isRedisReachable();

storiesStoreContract('PostgreSQL', async () => {
  const db = await createTestDatabase();
  return { store: createPostgresStoriesStore(db.pool), cleanup: () => db.drop() };
});

// On a single Redis and on a Redis Cluster (npm run services:up starts one): single-key commands only.
const clusterReachable = await isRedisClusterReachable();
const redisServers = [
  { name: 'Redis', reachable: redisReachable, connect: () => createTestRedis() },
  { name: `Redis Cluster${clusterReachable ? '' : ` (${CLUSTER_SKIP_REASON})`}`, reachable: clusterReachable, connect: () => createTestRedisCluster() },
];
for (const { name, reachable, connect } of redisServers) {
  storiesStoreContract(
    name,
    async () => {
      const [db, redis] = await Promise.all([createTestDatabase(), connect()]);
      return {
        store: createRedisStoriesStore({ redis: redis.client, pool: db.pool, prefix: redis.prefix }),
        cleanup: async () => {
          await redis.drop();
          await db.drop();
        },
      };
    },
    { skip: !reachable },
  );
}

describe.skipIf(!redisReachable)('Redis stories store generations', () => {
  let db: TestDatabase;
  let redis: TestRedis;
  beforeAll(async () => {
    [db, redis] = await Promise.all([createTestDatabase(), createTestRedis()]);
  });
  afterAll(async () => {
    await redis.drop();
    await db.drop();
  });

  it('keeps two key prefixes apart, checkpoints included, so a rebuild can run beside the live generation', async () => {
    const live = createRedisStoriesStore({ redis: redis.client, pool: db.pool, prefix: `${redis.prefix}live:` });
    const next = createRedisStoriesStore({ redis: redis.client, pool: db.pool, prefix: `${redis.prefix}next:` });
    await Promise.all([live.setup(), next.setup()]);
    const [storyId, authorId] = [uuidv7(), uuidv7()];
    const postedAt = '2025-03-01T12:00:00.000Z';
    await live.write(
      storyFactsOf([{ type: 'StoryPosted', data: { storyId, authorId, media: { url: 'm.jpg', type: 'image' }, postedAt, expiresAt: '2025-03-02T12:00:00.000Z' } }]),
      'stories',
      syntheticPosition(0),
    );
    expect(await createStoriesReader(live).story(storyId)).not.toBeNull();
    expect(await createStoriesReader(next).story(storyId)).toBeNull();
    expect(await next.checkpoint('stories')).toBe('');
    const keys = await redis.client.keys(`${redis.prefix}live:*`);
    expect(keys.length).toBeGreaterThan(0);
    expect(await redis.client.keys(`${redis.prefix}next:*`)).toEqual([]);
  });
});

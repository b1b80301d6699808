import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlatform } from '../../app/platform.js';
import { purgeBucketsPeriodically } from '../../app/rate-limit/purge.js';
import { createPostgresRateLimitStore, type PurgeableRateLimitStore } from '../../app/rate-limit/store-postgres.js';
import { createRedisRateLimitStore } from '../../app/rate-limit/store-redis.js';
import { defaultSettings } from '../support/settings.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { CLUSTER_SKIP_REASON, createTestRedis, createTestRedisCluster, isRedisClusterReachable, isRedisReachable } from '../support/test-redis.js';
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

// One script over the bucket's own key: Cluster-safe.
const clusterUp = await isRedisClusterReachable();
rateLimitStoreContract(
  `Redis Cluster${clusterUp ? '' : ` (${CLUSTER_SKIP_REASON})`}`,
  async () => {
    const redis = await createTestRedisCluster();
    return { store: createRedisRateLimitStore(redis.client, { prefix: redis.prefix }), cleanup: () => redis.drop() };
  },
  { skip: !clusterUp },
);

// Redis buckets expire by themselves; PostgreSQL rows are purged (app/rate-limit/purge.ts) once
// full again, which must never hand a drained bucket a fresh burst.
describe('purging the PostgreSQL buckets', () => {
  let db: TestDatabase;
  let store: PurgeableRateLimitStore;
  beforeAll(async () => {
    db = await createTestDatabase();
    store = await createPostgresRateLimitStore(db.pool);
  });
  afterAll(() => db?.drop());
  const keys = async () => (await db.pool.query<{ key: string }>('select key from rate_limit_buckets order by key')).rows.map((row) => row.key);
  const at = 2_000_000_000;

  it('deletes a bucket full again and idle, and keeps a partly drained one, which stays drained', async () => {
    await store.take('idle', 3, 30_000, at); // full again 10 s later
    for (let i = 0; i < 3; i++) await store.take('drained', 3, 30_000, at + 25_000); // full again at +55 s
    expect(await store.purgeFull(at + 10_000, 100)).toBe(1);
    expect(await keys()).toEqual(['drained']);
    // Still empty after the purge: the next take in the same instant is refused.
    expect((await store.take('drained', 3, 30_000, at + 25_000)).allowed).toBe(false);
    expect(await store.purgeFull(at + 55_000, 100)).toBe(1);
    expect(await keys()).toEqual([]);
  });

  it('deletes at most `batch` rows a run', async () => {
    for (const key of ['b1', 'b2', 'b3']) await store.take(key, 2, 10_000, at);
    expect(await store.purgeFull(at + 1_000_000, 2)).toBe(2);
    expect(await keys()).toHaveLength(1);
    expect(await store.purgeFull(at + 1_000_000, 2)).toBe(1);
    expect(await keys()).toEqual([]);
  });

  it('runs on a schedule: the first run at once, and stopping waits for it', async () => {
    await store.take('scheduled-idle', 2, 10_000, at);
    for (let i = 0; i < 2; i++) await store.take('scheduled-drained', 2, 10_000, at + 9_000);
    const errors: unknown[] = [];
    const purge = purgeBucketsPeriodically(store, { now: () => at + 5_000, intervalMs: 3_600_000, onError: (error) => errors.push(error) });
    await purge.stop();
    expect(errors).toEqual([]);
    expect(await keys()).toEqual(['scheduled-drained']);
  });
});

describe('the platform serving HTTP with buckets in PostgreSQL', () => {
  it('purges the full buckets as it starts (and every minute after)', async () => {
    const db = await createTestDatabase();
    const dataDir = await mkdtemp(join(tmpdir(), 'ig-bucket-purge-'));
    try {
      const store = await createPostgresRateLimitStore(db.pool);
      await store.take('long-full', 3, 30_000, 1_000); // full again long ago
      for (let i = 0; i < 3; i++) await store.take('drained', 3, 3_600_000, Date.now());
      const defaults = defaultSettings();
      const platform = await createPlatform(
        { ...defaults, role: 'api', dataDir, databaseUrl: db.url, jwtSecrets: ['test-secret-that-is-at-least-32-characters-long'], rateLimits: { ...defaults.rateLimits, enabled: true } },
        { mediaWorkers: false },
      );
      try {
        const keys = async () => (await db.pool.query<{ key: string }>('select key from rate_limit_buckets order by key')).rows.map((row) => row.key);
        for (let attempt = 0; attempt < 100 && (await keys()).includes('long-full'); attempt++) await new Promise((resolve) => setTimeout(resolve, 100));
        expect(await keys()).toEqual(['drained']);
      } finally {
        await platform.close();
      }
    } finally {
      await db.drop();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

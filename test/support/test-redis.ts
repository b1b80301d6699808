import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { Redis } from 'ioredis';
import { isRedisReachable as isReachable } from '../../app/redis-reachable.js';
import { readServiceUrls } from '../../app/service-urls.js';
import { dropRedisKeys } from '../../projections/runtime/dump-redis.js';

// Redis for tests: TEST_REDIS_URL or REDIS_URL, else the one in .services/urls.env (npm run
// services:up), else the server pre-started on 127.0.0.1:6379. Each test file works
// under a key prefix of its own (its "namespace"), deleted afterwards, so files run in parallel.
export const TEST_REDIS_URL =
  process.env.TEST_REDIS_URL ?? process.env.REDIS_URL ?? readServiceUrls(resolve(import.meta.dirname, '../..')).REDIS_URL ?? 'redis://127.0.0.1:6379';

export const isRedisReachable = (url = TEST_REDIS_URL): Promise<boolean> => isReachable(url);

export interface TestRedis {
  url: string;
  /** Prefix for every key this test file writes, e.g. "t_1a2b3c:". */
  prefix: string;
  client: Redis;
  /** Deletes the prefix's keys and disconnects. */
  drop(): Promise<void>;
}

/** A prefix of its own on the shared test Redis, or on the server at `url` (a test's own). */
export const createTestRedis = async (url = TEST_REDIS_URL): Promise<TestRedis> => {
  const prefix = `t_${randomBytes(6).toString('hex')}:`;
  const client = new Redis(url, { maxRetriesPerRequest: 2 });
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

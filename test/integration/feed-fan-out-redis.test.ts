import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { feedKeys } from '../../projections/feed/feed-keys.js';
import { FEED_TRIM_EVERY } from '../../projections/feed/feed-options.js';
import { createRedisFeedStore } from '../../projections/feed/feed-store-redis.js';
import type { FeedEntry } from '../../projections/feed/feed-store.js';
import { countingClient } from '../support/counting-redis.js';
import { CLUSTER_SKIP_REASON, createTestRedis, createTestRedisCluster, isRedisClusterReachable, isRedisReachable, type TestRedis } from '../support/test-redis.js';

// The Redis fan-out write (feed-store-redis.ts FAN_OUT_SCRIPT): on a single server, one script
// call per post and FEEDS_PER_FAN_OUT_CALL feeds, doing what a ZADD per feed and a settle for
// one push in FEED_TRIM_EVERY do (the Cluster's path, a command per feed). The feed contract
// (feed-store.test.ts) checks what reads answer; this checks the keys the write leaves behind,
// which reads do not show: entries past the cap, hidden until a settle.

const T0 = Date.parse('2025-01-01T00:00:00.000Z');
const CAP = 10;
const users = (count: number) => Array.from({ length: count }, () => uuidv7());
const entries = (count: number, from: number): FeedEntry[] => Array.from({ length: count }, (_, i) => ({ postId: uuidv7(), score: T0 + (from + i) * 1000 }));

const clusterReachable = await isRedisClusterReachable();

describe.skipIf(!(await isRedisReachable()))('the Redis fan-out write', () => {
  let redis: TestRedis;
  let counting: Awaited<ReturnType<typeof countingClient>>;
  let stores = 0;
  beforeAll(async () => {
    redis = await createTestRedis();
    counting = await countingClient();
  });
  afterAll(async () => {
    counting.client.disconnect();
    await redis.drop();
  });
  const nextPrefix = () => `${redis.prefix}${++stores}:`;

  /** Each follower's feed at the cap, older than anything pushed after. */
  const old = entries(CAP, -1_000);
  const fillToCap = async (store: ReturnType<typeof createRedisFeedStore>, followers: readonly string[]) => {
    await store.pushToFeedMany(followers.map((userId) => ({ userId, entries: old })));
  };

  /** What the write left: each feed's every entry (hidden ones included) and its floor. */
  const keysLeft = async (client: TestRedis['client'] | Awaited<ReturnType<typeof createTestRedisCluster>>['client'], prefix: string, followers: readonly string[]) => {
    const keys = feedKeys(prefix);
    return Promise.all(followers.map(async (userId) => ({ feed: await client.zrange(keys.feed(userId), 0, -1, 'WITHSCORES'), floor: await client.zscore(keys.floor(userId), 'floor') })));
  };

  it('on a single server, sends one command per post and 1,000 feeds: 2,500 followers are 3 calls of the fan-out script, not 2,500 commands', async () => {
    const store = createRedisFeedStore(counting.client, { prefix: nextPrefix(), feedCap: CAP });
    const followers = users(2_500);
    // Once, so that the script is known to the server and ioredis sends EVALSHA alone.
    await store.pushToFeeds(users(1), entries(1, 0)[0]!);
    const [post] = entries(1, 1);
    const sent = await counting.during(() => store.pushToFeeds(followers, post!));
    expect(sent.map(({ name }) => name)).toEqual(['evalsha', 'evalsha', 'evalsha']);
    const feeds = await Promise.all(followers.map((userId) => store.feed(userId, { limit: CAP + 1 })));
    expect(feeds.every((feed) => feed.length === 1 && feed[0]!.postId === post!.postId)).toBe(true);
  });

  it('settles as it pushes: feeds at the cap, pushed 64 posts each, hold on average fewer than 2 × FEED_TRIM_EVERY entries past it, and read no more than it', async () => {
    const prefix = nextPrefix();
    const store = createRedisFeedStore(redis.client, { prefix, feedCap: CAP });
    const followers = users(200);
    await fillToCap(store, followers);
    const posts = entries(64, 0);
    for (const post of posts) await store.pushToFeeds(followers, post);
    const left = await keysLeft(redis.client, prefix, followers);
    // Never settled, each would hold all 64 past the cap; settled one push in 16, about 15.
    const pastTheCap = left.reduce((sum, { feed }) => sum + feed.length / 2 - CAP, 0) / followers.length;
    expect(pastTheCap).toBeLessThan(2 * FEED_TRIM_EVERY);
    expect(left.filter(({ floor }) => floor !== null).length).toBeGreaterThan(followers.length / 2);
    const feeds = await Promise.all(followers.map((userId) => store.feed(userId, { limit: CAP + 1 })));
    expect(feeds.every((feed) => feed.length === CAP && feed[0]!.postId === posts.at(-1)!.postId)).toBe(true);
  });

  describe.skipIf(!clusterReachable)(`beside a Redis Cluster${clusterReachable ? '' : ` (${CLUSTER_SKIP_REASON})`}`, () => {
    let cluster: Awaited<ReturnType<typeof createTestRedisCluster>>;
    beforeAll(async () => {
      cluster = await createTestRedisCluster();
    });
    afterAll(() => cluster.drop());

    it('leaves, push after push, exactly the keys that a command per feed leaves on the Cluster: the same entries, hidden ones included, and the same floors', async () => {
      const [singlePrefix, clusterPrefix] = [nextPrefix(), `${cluster.prefix}${++stores}:`];
      const single = createRedisFeedStore(redis.client, { prefix: singlePrefix, feedCap: CAP });
      const perFeed = createRedisFeedStore(cluster.client, { prefix: clusterPrefix, feedCap: CAP });
      const followers = users(300);
      const posts = entries(40, 0);
      for (const store of [single, perFeed]) {
        await fillToCap(store, followers);
        for (const post of posts) await store.pushToFeedsMany([{ entry: post, userIds: followers }]);
      }
      const [fromScript, fromCommands] = await Promise.all([keysLeft(redis.client, singlePrefix, followers), keysLeft(cluster.client, clusterPrefix, followers)]);
      expect(fromScript).toEqual(fromCommands);
      // Some feeds hold entries past the cap, some were settled: both paths were taken.
      expect(fromScript.some(({ feed }) => feed.length / 2 > CAP)).toBe(true);
      expect(fromScript.some(({ floor }) => floor !== null)).toBe(true);
    });
  });
});

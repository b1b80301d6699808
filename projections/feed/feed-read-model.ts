import type { Redis } from 'ioredis';
import type { PushPublisher } from '../push/push-bus.js';
import { deleteCheckpoints } from '../runtime/checkpoints-postgres.js';
import { dropTables, dumpTables } from '../runtime/dump-postgres.js';
import { dropRedisKeys, dumpRedisKeys } from '../runtime/dump-redis.js';
import type { ReadModelDefinition } from '../runtime/read-model.js';
import { inProcessFanOut, type FanOut } from './fan-out.js';
import { feedKeyPatterns } from './feed-keys.js';
import type { FeedTunables } from './feed-options.js';
import { createFeedProjection } from './feed-projection.js';
import { createFeedReader, type FeedReader } from './feed-reader.js';
import { feedTables } from './feed-schema-postgres.js';
import { createPostgresFeedStore } from './feed-store-postgres.js';
import { createRedisFeedStore } from './feed-store-redis.js';
import type { FeedStore } from './feed-store.js';

export const FEED = 'feed';

export interface FeedReadModelOptions extends Partial<FeedTunables> {
  /** Feeds in Redis when given, in PostgreSQL otherwise. */
  redis: Redis | null;
  /**
   * The fan-out of the LIVE generation (e.g. through Kafka); a generation being rebuilt always
   * fans out in-process into its own store, so that a replay never reaches the live feeds.
   */
  liveFanOut?: (store: FeedStore) => FanOut;
  /**
   * Where the LIVE generation's in-process fan-out tells followers' streams of a new post (a
   * liveFanOut's workers push by themselves); a rebuild never pushes.
   */
  push?: PushPublisher | undefined;
}

/** The feed read model as registered with the platform (and so with the replay CLI). */
export const feedReadModel = ({ redis, liveFanOut, push, ...tunables }: FeedReadModelOptions): ReadModelDefinition<FeedReader> => ({
  name: FEED,
  backend: redis ? 'redis' : 'postgresql',
  open: ({ pool, redisPrefix, mode }) => {
    const store = redis ? createRedisFeedStore(redis, { prefix: redisPrefix }) : createPostgresFeedStore(pool);
    const fanOut = mode === 'live' && liveFanOut ? liveFanOut(store) : inProcessFanOut(store, mode === 'live' ? push : undefined);
    const tables = Object.values(feedTables('feed_'));
    return {
      projection: createFeedProjection({ store, checkpoints: pool, fanOut, ...tunables }),
      reader: createFeedReader(store),
      dump: () => (redis ? dumpRedisKeys(redis, redisPrefix, feedKeyPatterns(redisPrefix)) : dumpTables(pool, tables)),
      async drop() {
        if (redis) await dropRedisKeys(redis, feedKeyPatterns(redisPrefix));
        else await dropTables(pool, tables);
        await deleteCheckpoints(pool, FEED);
      },
    };
  },
});

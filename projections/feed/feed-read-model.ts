import type { Cluster, Redis } from 'ioredis';
import type { PushPublisher } from '../push/push-bus.js';
import { deleteCheckpoints } from '../runtime/checkpoints-postgres.js';
import { finishPostgresBuild } from '../runtime/build-schema.js';
import { analyzeTables, dropTables, dumpTables } from '../runtime/dump-postgres.js';
import { dropRedisKeys, dumpRedisKeys } from '../runtime/dump-redis.js';
import type { ReadModelDefinition, ReadModelDump } from '../runtime/read-model.js';
import { WrittenKeys } from '../runtime/written-keys.js';
import { inProcessFanOut, type FanOut } from './fan-out.js';
import { CELEBRITY_VERSION_FIELD, feedKeyPatterns } from './feed-keys.js';
import type { FeedSettings } from './feed-options.js';
import { createFeedProjection } from './feed-projection.js';
import { createFeedReader, type FeedReader } from './feed-reader.js';
import { feedPostgresSchema, feedTables } from './feed-schema-postgres.js';
import { createPostgresFeedStore, type WrittenFeedEntries } from './feed-store-postgres.js';
import { createRedisFeedStore } from './feed-store-redis.js';
import type { FeedStore } from './feed-store.js';

export const FEED = 'feed';
/**
 * 2: the following set under the user's hash tag, and the viewer marks (feed-keys.ts).
 * 3: hashtag follows, tag timelines and posts' tags, which a feed built before holds none of (so
 * a tag followed after the upgrade would backfill nothing older): rebuilt from the log.
 */
export const FEED_LAYOUT = 3;

export interface FeedReadModelOptions extends FeedSettings {
  /** Feeds in Redis when given, in PostgreSQL otherwise. */
  redis: Redis | Cluster | null;
  /**
   * The fan-out of the LIVE generation (e.g. through Kafka); a generation being rebuilt always
   * fans out in-process into its own store, so that a replay never reaches the live feeds.
   */
  liveFanOut?: ((store: FeedStore) => FanOut) | undefined;
  /**
   * Where the LIVE generation's in-process fan-out tells followers' streams of a new post (a
   * liveFanOut's workers push by themselves); a rebuild never pushes.
   */
  push?: PushPublisher | undefined;
}

/** The feed read model as registered with the platform (and so with the replay CLI). */
export const feedReadModel = ({ redis, liveFanOut, push, ...settings }: FeedReadModelOptions): ReadModelDefinition<FeedReader> => ({
  name: FEED,
  backend: redis ? 'redis' : 'postgresql',
  layout: FEED_LAYOUT,
  open: ({ pool, redisPrefix, mode }) => {
    // A PostgreSQL generation built from the start of the log is written by this pass alone until finishBuild.
    const written: WrittenFeedEntries | undefined = mode === 'build' && !redis ? new WrittenKeys() : undefined;
    const store = redis ? createRedisFeedStore(redis, { prefix: redisPrefix }) : createPostgresFeedStore(pool, { mode, written });
    // A generation being built is written by the replay pass alone (fan-out.ts `soleWriter`).
    const fanOut = mode === 'live' && liveFanOut ? liveFanOut(store) : inProcessFanOut(store, mode === 'live' ? push : undefined, { soleWriter: mode === 'build' });
    const t = feedTables('feed_');
    const tables = Object.values(t);
    return {
      projection: createFeedProjection({ store, checkpoints: pool, fanOut, ...settings }),
      reader: createFeedReader(store),
      // A feed entry of a deleted post is never served (the reader drops it), and one may outlive
      // the delete when a follow's backfill and the delete run in the same batch: not a difference.
      // Nor is the celebrity hash's version, a random id per write.
      dump: async () =>
        redis
          ? withoutCelebrityVersion(withoutDeletedPosts(await dumpRedisKeys(redis, redisPrefix, feedKeyPatterns(redisPrefix))))
          : dumpTables(pool, tables, { [t.items]: `post_id not in (select post_id from ${t.deleted})` }),
      analyze: () => (redis ? Promise.resolve() : analyzeTables(pool, tables, { building: mode === 'build' })),
      ...(written
        ? {
            finishBuild: async () => {
              // Once it may serve, the projector processes write into it too: every push upserts again.
              written.close();
              await finishPostgresBuild(pool, feedPostgresSchema(t));
            },
          }
        : {}),
      async drop() {
        if (redis) await dropRedisKeys(redis, feedKeyPatterns(redisPrefix));
        else await dropTables(pool, tables);
        await deleteCheckpoints(pool, FEED);
      },
    };
  },
});

/** The dump with the deleted posts taken out of every home feed (keys as feed-keys.ts names them). */
const withoutDeletedPosts = (dump: ReadModelDump): ReadModelDump => {
  const deleted = new Set<string>(JSON.parse(dump.get('feed-deleted') ?? '[]'));
  for (const [key, value] of dump) {
    if (!key.startsWith('feed:')) continue;
    const kept = (JSON.parse(value) as [string, string][]).filter(([postId]) => !deleted.has(postId));
    if (kept.length > 0) dump.set(key, JSON.stringify(kept));
    else dump.delete(key);
  }
  return dump;
};

/** The dump without the celebrity hash's version field (feed-keys.ts), and without the hash if nothing else is left. */
const withoutCelebrityVersion = (dump: ReadModelDump): ReadModelDump => {
  const hash = dump.get('feed-celebrities');
  if (hash === undefined) return dump;
  const fields = (JSON.parse(hash) as [string, string][]).filter(([field]) => field !== CELEBRITY_VERSION_FIELD);
  if (fields.length > 0) dump.set('feed-celebrities', JSON.stringify(fields));
  else dump.delete('feed-celebrities');
  return dump;
};

import type { Cluster, Redis } from 'ioredis';
import { deleteCheckpoints } from '../runtime/checkpoints-postgres.js';
import { finishPostgresBuild } from '../runtime/build-schema.js';
import { analyzeTables, dropTables, dumpTables } from '../runtime/dump-postgres.js';
import { dropRedisKeys, dumpRedisKeys } from '../runtime/dump-redis.js';
import type { ReadModelDefinition } from '../runtime/read-model.js';
import { storiesKeyPatterns } from './stories-keys.js';
import { createStoriesProjection } from './stories-projection.js';
import { createStoriesReader, type StoriesReader } from './stories-reader.js';
import { STORIES_SCHEMA, STORIES_TABLES } from './stories-schema-postgres.js';
import { createPostgresStoriesStore } from './stories-store-postgres.js';
import { createRedisStoriesStore } from './stories-store-redis.js';

export const STORIES = 'stories';

/** The stories read model as registered with the platform (and so with the replay CLI); in Redis when given. */
export const storiesReadModel = ({ redis }: { redis: Redis | Cluster | null }): ReadModelDefinition<StoriesReader> => ({
  name: STORIES,
  backend: redis ? 'redis' : 'postgresql',
  open: ({ pool, redisPrefix, mode }) => {
    const store = redis ? createRedisStoriesStore({ redis, pool, prefix: redisPrefix }) : createPostgresStoriesStore(pool, { mode });
    return {
      projection: createStoriesProjection(store),
      reader: createStoriesReader(store),
      dump: () => (redis ? dumpRedisKeys(redis, redisPrefix, storiesKeyPatterns(redisPrefix)) : dumpTables(pool, STORIES_TABLES)),
      analyze: () => (redis ? Promise.resolve() : analyzeTables(pool, STORIES_TABLES, { building: mode === 'build' })),
      ...(mode === 'build' && !redis ? { finishBuild: () => finishPostgresBuild(pool, STORIES_SCHEMA) } : {}),
      async drop() {
        if (redis) await dropRedisKeys(redis, storiesKeyPatterns(redisPrefix));
        else await dropTables(pool, STORIES_TABLES);
        // The Redis store keys its checkpoint rows by its prefix (stories-store-redis.ts).
        await deleteCheckpoints(pool, redis ? `${redisPrefix}${STORIES}` : STORIES);
      },
    };
  },
});

import type { Client as ElasticsearchClient } from '@elastic/elasticsearch';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import {
  createFeedProjection,
  createFeedReader,
  createPostgresFeedStore,
  createRedisFeedStore,
  type FeedReader,
} from '../projections/feed/index.js';
import { createProfilesProjection, createProfilesReader, type ProfilesReader } from '../projections/profiles/index.js';
import type { Projection } from '../projections/runtime/projection.js';
import { createElasticsearchSearchStore } from '../projections/search/search-store-elasticsearch.js';
import { createPostgresSearchStore, createSearchProjection, type SearchStore } from '../projections/search/index.js';
import {
  createPostgresStoriesStore,
  createRedisStoriesStore,
  createStoriesProjection,
  createStoriesReader,
  type StoriesReader,
} from '../projections/stories/index.js';

export interface ReadModelBackends {
  pool: pg.Pool;
  /** Feeds and stories live in Redis when given, in PostgreSQL otherwise (DESIGN §6). */
  redis: Redis | null;
  redisPrefix?: string | undefined;
  /** Search lives in Elasticsearch when given, in PostgreSQL otherwise. */
  elasticsearch: ElasticsearchClient | null;
  elasticsearchPrefix?: string | undefined;
  celebrityThreshold?: number | undefined;
}

export interface ReadModels {
  projections: Projection[];
  readers: { profiles: ProfilesReader; feed: FeedReader; stories: StoriesReader; search: SearchStore };
  /** Which backend serves each read model, for start-up logs and /ready. */
  backends: Record<string, 'postgresql' | 'redis' | 'elasticsearch'>;
}

/** Every read model: its projection (the write path from the log) and its reader (the query path). */
export const createReadModels = ({ pool, redis, redisPrefix, elasticsearch, elasticsearchPrefix, celebrityThreshold }: ReadModelBackends): ReadModels => {
  const prefix = redisPrefix ?? 'ig:';
  const feedStore = redis ? createRedisFeedStore(redis, { prefix }) : createPostgresFeedStore(pool);
  const storiesStore = redis ? createRedisStoriesStore({ redis, pool, prefix }) : createPostgresStoriesStore(pool);
  const searchStore = elasticsearch
    ? createElasticsearchSearchStore(elasticsearch, pool, elasticsearchPrefix ? { prefix: elasticsearchPrefix } : {})
    : createPostgresSearchStore(pool);
  return {
    projections: [
      createProfilesProjection(pool),
      createFeedProjection({ store: feedStore, checkpoints: pool, ...(celebrityThreshold ? { celebrityThreshold } : {}) }),
      createStoriesProjection(storiesStore),
      createSearchProjection(searchStore),
    ],
    readers: {
      profiles: createProfilesReader(pool),
      feed: createFeedReader(feedStore),
      stories: createStoriesReader(storiesStore),
      search: searchStore,
    },
    backends: {
      profiles: 'postgresql',
      feed: redis ? 'redis' : 'postgresql',
      stories: redis ? 'redis' : 'postgresql',
      search: elasticsearch ? 'elasticsearch' : 'postgresql',
    },
  };
};

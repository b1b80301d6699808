import type { Client as ElasticsearchClient } from '@elastic/elasticsearch';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import { feedReadModel, type FeedReader, type FeedSettings } from '../projections/feed/index.js';
import type { FanOut } from '../projections/feed/fan-out.js';
import type { FeedStore } from '../projections/feed/feed-store.js';
import { notificationsReadModel, type NotificationsReader, type NotificationsSettings } from '../projections/notifications/index.js';
import { mediaReadModel } from '../projections/media/media-read-model.js';
import type { MediaReader } from '../projections/media/index.js';
import { profilesReadModel } from '../projections/profiles/profiles-read-model.js';
import type { ProfilesReader } from '../projections/profiles/index.js';
import type { PushPublisher } from '../projections/push/push-bus.js';
import type { CardPublisher } from '../projections/profiles/card-bus.js';
import { createGenerationCatalog, type CatalogOptions, type GenerationCatalog } from '../projections/runtime/generation-catalog.js';
import type { ReadModelDefinition } from '../projections/runtime/read-model.js';
import { searchReadModel } from '../projections/search/search-read-model.js';
import type { SearchStore } from '../projections/search/index.js';
import type { StoriesReader } from '../projections/stories/index.js';
import { storiesReadModel } from '../projections/stories/stories-read-model.js';
import type { Prefixes } from './config.js';

export interface ReadModelBackends {
  pool: pg.Pool;
  /** Feeds and stories live in Redis when given, in PostgreSQL otherwise (docs/architecture.md "Processes"). */
  redis: Redis | null;
  /** Search lives in Elasticsearch when given, in PostgreSQL otherwise. */
  elasticsearch: ElasticsearchClient | null;
  prefixes: Prefixes;
  feed: FeedSettings;
  notifications: NotificationsSettings;
  /** The live feed's fan-out (Kafka when configured); in-process when absent, and always in a rebuild. */
  liveFanOut?: ((store: FeedStore) => FanOut) | undefined;
  /** Where projections push to connected clients (GET /api/v1/stream); nothing is pushed without it. */
  push?: PushPublisher | undefined;
  /** Where the live profiles projection publishes what it touched, for the API's card caches (read-api/card-cache.ts). */
  cards?: CardPublisher | undefined;
  /** `pool` is a read replica's (app/read-replica.ts): the catalog creates nothing there. */
  readReplica?: CatalogOptions['readReplica'];
}

export interface Readers {
  profiles: ProfilesReader;
  feed: FeedReader;
  stories: StoriesReader;
  search: SearchStore;
  notifications: NotificationsReader;
  media: MediaReader;
}

export type ReadModelDefinitions = { [Name in keyof Readers]: ReadModelDefinition<Readers[Name]> };

/**
 * Every read model of the platform, on the backends configured. Registering a read model here is
 * all it takes for the API to serve it, the projector to run it and the replay CLI to rebuild it.
 */
export const readModelDefinitions = ({ redis, elasticsearch, feed, notifications, liveFanOut, push, cards }: ReadModelBackends): ReadModelDefinitions => ({
  profiles: profilesReadModel({ cards }),
  feed: feedReadModel({ ...feed, redis, push, liveFanOut }),
  stories: storiesReadModel({ redis }),
  search: searchReadModel({ elasticsearch }),
  notifications: notificationsReadModel({ ...notifications, push }),
  media: mediaReadModel(),
});

/** The read models' generations: where each one lives, to open, rebuild or drop. */
export const createReadModelCatalog = (backends: ReadModelBackends, definitions = readModelDefinitions(backends)): GenerationCatalog =>
  createGenerationCatalog({
    pool: backends.pool,
    redisPrefix: backends.prefixes.redis,
    redis: backends.redis,
    elasticsearchPrefix: backends.prefixes.elasticsearch,
    definitions: Object.values(definitions),
    ...(backends.readReplica && { readReplica: backends.readReplica }),
  });

import { Client as ElasticsearchClient } from '@elastic/elasticsearch';
import { Redis } from 'ioredis';
import pg from 'pg';
import { createPersonalDataEventStore, createPostgresKeyStore } from '../events/personal-data/index.js';
import { ensureGenerationsTable } from '../projections/runtime/generations.js';
import type { CliIo } from '../replay/cli.js';
import type { Settings } from './config.js';
import { createReadModelCatalog } from './read-models.js';
import { resolvePersonalDataKey } from './personal-data-key.js';
import { openEventStore } from './event-store.js';

// The replay CLI's view of the platform: the same backends and read model registrations as the
// platform's (app/read-models.ts), with no live side effects: the catalog it opens fans out
// in-process into the generation it fills and publishes no pushes.

/**
 * The platform's settings the replay CLI needs: its servers, and the projections' own settings as
 * the platform runs them (a rebuild must compute the same).
 */
export type ReplayBackends = Pick<Settings, 'redisUrl' | 'elasticsearchUrl' | 'prefixes' | 'feed' | 'notifications' | 'tuning' | 'personalDataKey' | 'dataDir'> & {
  databaseUrl: string;
  /** The platform's EVENTSTORE_URL: its log is there when set. */
  eventStoreUrl?: string | undefined;
};

export const connectReplay = (backends: ReplayBackends): CliIo['connect'] => async () => {
  const { databaseUrl, redisUrl, elasticsearchUrl, prefixes, feed, notifications, tuning } = backends;
  // The platform's master key (same PERSONAL_DATA_KEY or DATA_DIR): a rebuild reads personal fields opened, as the projectors do.
  const masterKey = await resolvePersonalDataKey(backends.personalDataKey, backends.dataDir);
  const pool = new pg.Pool({ connectionString: databaseUrl, max: tuning.poolSize });
  pool.on('error', () => undefined);
  const redis = redisUrl ? new Redis(redisUrl, { enableAutoPipelining: true, maxRetriesPerRequest: 2 }) : null;
  redis?.on('error', () => undefined);
  const elasticsearch = elasticsearchUrl ? new ElasticsearchClient({ node: elasticsearchUrl, requestTimeout: 30_000 }) : null;
  const close = async () => {
    await catalog.close();
    await store.close();
    redis?.disconnect();
    await elasticsearch?.close();
    await pool.end();
  };
  const personalDataKeys = await createPostgresKeyStore(pool, masterKey);
  const store = createPersonalDataEventStore(await openEventStore(backends.eventStoreUrl, pool), personalDataKeys);
  const catalog = createReadModelCatalog({ pool, redis, elasticsearch, prefixes, feed, notifications });
  await ensureGenerationsTable(pool);
  return { store, pool, catalog, personalDataKeys, close };
};

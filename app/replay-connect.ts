import { Client as ElasticsearchClient } from '@elastic/elasticsearch';
import { Redis } from 'ioredis';
import pg from 'pg';
import { createPostgresEventStore } from '../events/postgres/index.js';
import { ensureGenerationsTable } from '../projections/runtime/generations.js';
import type { CliIo } from '../replay/cli.js';
import { createReadModelCatalog } from './read-models.js';

// The replay CLI's view of the platform: the same backends and read model registrations as the
// platform's (app/read-models.ts), with no live side effects: the catalog it opens fans out
// in-process into the generation it fills and publishes no pushes.

export interface ReplayBackends {
  databaseUrl: string;
  redisUrl?: string | undefined;
  redisPrefix?: string | undefined;
  elasticsearchUrl?: string | undefined;
  elasticsearchPrefix?: string | undefined;
  celebrityThreshold?: number | undefined;
  fanOutChunkSize?: number | undefined;
  notificationWindowMs?: number | undefined;
}

export const connectReplay = (backends: ReplayBackends): CliIo['connect'] => async () => {
  const pool = new pg.Pool({ connectionString: backends.databaseUrl, max: 10 });
  pool.on('error', () => undefined);
  const redis = backends.redisUrl ? new Redis(backends.redisUrl, { enableAutoPipelining: true, maxRetriesPerRequest: 2 }) : null;
  redis?.on('error', () => undefined);
  const elasticsearch = backends.elasticsearchUrl ? new ElasticsearchClient({ node: backends.elasticsearchUrl, requestTimeout: 30_000 }) : null;
  const close = async () => {
    await catalog.close();
    await store.close();
    redis?.disconnect();
    await elasticsearch?.close();
    await pool.end();
  };
  const store = await createPostgresEventStore(pool);
  const catalog = createReadModelCatalog({ ...backends, pool, redis, elasticsearch });
  await ensureGenerationsTable(pool);
  return { store, pool, catalog, close };
};
